"""Where a title stands on one chart, as (label, value) lines for /rank's embed and
`chartbot rank`'s table, in any language."""

from __future__ import annotations

from collections.abc import Sequence

from bot import countries
from bot.alerts.words import backing, chances, countries_count, country_names, periods
from bot.engine.standings import ChartStanding
from bot.i18n import Texts


def standing_heading(s: ChartStanding, t: Texts) -> str:
    """'Netflix · TV · January 31, 2022', with '(last charted; …)' when it is not the latest."""
    heading = f"{s.heading} · {t.date(s.period)}"
    if s.current:
        return heading
    return t.gettext(
        "{heading} (last charted; the chart is at {date})",
        heading=heading,
        date=t.date(s.chart_latest),
    )


def standing_rows(s: ChartStanding, markets: Sequence[str], t: Texts) -> list[tuple[str, str]]:
    """(label, value) lines saying where a title stands on one chart."""
    charted = sorted(set(s.ranks) | set(s.previous_ranks))
    rows = []
    # Counts of countries, on a chart of several (one market's rank says it all). The
    # title's own countries count too: a chart's latest period may hold one country so far
    # (a day of per-country files imported one at a time).
    places = set(charted) - countries.GLOBAL_CODES
    if places and (s.chart_countries > 1 or len(places) > 1):
        count = countries_count(t, s.number_one_count)
        if s.previous_period:
            change = t.signed(s.number_one_count - s.previous_number_one_count)
            count = t.gettext(
                "{countries} ({change} since {date})",
                countries=count,
                change=change,
                date=t.date(s.previous_period),
            )
        rows.append((t.gettext("#1 in"), count))
        if s.number_ones:
            rows.append(("", country_names(t, s.number_ones, 12)))
        rows.append((t.gettext("charting in"), countries_count(t, len(s.ranks))))
    # The markets people watch, and on a chart of few countries, those countries.
    shown = list(markets) + [c for c in charted if c not in markets and len(charted) <= 3]
    rows += [(t.country_label(market), market_text(s, market, t)) for market in shown]
    rows.append(
        (
            t.gettext("best rank"),
            t.gettext(
                "#{rank} first on {date} in {countries}, {held} at #{rank}",
                rank=s.best_rank,
                date=t.date(s.best_rank_period),
                countries=country_names(t, s.best_rank_countries, 5),
                held=periods(t, s.best_rank_periods, s.unit),
            ),
        )
    )
    held = periods(t, s.periods_charted, s.unit)
    since = t.date(s.first_period or s.period)
    if s.seasons:
        stored = t.ngettext(
            "{periods} since {date} ({count} season or part together)",
            "{periods} since {date} ({count} seasons or parts together)",
            len(s.seasons),
            periods=held,
            date=since,
        )
    else:
        stored = t.gettext("{periods} since {date}", periods=held, date=since)
    rows.append((t.gettext("stored here"), stored))
    return rows


def market_text(s: ChartStanding, market: str, t: Texts) -> str:
    """'#2 (was #3) · 3 weeks in the chart by Netflix's count', 'not charting (was #9)', with
    its chances of #1 on a line of their own where the chart's forecasts are shown."""
    return _rank_text(s, market, t) + _chances(s, market, t)


def _rank_text(s: ChartStanding, market: str, t: Texts) -> str:
    rank = s.ranks.get(market)
    before = s.previous_ranks.get(market)
    if rank is None and before is None and s.chart_listed and market not in s.chart_listed:
        return t.gettext("not a country this chart lists")
    if rank is None:
        if before:
            return t.gettext("not charting (was #{rank})", rank=before)
        return t.gettext("not charting")
    if before and before != rank:
        text = t.gettext("#{rank} (was #{previous})", rank=rank, previous=before)
    elif before is None and s.previous_period:
        text = t.gettext("#{rank} (new)", rank=rank)
    else:
        text = t.gettext("#{rank}", rank=rank)
    weeks = s.in_chart.get(market)
    if weeks:
        text += " · " + t.gettext(
            "{periods} in the chart by {source}'s count",
            periods=periods(t, weeks, s.unit),
            source=s.label or s.source,
        )
    return text


def _chances(s: ChartStanding, market: str, t: Texts) -> str:
    """'\n#1 next week: 38% · within 3 weeks: 71%' where the chart's forecasts are shown,
    and below it how such chances fared in the chart's backtest."""
    odds = s.chances.get(market)
    if odds is None:
        return ""
    said = chances(t, s.unit, odds.horizon, next=odds.next.chance, within=odds.within.chance)
    return f"\n{said}\n{backing(t, odds, s.unit)}"
