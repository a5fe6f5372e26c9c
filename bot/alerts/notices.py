"""Notices said in a server's language, at delivery (bot/engine/notices.py has what is
stored). A server sees the kind of an error only (`public_reason`), never its text."""

from __future__ import annotations

from datetime import datetime

from bot.alerts.render import escape
from bot.alerts.words import public_reason
from bot.engine.notices import (
    FileSkipped,
    Notice,
    PicturesRefused,
    SourceFailing,
    SourceRecovered,
    TextNotice,
)
from bot.i18n import N_, Texts
from bot.i18n.commands import command_text

FAILING_PAUSED = N_(
    "Chart source {source} has been failing since {since} and is paused until it is polled "
    "by hand. Last error: {reason}"
)
FAILING_RETRIED = N_(
    "Chart source {source} has been failing since {since} and is retried. Last error: {reason}"
)


def notice_text(notice: Notice, t: Texts) -> str:
    """'⚠️ Chart source **netflix** has been failing since <t:…:R> and is retried. …'."""
    source = f"**{escape(notice.source)}**" if hasattr(notice, "source") else ""
    match notice:
        case SourceFailing(failure=kind, status=status, since=since, paused=paused):
            return "⚠️ " + t.gettext(
                FAILING_PAUSED if paused else FAILING_RETRIED,
                source=source,
                since=_moment(since),
                reason=public_reason(t, kind, status),
            )
        case FileSkipped(file=file, failure=kind):
            return "⚠️ " + t.gettext(
                "Chart source {source} skipped the file {file} (tried again when it "
                "changes): {reason}",
                source=source,
                file="**" + escape(file) + "**",
                reason=public_reason(t, kind),
            )
        case SourceRecovered():
            return "✅ " + t.gettext("Chart source {source} works again.", source=source)
        case PicturesRefused(channel_id=channel_id):
            return "🖼️ " + t.gettext(
                "I can't attach pictures in {channel} (I'm missing the Attach Files permission "
                "there), so alerts here go without their world map from now on. Give me "
                "Attach Files in this channel, then turn maps back on with {command}.",
                channel="<#" + str(channel_id) + ">",
                command=command_text(t, "alerts settings", pictures="True"),
            )
        case TextNotice(text=text):
            return text


def _moment(moment: datetime) -> str:
    """A moment as Discord shows it to each reader, in their language and time zone
    ('3 December 2026 17:05'; a date reads after "since" in every language, where
    "3 hours ago" would not)."""
    return "<t:" + str(int(moment.timestamp())) + ":f>"
