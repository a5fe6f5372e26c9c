"""The one place alert text is made from events.

Every sentence is said in the language of a `Texts` (bot/i18n): the title is never
translated, everything around it is. `markdown()` is what Discord gets: titles are
untrusted text, so their markdown is escaped and anything that looks like a mention is
broken up (the sender also sets allowed mentions to none). `plain()` is the same
sentence for a terminal or a log line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bot import countries
from bot.alerts.words import call_backing, on_course, streak
from bot.engine.events import (
    BackAtNumberOne,
    Entered,
    Event,
    FirstCharted,
    Left,
    Moved,
    NewNumberOne,
    NewPeak,
    NumberOneCount,
    OnCourse,
    Streak,
    WorldwideNumberOne,
)
from bot.engine.model import PeriodUnit
from bot.engine.titles import display
from bot.i18n import Texts

_MARKDOWN = re.compile(r"([\\*_~|`\[\]<>])")
_LINE_START = re.compile(r"^(-#|[#>\-+]|\d+\.)(?=\s)")  # headings, quotes, lists, "-# small"
_MENTION = re.compile(r"@(?=\S)")
_LINK = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*):(?=//)")  # a scheme: Discord links "x://..."
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")  # turn text around
_ZERO_WIDTH_SPACE = "\u200b"


def escape(text: str) -> str:
    """Untrusted text made inert in Discord markdown: no formatting, links or mentions,
    and no bidi controls to turn the rest of a line around."""
    text = " ".join(_BIDI.sub("", text).split())  # no newlines: a title is one line
    text = _MARKDOWN.sub(r"\\\1", text)
    text = _LINE_START.sub(r"\\\1", text)
    text = _LINK.sub(r"\1:" + _ZERO_WIDTH_SPACE, text)
    return _MENTION.sub("@" + _ZERO_WIDTH_SPACE, text)


def markdown(event: Event, t: Texts) -> str:
    """'**All of Us Are Dead** is now #1 in 46 countries (+2)'."""
    return describe(event, lambda name: f"**{escape(name)}**", t)


def plain(event: Event, t: Texts) -> str:
    """'All of Us Are Dead is now #1 in 46 countries (+2)'."""
    return describe(event, lambda name: name, t)


def describe(event: Event, strong: Callable[[str], str], t: Texts) -> str:
    """The alert's sentence in t's language; the title (never translated) goes through `strong`."""
    title = strong(display(event.title, event.artist))
    if getattr(event, "country", None) in countries.GLOBAL_CODES:
        worldwide = _worldwide(event, title, t)
        if worldwide is not None:
            return worldwide
    match event:
        case NewPeak(count=count, previous=previous):
            return t.ngettext(
                "{title} is now #1 in {count} country ({change}) — its most yet",
                "{title} is now #1 in {count} countries ({change}) — its most yet",
                count,
                title=title,
                change=t.signed(count - previous),
            )
        case WorldwideNumberOne(previous_rank=previous_rank) if previous_rank:
            return t.gettext(
                "{title} takes #1 worldwide (was #{rank})", title=title, rank=previous_rank
            )
        case WorldwideNumberOne():
            return t.gettext("{title} takes #1 worldwide (new entry)", title=title)
        case BackAtNumberOne(country=country, previous_rank=previous_rank, top_only=top_only):
            where = t.country(country)
            if top_only:
                return t.gettext("{title} is back at #1 in {country}", title=title, country=where)
            if previous_rank:
                return t.gettext(
                    "{title} is back at #1 in {country} (was #{rank})",
                    title=title,
                    country=where,
                    rank=previous_rank,
                )
            return t.gettext(
                "{title} is back at #1 in {country} (re-entry)", title=title, country=where
            )
        case OnCourse(country=country, chance=chance, horizon=horizon, unit=unit):
            said = on_course(
                t, unit, horizon, title=title, country=t.country(country), chance=t.percent(chance)
            )
            # and how chances like it fared in the chart's backtest (an alert stored before
            # that was kept has none)
            return said + (" · " + call_backing(t, event) if event.backtest_periods else "")
        case Streak(country=country, periods=periods, unit=unit):
            return streak(t, PeriodUnit(unit), periods, title=title, country=t.country(country))
        case FirstCharted(best_rank=best, best_country=where, number_one_count=ones, charting_in=n):
            if ones:
                text = t.ngettext(
                    "{title} enters the charts at #1 in {count} country",
                    "{title} enters the charts at #1 in {count} countries",
                    ones,
                    title=title,
                )
            else:
                text = t.gettext(
                    "{title} enters the charts at #{rank} in {country}",
                    title=title,
                    rank=best,
                    country=t.country(where),
                )
            if n > max(ones, 1):
                text += t.ngettext(
                    ", charting in {count} country", ", charting in {count} countries", n
                )
            return text
        case NumberOneCount(count=0, previous=previous):
            return t.ngettext(
                "{title} is no longer #1 anywhere (was #1 in {count} country)",
                "{title} is no longer #1 anywhere (was #1 in {count} countries)",
                previous,
                title=title,
            )
        case NumberOneCount(count=count, previous=previous):
            return t.ngettext(
                "{title} is now #1 in {count} country ({change})",
                "{title} is now #1 in {count} countries ({change})",
                count,
                title=title,
                change=t.signed(count - previous),
            )
        case NewNumberOne(country=country, top_only=True):
            return t.gettext(
                "{title} takes #1 in {country}", title=title, country=t.country(country)
            )
        case NewNumberOne(country=country, previous_rank=previous_rank) if previous_rank:
            return t.gettext(
                "{title} takes #1 in {country} (was #{rank})",
                title=title,
                country=t.country(country),
                rank=previous_rank,
            )
        case NewNumberOne(country=country):
            return t.gettext(
                "{title} takes #1 in {country} (new entry)", title=title, country=t.country(country)
            )
        case Moved(country=country, rank=rank, previous_rank=previous_rank) if event.climbed:
            return t.gettext(
                "{title} climbs to #{rank} in {country} (was #{previous})",
                title=title,
                rank=rank,
                country=t.country(country),
                previous=previous_rank,
            )
        case Moved(country=country, rank=rank, previous_rank=previous_rank):
            return t.gettext(
                "{title} falls to #{rank} in {country} (was #{previous})",
                title=title,
                rank=rank,
                country=t.country(country),
                previous=previous_rank,
            )
        case Entered(country=country, rank=rank):
            return t.gettext(
                "{title} enters the chart at #{rank} in {country}",
                title=title,
                rank=rank,
                country=t.country(country),
            )
        case Left(country=country, previous_rank=previous_rank):
            return t.gettext(
                "{title} leaves the chart in {country} (was #{previous})",
                title=title,
                country=t.country(country),
                previous=previous_rank,
            )
    raise TypeError(f"no text for event kind {event.kind!r}")


def _worldwide(event: Event, title: str, t: Texts) -> str | None:
    """A move on a worldwide chart, said as one ("climbs to #3 worldwide", never "in
    Worldwide"); None for a kind that has no sentence of its own for it."""
    match event:
        case NewNumberOne(top_only=True) | BackAtNumberOne(top_only=True):
            if isinstance(event, BackAtNumberOne):
                return t.gettext("{title} is back at #1 worldwide", title=title)
            return t.gettext("{title} takes #1 worldwide", title=title)
        case BackAtNumberOne(previous_rank=previous_rank) if previous_rank:
            return t.gettext(
                "{title} is back at #1 worldwide (was #{rank})", title=title, rank=previous_rank
            )
        case BackAtNumberOne():
            return t.gettext("{title} is back at #1 worldwide (re-entry)", title=title)
        case NewNumberOne(previous_rank=previous_rank) if previous_rank:
            return t.gettext(
                "{title} takes #1 worldwide (was #{rank})", title=title, rank=previous_rank
            )
        case NewNumberOne():
            return t.gettext("{title} takes #1 worldwide (new entry)", title=title)
        case Moved(rank=rank, previous_rank=previous_rank) if event.climbed:
            return t.gettext(
                "{title} climbs to #{rank} worldwide (was #{previous})",
                title=title,
                rank=rank,
                previous=previous_rank,
            )
        case Moved(rank=rank, previous_rank=previous_rank):
            return t.gettext(
                "{title} falls to #{rank} worldwide (was #{previous})",
                title=title,
                rank=rank,
                previous=previous_rank,
            )
        case Entered(rank=rank):
            return t.gettext(
                "{title} enters the worldwide chart at #{rank}", title=title, rank=rank
            )
        case Left(previous_rank=previous_rank):
            return t.gettext(
                "{title} leaves the worldwide chart (was #{previous})",
                title=title,
                previous=previous_rank,
            )
    return None


# A milestone that is said as part of its plain kind's alert keeps that kind's `type` in
# JSON, with the milestone in a field of its own (streaks and worldwide #1s are alerts of
# their own, types of their own).
_SAID_WITH: dict[type[Event], type[Event]] = {
    NewPeak: NumberOneCount,
    BackAtNumberOne: NewNumberOne,
}


def alert_json(event: Event, t: Texts) -> dict[str, Any]:
    """The alert as data: the event's fields, with its Discord text (in t's language) under
    'text'; everything else is language-neutral (countries as codes).

    A #1-count alert is `"type": "number_one_count"` and a new #1 `"new_number_one"`, with
    `"milestone"` null, `"new_peak"` or `"back_at_number_one"`."""
    data = event.to_json()
    head = {key: data.pop(key) for key in ("type", "source", "chart", "period", "title")}
    plain_kind = _SAID_WITH.get(type(event))
    if plain_kind is not None:
        head["type"], head["milestone"] = plain_kind.kind, event.kind
    elif type(event) in (NumberOneCount, NewNumberOne):
        head["milestone"] = None
    if "artist" in data:
        head["artist"] = data.pop("artist")
    return {**head, "text": markdown(event, t), **data}


def counted(number: int, one: str, many: str | None = None) -> str:
    """'1 week', '3 weeks', '2 countries' (with many="countries"): for the operator's lines,
    which are English (what people read goes through bot/i18n)."""
    return f"{number:,} {one}" if number == 1 else f"{number:,} {many or one + 's'}"
