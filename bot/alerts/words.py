"""Phrases several messages share, in any language: counted periods, streaks, lists of
countries, and what a server is shown of a failure."""

from __future__ import annotations

from collections.abc import Sequence

from bot.engine.events import OnCourse
from bot.engine.model import PeriodUnit
from bot.engine.source_types import FailureKind
from bot.engine.standings import Odds
from bot.i18n import N_, NP_, Texts


def periods(t: Texts, number: int, unit: PeriodUnit | str) -> str:
    """'1 week', '3 days', '12 periods' ('3주', '3 Tage')."""
    match PeriodUnit(unit):
        case PeriodUnit.DAY:
            return t.ngettext("{count} day", "{count} days", number)
        case PeriodUnit.WEEK:
            return t.ngettext("{count} week", "{count} weeks", number)
    return t.ngettext("{count} period", "{count} periods", number)


def on_course(
    t: Texts, unit: PeriodUnit | str, horizon: int, *, title: str, country: str, chance: str
) -> str:
    """'X is on course for #1 in United States (71% within 3 days)'."""
    values = {"title": title, "country": country, "chance": chance}
    match PeriodUnit(unit):
        case PeriodUnit.DAY:
            return t.ngettext(
                "{title} is on course for #1 in {country} ({chance} within {count} day)",
                "{title} is on course for #1 in {country} ({chance} within {count} days)",
                horizon,
                **values,
            )
        case PeriodUnit.WEEK:
            return t.ngettext(
                "{title} is on course for #1 in {country} ({chance} within {count} week)",
                "{title} is on course for #1 in {country} ({chance} within {count} weeks)",
                horizon,
                **values,
            )
    return t.ngettext(
        "{title} is on course for #1 in {country} ({chance} within {count} chart)",
        "{title} is on course for #1 in {country} ({chance} within {count} charts)",
        horizon,
        **values,
    )


def chances(t: Texts, unit: PeriodUnit | str, horizon: int, *, next: float, within: float) -> str:
    """'#1 next week: 38% · within 3 weeks: 71%' (/rank, `chartbot forecast`)."""
    soon, later = t.percent(next), t.percent(within)
    match PeriodUnit(unit):
        case PeriodUnit.DAY:
            first = t.gettext("#1 tomorrow: {chance}", chance=soon)
            second = t.ngettext(
                "within {count} day: {chance}",
                "within {count} days: {chance}",
                horizon,
                chance=later,
            )
        case PeriodUnit.WEEK:
            first = t.gettext("#1 next week: {chance}", chance=soon)
            second = t.ngettext(
                "within {count} week: {chance}",
                "within {count} weeks: {chance}",
                horizon,
                chance=later,
            )
        case _:
            first = t.gettext("#1 on the next chart: {chance}", chance=soon)
            second = t.ngettext(
                "within {count} chart: {chance}",
                "within {count} charts: {chance}",
                horizon,
                chance=later,
            )
    return f"{first} · {second}"


def fared(t: Texts, given: int, came_true: int) -> str:
    """'48% of 64': how the chances a backtest gave in one tenth fared ('none given')."""
    if not given:
        # Translators: said in place of "48% of 64" when the backtest gave no chance in
        # this tenth: there is nothing to say how such chances fare.
        return t.gettext("none given")
    # Translators: "48% of 64": of the 64 chances the backtest gave in this tenth, 48%
    # came true.
    return t.gettext(
        "{share} of {count}", share=t.percent(came_true / given), count=t.number(given)
    )


def backing(t: Texts, odds: Odds, unit: PeriodUnit | str) -> str:
    """'chances like these came true: 48% of 64 · 52% of 40 (backtest, last 60 days)': how
    the chances the chart's backtest gave in the same tenths as these fared, in the order
    `chances` says them (/rank)."""
    values = {
        "next": fared(t, odds.next.given, odds.next.came_true),
        "within": fared(t, odds.within.given, odds.within.came_true),
    }
    match PeriodUnit(unit):
        case PeriodUnit.DAY:
            # Translators: {next} and {within} are "48% of 64" (or "none given"), for the
            # chances of #1 next period and within the horizon said on the line above.
            return t.ngettext(
                "chances like these came true: {next} · {within} (backtest, last {count} day)",
                "chances like these came true: {next} · {within} (backtest, last {count} days)",
                odds.scored,
                **values,
            )
        case PeriodUnit.WEEK:
            # Translators: {next} and {within} are "48% of 64" (or "none given"), for the
            # chances of #1 next period and within the horizon said on the line above.
            return t.ngettext(
                "chances like these came true: {next} · {within} (backtest, last {count} week)",
                "chances like these came true: {next} · {within} (backtest, last {count} weeks)",
                odds.scored,
                **values,
            )
    # Translators: {next} and {within} as in the two messages above, for a chart whose
    # periods are neither days nor weeks.
    return t.ngettext(
        "chances like these came true: {next} · {within} (backtest, last {count} chart)",
        "chances like these came true: {next} · {within} (backtest, last {count} charts)",
        odds.scored,
        **values,
    )


def call_backing(t: Texts, call: OnCourse) -> str:
    """'chances like this came true: 48% of 64 (backtest, last 60 days)', after an
    on-course alert: how the chances its chart's backtest gave in the same tenth fared."""
    share, periods = fared(t, call.backtest_given, call.backtest_came_true), call.backtest_periods
    match PeriodUnit(call.unit):
        case PeriodUnit.DAY:
            # Translators: said after an on-course alert ("… is on course for #1 in United
            # States (71% within 3 days)"); {share} is "48% of 64" (or "none given").
            return t.ngettext(
                "chances like this came true: {share} (backtest, last {count} day)",
                "chances like this came true: {share} (backtest, last {count} days)",
                periods,
                share=share,
            )
        case PeriodUnit.WEEK:
            # Translators: as above, for a chart of weeks.
            return t.ngettext(
                "chances like this came true: {share} (backtest, last {count} week)",
                "chances like this came true: {share} (backtest, last {count} weeks)",
                periods,
                share=share,
            )
    # Translators: as above, for a chart whose periods are neither days nor weeks.
    return t.ngettext(
        "chances like this came true: {share} (backtest, last {count} chart)",
        "chances like this came true: {share} (backtest, last {count} charts)",
        periods,
        share=share,
    )


def countries_count(t: Texts, number: int) -> str:
    """'1 country', '46 countries' ('46 países', '46개국')."""
    return t.ngettext("{count} country", "{count} countries", number)


# A streak's sentence by the period it counts and the CLDR ordinal category of its number
# ('2nd', '3rd', '4th'; French '1re'; most languages have one form), as each language
# says "#1 for the Nth week in a row".
_STREAKS: dict[tuple[PeriodUnit, str], tuple[str, str]] = {
    (PeriodUnit.WEEK, "one"): NP_(
        "ordinal one", "{title} is #1 in {country} for the {n}st week in a row"
    ),
    (PeriodUnit.WEEK, "two"): NP_(
        "ordinal two", "{title} is #1 in {country} for the {n}nd week in a row"
    ),
    (PeriodUnit.WEEK, "few"): NP_(
        "ordinal few", "{title} is #1 in {country} for the {n}rd week in a row"
    ),
    (PeriodUnit.WEEK, "other"): NP_(
        "ordinal other", "{title} is #1 in {country} for the {n}th week in a row"
    ),
    (PeriodUnit.DAY, "one"): NP_(
        "ordinal one", "{title} is #1 in {country} for the {n}st day in a row"
    ),
    (PeriodUnit.DAY, "two"): NP_(
        "ordinal two", "{title} is #1 in {country} for the {n}nd day in a row"
    ),
    (PeriodUnit.DAY, "few"): NP_(
        "ordinal few", "{title} is #1 in {country} for the {n}rd day in a row"
    ),
    (PeriodUnit.DAY, "other"): NP_(
        "ordinal other", "{title} is #1 in {country} for the {n}th day in a row"
    ),
    (PeriodUnit.PERIOD, "one"): NP_(
        "ordinal one", "{title} is #1 in {country} for the {n}st chart in a row"
    ),
    (PeriodUnit.PERIOD, "two"): NP_(
        "ordinal two", "{title} is #1 in {country} for the {n}nd chart in a row"
    ),
    (PeriodUnit.PERIOD, "few"): NP_(
        "ordinal few", "{title} is #1 in {country} for the {n}rd chart in a row"
    ),
    (PeriodUnit.PERIOD, "other"): NP_(
        "ordinal other", "{title} is #1 in {country} for the {n}th chart in a row"
    ),
}


def streak(t: Texts, unit: PeriodUnit, number: int, *, title: str, country: str) -> str:
    """'X is #1 in United States for the 9th week in a row' ('9주 연속', '9. Woche in Folge')."""
    category = t.ordinal_category(number)
    context, message = _STREAKS.get((unit, category)) or _STREAKS[(unit, "other")]
    return t.pgettext(context, message, title=title, country=country, n=t.number(number))


def country_names(t: Texts, codes: Sequence[str], limit: int) -> str:
    """'Austria, Belgium and 44 more', by name, in alphabetical order for t's language."""
    names = sorted((t.country(c) for c in codes), key=t.sort_key)
    more = len(names) - limit
    if more <= 0:
        return t.join(names)
    shown = t.separator().join(names[:limit])
    return t.ngettext("{names} and {count} more", "{names} and {count} more", more, names=shown)


# What a server may see of a failure: its kind, never its text (which can hold a URL with
# its query string, a local path, or part of the fetched body).
PUBLIC_REASONS = {
    FailureKind.TIMED_OUT: N_("timed out"),
    FailureKind.CANNOT_CONNECT: N_("cannot connect to the source"),
    FailureKind.CONNECTION_CUT: N_("the connection was cut"),
    FailureKind.SERVER_CLOSED: N_("the server closed the connection"),
    FailureKind.TOO_MANY_REDIRECTS: N_("too many redirects"),
    FailureKind.FILE_NOT_FOUND: N_("the file is not there"),
    FailureKind.TOO_LARGE: N_("the file is too large"),
    FailureKind.HTML_PAGE: N_("not a chart: an HTML page"),
    FailureKind.JSON_BODY: N_("not a chart: JSON"),
    FailureKind.EMPTY_BODY: N_("not a chart: an empty body"),
    FailureKind.NOT_TEXT: N_("not a chart: unreadable text"),
    FailureKind.CUT_OFF: N_("not a chart: the file is cut off"),
    FailureKind.NO_DATE_IN_NAME: N_("no date in the file's name"),
    FailureKind.UNKNOWN_LAYOUT: N_("not a chart in a known layout"),
    FailureKind.LAYOUT_CHANGED: N_("the page's layout changed"),
    FailureKind.CHALLENGE_PAGE: N_("not a chart: a challenge or login page"),
    FailureKind.COUNTRIES_FAILED: N_("some countries' feeds failed"),
    FailureKind.ROWS_MISSING: N_("refused: rows missing"),
    FailureKind.COUNTRIES_MISSING: N_("refused: countries missing"),
    FailureKind.HISTORY_MISSING: N_("refused: part of the history is missing"),
    FailureKind.OLDER_THAN_STORED: N_("refused: older than what is stored"),
    FailureKind.DATED_IN_FUTURE: N_("refused: dated in the future"),
    FailureKind.RACED: N_("another poll ran at the same time"),
    FailureKind.KEY_REFUSED: N_("the API key was refused"),
    FailureKind.ALLOWANCE_SPENT: N_("the API's monthly allowance is spent"),
    FailureKind.PROCESS_LOST: N_("the poll stopped before it ended"),
    FailureKind.UNEXPECTED: N_("an unexpected error (logged)"),
    FailureKind.UNREADABLE: N_("the data could not be read"),
}


def public_reason(t: Texts, kind: FailureKind | None, status: int | None = None) -> str:
    """What a server is shown of a failure: 'HTTP 500', 'timed out', never its text."""
    if kind is FailureKind.HTTP_STATUS and status is not None:
        return f"HTTP {status}"
    reason = PUBLIC_REASONS.get(kind or FailureKind.UNREADABLE)
    return t.gettext(reason or PUBLIC_REASONS[FailureKind.UNREADABLE])
