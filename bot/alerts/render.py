"""The one place alert text is made from events.

`markdown()` is what Discord gets: titles are untrusted text, so their
markdown is escaped and anything that looks like a mention is broken up (the
sender also sets allowed mentions to none). `plain()` is the same sentence for
a terminal or a log line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from bot import countries
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
    Streak,
    WorldwideNumberOne,
)
from bot.engine.source_types import Failure, FailureKind
from bot.engine.standings import ChartStanding
from bot.engine.titles import display

_MARKDOWN = re.compile(r"([\\*_~|`\[\]<>])")
_LINE_START = re.compile(r"^(-#|[#>\-+]|\d+\.)(?=\s)")  # headings, quotes, lists, "-# small"
_MENTION = re.compile(r"@(?=\S)")
_LINK = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*):(?=//)")  # a scheme: Discord links "x://..."
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")  # turn text around
_ZERO_WIDTH_SPACE = "\u200b"
_SUFFIXES = {1: "st", 2: "nd", 3: "rd"}


def escape(text: str) -> str:
    """Untrusted text made inert in Discord markdown: no formatting, links or mentions,
    and no bidi controls to turn the rest of a line around."""
    text = " ".join(_BIDI.sub("", text).split())  # no newlines: a title is one line
    text = _MARKDOWN.sub(r"\\\1", text)
    text = _LINE_START.sub(r"\\\1", text)
    text = _LINK.sub(r"\1:" + _ZERO_WIDTH_SPACE, text)
    return _MENTION.sub("@" + _ZERO_WIDTH_SPACE, text)


def markdown(event: Event) -> str:
    """'**All of Us Are Dead** is now #1 in 46 countries (+2)'."""
    return describe(event, lambda name: f"**{escape(name)}**")


def plain(event: Event) -> str:
    """'All of Us Are Dead is now #1 in 46 countries (+2)'."""
    return describe(event, lambda name: name)


def describe(event: Event, strong: Callable[[str], str]) -> str:
    name = strong(display(event.title, event.artist))
    match event:
        case NewPeak(count=count, previous=previous):
            change = _signed(count - previous)
            return f"{name} is now #1 in {_countries(count)} ({change}) — its most yet"
        case WorldwideNumberOne(previous_rank=previous_rank):
            return f"{name} takes #1 worldwide ({_was(previous_rank)})"
        case BackAtNumberOne(country=country, previous_rank=previous_rank, top_only=top_only):
            was = "" if top_only else f" (was #{previous_rank})" if previous_rank else " (re-entry)"
            return f"{name} is back at #1 in {countries.name(country)}{was}"
        case Streak(country=country, periods=periods, unit=unit):
            nth = ordinal(periods)
            article = "an" if nth.startswith("8") or periods in (11, 18) else "a"
            return f"{name} is #1 in {countries.name(country)} for {article} {nth} {unit}"
        case FirstCharted(best_rank=best, best_country=where, number_one_count=ones, charting_in=n):
            place = f"#1 in {_countries(ones)}" if ones else f"#{best} in {countries.name(where)}"
            more = f", charting in {_countries(n)}" if n > max(ones, 1) else ""
            return f"{name} enters the charts: {place}{more}"
        case NumberOneCount(count=count, previous=previous):
            if count == 0:
                return f"{name} is no longer #1 anywhere (was #1 in {_countries(previous)})"
            return f"{name} is now #1 in {_countries(count)} ({_signed(count - previous)})"
        case NewNumberOne(country=country, previous_rank=previous_rank, top_only=True):
            return f"{name} takes #1 in {countries.name(country)}"
        case NewNumberOne(country=country, previous_rank=previous_rank):
            return f"{name} takes #1 in {countries.name(country)} ({_was(previous_rank)})"
        case Moved(country=country, rank=rank, previous_rank=previous_rank):
            verb = "climbs" if event.climbed else "falls"
            return f"{name} {verb} to #{rank} in {countries.name(country)} (was #{previous_rank})"
        case Entered(country=country, rank=rank):
            return f"{name} enters the chart at #{rank} in {countries.name(country)}"
        case Left(country=country, previous_rank=previous_rank):
            return f"{name} leaves the chart in {countries.name(country)} (was #{previous_rank})"
    raise TypeError(f"no text for event kind {event.kind!r}")


def _was(previous_rank: int | None) -> str:
    return f"was #{previous_rank}" if previous_rank else "new entry"


def ordinal(number: int) -> str:
    """'2nd', '3rd', '11th', '22nd'."""
    suffix = "th" if 10 <= number % 100 <= 20 else _SUFFIXES.get(number % 10, "th")
    return f"{number}{suffix}"


def _signed(change: int) -> str:
    return f"+{change}" if change >= 0 else str(change)


# A milestone that is said as part of its plain kind's alert keeps that kind's `type` in
# JSON, with the milestone in a field of its own (streaks and worldwide #1s are alerts of
# their own, types of their own).
_SAID_WITH: dict[type[Event], type[Event]] = {
    NewPeak: NumberOneCount,
    BackAtNumberOne: NewNumberOne,
}


def alert_json(event: Event) -> dict[str, Any]:
    """The alert as data: the event's fields, with its Discord text under 'text'.

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
    return {**head, "text": markdown(event), **data}


def standing_rows(s: ChartStanding, markets: Sequence[str]) -> list[tuple[str, str]]:
    """(label, value) lines saying where a title stands on one chart, for a table or an embed."""
    charted = sorted(set(s.ranks) | set(s.previous_ranks))
    rows = []
    if set(charted) - countries.GLOBAL_CODES:
        change = s.number_one_count - s.previous_number_one_count
        since = f" ({change:+d} since {s.previous_period})" if s.previous_period else ""
        rows.append(("#1 in", f"{_countries(s.number_one_count)}{since}"))
        if s.number_ones:
            rows.append(("", country_names(s.number_ones, 12)))
        rows.append(("charting in", _countries(len(s.ranks))))
    # The markets people watch, and on a chart of few countries, those countries.
    shown = list(markets) + [c for c in charted if c not in markets and len(charted) <= 3]
    rows += [(countries.label(market), market_text(s, market)) for market in shown]
    where = country_names(s.best_rank_countries, 5)
    held = f", {counted(s.best_rank_periods, s.unit)} at #{s.best_rank}"
    rows.append(("best rank", f"#{s.best_rank} first on {s.best_rank_period} in {where}{held}"))
    together = f" ({len(s.seasons)} seasons or parts together)" if s.seasons else ""
    since = min(s.history) if s.history else s.period
    rows.append(
        (
            "stored here",
            f"{counted(s.periods_charted, s.unit)} since {since}{together}",
        )
    )
    return rows


def market_text(s: ChartStanding, market: str) -> str:
    """'#2 (was #3) · 3 weeks in the chart', 'not charting (was #9)'."""
    rank = s.ranks.get(market)
    before = s.previous_ranks.get(market)
    if rank is None and before is None and s.chart_listed and market not in s.chart_listed:
        return "not a country this chart lists"
    if rank is None:
        return "not charting" + (f" (was #{before})" if before else "")
    was = f" (was #{before})" if before and before != rank else ""
    was = was or (" (new)" if before is None and s.previous_period else "")
    weeks = s.in_chart.get(market)
    source = s.label or s.source
    counts = f" · {counted(weeks, s.unit)} in the chart by {source}'s count" if weeks else ""
    return f"#{rank}{was}{counts}"


def country_names(codes: Sequence[str], limit: int) -> str:
    """'Austria, Belgium and 44 more', by name."""
    names = sorted(countries.name(c) for c in codes)
    more = len(names) - limit
    return ", ".join(names[:limit]) + (f" and {more} more" if more > 0 else "")


def _countries(count: int) -> str:
    return counted(count, "country", "countries")


def counted(number: int, one: str, many: str | None = None) -> str:
    """'1 week', '3 weeks', '2 countries' (with many="countries")."""
    return f"{number:,} {one}" if number == 1 else f"{number:,} {many or one + 's'}"


def failing_notice(source: str, failure: Failure, since: datetime, disabled: bool) -> str:
    """For every server's alert channel: the kind of error only (`public_reason`)."""
    state = "and is paused until it is polled by hand" if disabled else "and is retried"
    return (
        f"⚠️ Chart source **{escape(source)}** has been failing since "
        f"<t:{int(since.timestamp())}:R> {state}. Last error: "
        f"{public_reason(failure.kind, failure.status)}"
    )


def skipped_notice(source: str, name: str, kind: FailureKind) -> str:
    """For every server's alert channel: the file's name and the kind of fault only."""
    return (
        f"⚠️ Chart source **{escape(source)}** skipped the file **{escape(name)}** "
        f"(tried again when it changes): {public_reason(kind)}"
    )


def pictures_refused_notice(channel_id: int) -> str:
    """For a server whose alert channel refused a map (the bot may not attach files)."""
    return (
        f"🖼️ I can't attach pictures in <#{channel_id}> (I'm missing the Attach Files "
        "permission there), so alerts here go without their world map from now on. Give me "
        "Attach Files in this channel, then turn maps back on with "
        "`/alerts settings pictures: True`."
    )


def recovered_notice(source: str) -> str:
    return f"✅ Chart source **{source}** works again."


# What a server may see of a failure: its kind, never its text (which can hold a URL with
# its query string, a local path, or part of the fetched body).
PUBLIC_REASONS = {
    FailureKind.TIMED_OUT: "timed out",
    FailureKind.CANNOT_CONNECT: "cannot connect to the source",
    FailureKind.CONNECTION_CUT: "the connection was cut",
    FailureKind.SERVER_CLOSED: "the server closed the connection",
    FailureKind.TOO_MANY_REDIRECTS: "too many redirects",
    FailureKind.FILE_NOT_FOUND: "the file is not there",
    FailureKind.TOO_LARGE: "the file is too large",
    FailureKind.HTML_PAGE: "not a chart: an HTML page",
    FailureKind.JSON_BODY: "not a chart: JSON",
    FailureKind.EMPTY_BODY: "not a chart: an empty body",
    FailureKind.NOT_TEXT: "not a chart: unreadable text",
    FailureKind.CUT_OFF: "not a chart: the file is cut off",
    FailureKind.NO_DATE_IN_NAME: "no date in the file's name",
    FailureKind.UNKNOWN_LAYOUT: "not a chart in a known layout",
    FailureKind.LAYOUT_CHANGED: "the page's layout changed",
    FailureKind.CHALLENGE_PAGE: "not a chart: a challenge or login page",
    FailureKind.COUNTRIES_FAILED: "some countries' feeds failed",
    FailureKind.ROWS_MISSING: "refused: rows missing",
    FailureKind.COUNTRIES_MISSING: "refused: countries missing",
    FailureKind.HISTORY_MISSING: "refused: part of the history is missing",
    FailureKind.OLDER_THAN_STORED: "refused: older than what is stored",
    FailureKind.DATED_IN_FUTURE: "refused: dated in the future",
    FailureKind.RACED: "another poll ran at the same time",
    FailureKind.KEY_REFUSED: "the API key was refused",
    FailureKind.ALLOWANCE_SPENT: "the API's monthly allowance is spent",
    FailureKind.PROCESS_LOST: "the poll stopped before it ended",
    FailureKind.UNEXPECTED: "an unexpected error (logged)",
    FailureKind.UNREADABLE: "the data could not be read",
}


def public_reason(kind: FailureKind | None, status: int | None = None) -> str:
    """What a server is shown of a failure: 'HTTP 500', 'timed out', never its text."""
    if kind is FailureKind.HTTP_STATUS and status is not None:
        return f"HTTP {status}"
    return PUBLIC_REASONS.get(
        kind or FailureKind.UNREADABLE, PUBLIC_REASONS[FailureKind.UNREADABLE]
    )
