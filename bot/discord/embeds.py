"""Embeds for the commands' answers, within Discord's limits (25 fields, 1024 a field)."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.alerts.render import escape
from bot.alerts.standing import standing_heading, standing_rows
from bot.alerts.words import public_reason
from bot.delivery.messages import COLOR, MAX_TOTAL
from bot.engine.source_types import SourceHealth
from bot.engine.standings import ChartStanding
from bot.engine.stored import ChartInfo, ChartLine
from bot.engine.titles import Candidate
from bot.i18n import N_, Texts
from bot.service.status import SourceReport, StatusReport

MAX_FIELDS = 25
MAX_FIELD = 1024
MAX_CHARTS = 6
FOOTER_ROOM = 40  # characters kept for the "and N more charts" footer
RECORD_ROOM = 240  # and for /status's record of on-course calls


def rank_embed(
    title: Candidate, standings: Sequence[ChartStanding], markets: Sequence[str], t: Texts
) -> discord.Embed:
    embed = discord.Embed(title=escape(title.label)[:256], color=COLOR)
    if not standings:
        embed.description = t.gettext("Not on any stored chart yet.")
        return embed
    size = len(embed.title or "") + FOOTER_ROOM
    shown = 0
    for standing in standings[:MAX_CHARTS]:
        lines = [
            t.gettext("{label}: {value}", label=label, value=value) if label else value
            for label, value in standing_rows(standing, markets, t)
        ]
        name = escape(standing_heading(standing, t))[:256]
        value = "\n".join(lines)[:MAX_FIELD]
        if size + len(name) + len(value) > MAX_TOTAL:
            break  # Discord refuses an embed over 6,000 characters in all
        embed.add_field(name=name, value=value, inline=False)
        size += len(name) + len(value)
        shown += 1
    if len(standings) > shown:
        more = len(standings) - shown
        embed.set_footer(text=t.ngettext("and {count} more chart", "and {count} more charts", more))
    return embed


def top_embed(
    chart: ChartInfo,
    country: str,
    lines: Sequence[ChartLine],
    previous: Sequence[ChartLine],
    t: Texts,
) -> discord.Embed:
    embed = discord.Embed(title=f"{chart.heading} · {t.country_label(country)}"[:256], color=COLOR)
    before = {line.title_id: line.rank for line in previous}
    rows = []
    for line in lines[:50]:
        name = f"**{escape(line.title)}**"
        if line.artist:
            name += f" — {escape(line.artist)}"
        if line.season and line.season != line.title:
            name += f" ({escape(line.season.removeprefix(line.title + ': '))})"
        moved = _movement(before.get(line.title_id), line.rank, bool(previous))
        rows.append(f"`{line.rank:>2}` {name} {moved}")
    embed.description = (
        "\n".join(rows)[:4096]
        if rows
        else t.gettext("No chart for this country in the latest period.")
    )
    embed.set_footer(text=t.gettext("chart of {date}", date=t.date(chart.latest)))
    return embed


def _movement(before: int | None, now: int, had_previous: bool) -> str:
    if not had_previous:
        return ""
    if before is None:
        return "🆕"
    if before > now:
        return f"▲{before - now}"
    if before < now:
        return f"▼{now - before}"
    return "="


def status_embed(report: StatusReport, t: Texts) -> discord.Embed:
    """Each source's health for a server: short reasons only (see `public_reason`)."""
    embed = discord.Embed(title=t.gettext("chartbot status"), color=COLOR)
    # The footer, "and N more sources" and the forecasts' record.
    size = len(embed.title or "") + 2 * FOOTER_ROOM + RECORD_ROOM
    fields = MAX_FIELDS - 1  # one for the forecasts' record
    for shown, source in enumerate(report.sources):
        name, value = escape(source.name), "\n".join(_source_lines(source, t))[:MAX_FIELD]
        last_field = shown == fields - 1 and len(report.sources) > fields
        if last_field or size + len(name) + len(value) > MAX_TOTAL:
            # Discord refuses an embed of more than 25 fields or 6,000 characters in all.
            more = len(report.sources) - shown
            value = t.ngettext("and {count} more source", "and {count} more sources", more)
            embed.add_field(name="…", value=value, inline=False)
            break
        embed.add_field(name=name, value=value, inline=False)
        size += len(name) + len(value)
    calls = report.calls
    if calls.calls:
        record = t.gettext(
            "on-course calls: {calls}, came true: {true}, expected from their probabilities: "
            "{expected}",
            calls=t.number(calls.resolved),
            true=t.number(calls.came_true),
            expected=t.number(round(calls.expected, 1)),
        )
        if calls.calls > calls.resolved:
            record += "\n" + t.ngettext(
                "{count} call not resolved yet",
                "{count} calls not resolved yet",
                calls.calls - calls.resolved,
            )
        embed.add_field(name=t.gettext("Forecasts"), value=record, inline=False)
    embed.set_footer(
        text=t.ngettext(
            "{count} alert waiting to be delivered",
            "{count} alerts waiting to be delivered",
            report.waiting,
        )
    )
    return embed


_HEALTH = {
    SourceHealth.OK: ("🟢", N_("ok")),
    SourceHealth.FAILING: ("🟠", N_("failing")),
    SourceHealth.DISABLED: ("🔴", N_("disabled")),
    SourceHealth.NEW: ("⚪", N_("new")),
}


def _source_lines(source: SourceReport, t: Texts) -> list[str]:
    state = source.state
    status = source.health
    icon, word = _HEALTH[status]
    lines = [t.gettext("health: {icon} {health}", icon=icon, health=t.gettext(word))]
    if not source.enabled:
        lines = [t.gettext("off in the config")]
    if state and state.failures and state.failing_since:
        lines.append(
            t.ngettext(
                "failing since {since} ({count} failure in a row)",
                "failing since {since} ({count} failures in a row)",
                state.failures,
                since=discord.utils.format_dt(state.failing_since, "f"),
            )
        )
    if status is SourceHealth.DISABLED:
        lines.append(
            t.gettext("paused: {command} tries it again by hand", command="`chartbot poll`")
        )
    if state and state.last_ok_at:
        when = discord.utils.format_dt(state.last_ok_at, "R")
        lines.append(t.gettext("last good poll: {when}", when=when))
    if source.next_poll and source.enabled:
        when = discord.utils.format_dt(source.next_poll, "R")
        lines.append(t.gettext("next poll: {when}", when=when))
    if source.latest:
        lines.append(t.gettext("latest chart: {date}", date=t.date(source.latest)))
    failure = source.failure
    if failure is not None:
        reason = public_reason(t, failure.kind, failure.status)
        lines.append(t.gettext("last error: {reason}", reason=reason))
    if source.skipped:
        names = ", ".join(escape(f.name) for f in source.skipped[:5])
        lines.append(
            t.gettext("skipped files (tried again when they change): {files}", files=names)
        )
    return lines
