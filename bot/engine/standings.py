"""Where a title stands: the figures behind `chartbot rank` and `/rank`.

Pure: the title's stored ranks and each chart's list of periods in, one
`ChartStanding` per chart out. /rank's words need only the title's ranks in its latest
period on a chart and the chart's period before it, with a `TitleSpan` of all its
periods there (the store sums it up in SQL); its history picture needs every rank.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Protocol

from bot.engine.model import PeriodUnit, chart_heading


class RankLike(Protocol):
    """One stored rank of a title (the store's TitleRank), as standings read it."""

    @property
    def chart_id(self) -> int: ...
    @property
    def source(self) -> str: ...
    @property
    def chart(self) -> str: ...
    @property
    def period(self) -> str: ...
    @property
    def country(self) -> str: ...
    @property
    def rank(self) -> int: ...
    @property
    def weeks(self) -> int | None: ...
    @property
    def season(self) -> str | None: ...
    @property
    def unit(self) -> PeriodUnit | None: ...
    @property
    def label(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Backed:
    """A chance of #1, and how the chances its chart's latest walk-forward backtest gave in
    the same tenth (0 to 10%, 10 to 20%, …) fared: `came_true` of `given` (0: none given)."""

    chance: float
    given: int
    came_true: int


@dataclass(frozen=True, slots=True)
class Odds:
    """A title's chances in one market: of #1 in the period after the chart's latest, and
    within the horizon, each backed by the backtest of the chart's last `scored` periods."""

    next: Backed
    within: Backed
    horizon: int
    scored: int


@dataclass(slots=True)
class ChartStanding:
    """A title on one chart, in the latest period it charted in."""

    source: str
    chart: str
    period: str  # the title's latest period on this chart
    chart_latest: str  # the chart's latest period
    previous_period: str | None  # the chart's period before `period`
    number_one_count: int
    previous_number_one_count: int
    ranks: dict[str, int]  # country -> best rank in `period`
    previous_ranks: dict[str, int]  # country -> best rank in `previous_period`
    # country -> periods (weeks, days) in the chart as the source counts them; for a show
    # charting with several seasons, the longest-charting season's count
    in_chart: dict[str, int]
    best_rank: int
    best_rank_period: str  # the first period it held its best rank
    best_rank_countries: list[str]  # where it held it then
    periods_charted: int
    unit: PeriodUnit = PeriodUnit.WEEK
    # period -> country -> rank: every period, or (read for words only) `period` and
    # `previous_period`
    history: dict[str, dict[str, int]] = field(default_factory=dict)
    # The chart itself, in its latest period: how deep it lists, and how many countries.
    depth: int = 10
    chart_countries: int = 1
    chart_listed: frozenset[str] = frozenset()  # the countries it lists ("" when unknown)
    best_rank_periods: int = 1  # periods it held its best rank, somewhere
    first_period: str = ""  # the first period it charted in
    # The seasons (parts) the title charted with: its figures count them together.
    seasons: tuple[str, ...] = ()
    label: str = ""  # the source as people read it ("Netflix"), "": its name
    chart_id: int = 0
    # Market -> its chances of #1 (bot/forecast): only on a chart whose backtest shows skill.
    chances: dict[str, Odds] = field(default_factory=dict)

    @property
    def heading(self) -> str:
        """'Netflix · TV Shows' (a chart named as its source: its name once)."""
        return chart_heading(self.label or self.source, self.chart)

    @property
    def current(self) -> bool:
        return self.period == self.chart_latest

    @property
    def number_ones(self) -> list[str]:
        return sorted(c for c, r in self.ranks.items() if r == 1)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "source_label": self.label or self.source,
            "chart": self.chart,
            "period": self.period,
            "current": self.current,
            "chart_latest_period": self.chart_latest,
            "previous_period": self.previous_period,
            "number_one_count": self.number_one_count,
            "previous_number_one_count": self.previous_number_one_count,
            "number_one_countries": self.number_ones,
            "ranks": dict(sorted(self.ranks.items())),
            "previous_ranks": dict(sorted(self.previous_ranks.items())),
            "in_chart": dict(sorted(self.in_chart.items())),
            "best_rank": self.best_rank,
            "best_rank_period": self.best_rank_period,
            "best_rank_countries": self.best_rank_countries,
            "best_rank_periods": self.best_rank_periods,
            "periods_charted": self.periods_charted,
            "period_unit": str(self.unit),
            "seasons": list(self.seasons),
            "chances": {
                market: {
                    "horizon": odds.horizon,
                    "backtest_periods": odds.scored,
                    **{
                        target: {
                            "chance": round(b.chance, 4),
                            "backtest_given": b.given,
                            "backtest_came_true": b.came_true,
                        }
                        for target, b in (("next", odds.next), ("within", odds.within))
                    },
                }
                for market, odds in sorted(self.chances.items())
            },
        }


@dataclass(frozen=True, slots=True)
class ChartShape:
    """A chart in its latest period: its deepest rank and the countries it lists."""

    depth: int
    countries: int
    listed: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class TitleSpan:
    """A title's whole stay on one chart, summed up."""

    first_period: str
    periods_charted: int
    best_rank: int
    best_rank_period: str  # the first period it held its best rank
    best_rank_countries: tuple[str, ...]  # where it held it then
    best_rank_periods: int  # periods it held its best rank, somewhere
    seasons: tuple[str, ...]  # the seasons (parts) it charted with, by when they first did


@dataclass(frozen=True, slots=True)
class PeriodBest:
    """A title's best rank on one chart in one period, and the seasons (parts) it charted
    with then, by name."""

    period: str
    rank: int
    seasons: tuple[str, ...] = ()


def span_of_periods(periods: Sequence[PeriodBest]) -> TitleSpan:
    """The span of a title's periods on one chart, oldest first, but for the countries of
    its best rank (left empty: they are read for its first best period alone)."""
    best = min(p.rank for p in periods)
    at_best = [p.period for p in periods if p.rank == best]
    return TitleSpan(
        first_period=periods[0].period,
        periods_charted=len(periods),
        best_rank=best,
        best_rank_period=at_best[0],
        best_rank_countries=(),
        best_rank_periods=len(at_best),
        seasons=tuple(dict.fromkeys(season for p in periods for season in p.seasons)),
    )


def span_of(ranks: Sequence[RankLike]) -> TitleSpan:
    """The span of a title's every rank on one chart."""
    by_period: dict[str, list[RankLike]] = {}
    for r in ranks:
        by_period.setdefault(r.period, []).append(r)
    span = span_of_periods(
        [
            PeriodBest(
                period,
                min(r.rank for r in held),
                tuple(sorted({r.season for r in held if r.season})),
            )
            for period, held in sorted(by_period.items())
        ]
    )
    at_best = by_period[span.best_rank_period]
    countries = sorted({r.country for r in at_best if r.rank == span.best_rank})
    return replace(span, best_rank_countries=tuple(countries))


def standings(
    ranks: Sequence[RankLike],
    chart_periods: Mapping[int, Sequence[str]],
    shapes: Mapping[int, ChartShape] | None = None,
    spans: Mapping[int, TitleSpan] | None = None,
) -> list[ChartStanding]:
    """One standing per chart the title appears on, most recently charted first.

    Without `spans`, `ranks` are all the title's ranks; with them, only those of its
    latest period on each chart and the chart's period before, and `spans` sum up all
    its periods there. Charts that tie come in the order they were first charted."""
    by_chart: dict[int, list[RankLike]] = {}
    for rank in ranks:
        by_chart.setdefault(rank.chart_id, []).append(rank)
    found = [
        _standing(
            chart_ranks,
            chart_periods.get(chart_id, ()),
            (shapes or {}).get(chart_id),
            spans[chart_id] if spans is not None else span_of(chart_ranks),
        )
        for chart_id, chart_ranks in by_chart.items()
    ]
    found.sort(key=lambda s: (s.first_period, s.source, s.chart))  # ties stay in this order
    found.sort(key=lambda s: (s.period, s.number_one_count, -s.best_rank), reverse=True)
    return found


def _standing(
    ranks: list[RankLike], periods: Sequence[str], shape: ChartShape | None, span: TitleSpan
) -> ChartStanding:
    history: dict[str, dict[str, int]] = {}
    weeks: dict[str, dict[str, int]] = {}
    for r in ranks:
        held = history.setdefault(r.period, {})
        if r.country not in held or r.rank < held[r.country]:
            held[r.country] = r.rank
        if r.weeks is not None:
            counted = weeks.setdefault(r.period, {})
            counted[r.country] = max(counted.get(r.country, 0), r.weeks)
    latest = max(history)
    known = sorted(set(periods) | set(history))
    index = known.index(latest)
    previous = known[index - 1] if index else None
    first = ranks[0]
    return ChartStanding(
        chart_id=first.chart_id,
        source=first.source,
        chart=first.chart,
        period=latest,
        chart_latest=known[-1],
        previous_period=previous,
        number_one_count=_ones(history[latest]),
        previous_number_one_count=_ones(history.get(previous, {})) if previous else 0,
        ranks=history[latest],
        previous_ranks=history.get(previous, {}) if previous else {},
        in_chart=weeks.get(latest, {}),
        best_rank=span.best_rank,
        best_rank_period=span.best_rank_period,
        best_rank_countries=list(span.best_rank_countries),
        periods_charted=span.periods_charted,
        unit=first.unit or unit_of(known),
        history=history,
        seasons=span.seasons if len(span.seasons) > 1 else (),
        depth=shape.depth if shape else max(r.rank for r in ranks),
        chart_countries=shape.countries if shape else len({r.country for r in ranks}),
        chart_listed=shape.listed if shape else frozenset(),
        best_rank_periods=span.best_rank_periods,
        first_period=span.first_period,
        label=first.label,
    )


# The share of a chart's gaps that must be its usual one: a rare other gap (a week the
# chart was not published, the day it moved to: the Hot 100's twelve days between
# 1961-12-25 and 1962-01-06, in 3,442 gaps) does not make a weekly chart one of periods.
USUAL = 0.9


def unit_of(periods: Sequence[str]) -> PeriodUnit:
    """For a chart whose source does not say: weeks when its periods are 7 days apart,
    days when 1, else periods (judged by the usual gap, see USUAL)."""
    if len(periods) < 2:
        return PeriodUnit.WEEK
    gaps = Counter(
        (date.fromisoformat(b) - date.fromisoformat(a)).days for a, b in itertools.pairwise(periods)
    )
    [(gap, count)] = gaps.most_common(1)
    if count < USUAL * (len(periods) - 1):
        return PeriodUnit.PERIOD
    return {7: PeriodUnit.WEEK, 1: PeriodUnit.DAY}.get(gap, PeriodUnit.PERIOD)


def _ones(held: Mapping[str, int]) -> int:
    return sum(1 for rank in held.values() if rank == 1)
