"""What a forecast learns from and is scored on: for each period of a chart, each market
and each title that could be #1 there in the period after it, its features then and what
came of it. Pure: ranks in, examples out.

A title is a candidate in a market when it is in the market's top ranks (`TOP`), or
when it is #1 in another market of the same chart, or in the top three of SEVERAL other
markets: half to two-thirds of new #1s were not in that market's top ten the period
before, and a title #1 in 40 countries tends to take the rest. (A local hit in the top
three of one or two markets is no candidate elsewhere: on a chart of 70 regions such
hits made 190 candidates a market.)
"""

from __future__ import annotations

import heapq
from array import array
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from operator import itemgetter

TOP = 20  # a deep chart's candidates: its top twenty (a #1 from lower down is rare)
SEVERAL = 3  # markets whose top three make a title a candidate where it ranks lower
CAP = 30  # runs and ages are counted up to this many periods
DEPTH = 50  # ranks read: below this a title is as good as not charting (Spotify lists 200)
# About as many examples as a model learns from (memory: 200,000 are about 90 MB with
# their features; a fit of them takes seconds). A chart of many markets learns from fewer
# periods than the config's window. No more than scikit-learn bins features from as they
# are: given more, it copies a sample of 200,000 first (37 MB more at each fit's peak).
EXAMPLES = 200_000


def learning_window(window: int, per_period: int) -> int:
    """The periods a model learns from: the config's window, fewer where that many periods
    of `per_period` examples (all a source's charts together) would hold more than about
    EXAMPLES examples."""
    return max(10, min(window, EXAMPLES // max(1, per_period)))


def candidates_per_period(markets: int, leaders: int) -> int:
    """About how many candidates a chart has a period (the examples it makes): each
    market's top ranks, and on a chart of several markets the titles #1 somewhere
    (`leaders`, counted in its latest period) in each market where they rank lower."""
    return markets * (TOP + (leaders if markets > 1 else 0))


# Market -> title id -> rank, for one period.
Standings = dict[str, dict[int, int]]

FEATURES = (
    "charting",  # 1 when the title charts in this market now
    "rank",  # its rank here now (the chart's depth + 1 when it does not chart here)
    "previous_rank",  # here, the period before (depth + 1 when it did not chart)
    "rank_two_before",  # here, two periods before
    "best_recent",  # its best rank here over the last four periods
    "run_here",  # periods in a row it has charted here
    "reign",  # periods in a row it has been #1 here (0 when it is not #1)
    "incumbent_reign",  # periods in a row this market's #1 has been #1
    "incumbent_run",  # periods in a row this market's #1 has charted here
    "age",  # periods since the title first charted anywhere on this chart
    "ones_elsewhere",  # the share of the chart's other markets where it is #1 now
    "ones_elsewhere_change",  # that share now less the period before
    "top3_elsewhere",  # the share of the other markets where it is in the top three
    "top10_share",  # the share of the chart's markets where it is in the top ten
    "top10_share_change",
    "incumbent_age",  # periods since this market's #1 first charted anywhere
    "incumbent_ones_change",  # the change in the share of other markets where the #1 is #1
    "rival_ones",  # the most other markets any other candidate here is #1 in (a share)
    "ones_order",  # 1 + how many other candidates here are #1 in more other markets
    "points",  # its mean points across the chart's markets (depth + 1 - rank; 0 off chart)
    "points_change",  # those points now less the period before, over the points before
    "incumbent_points_change",
    "weekday",  # of the period (0 Monday): a daily chart's releases come on Fridays
    "run_entry",  # the rank it entered this market's chart at, this run
    "run_best",  # its best rank here this run
    "since_best",  # periods since it first reached that best
    "churn",  # titles in this market's chart now that were not the period before
    "top_churn",  # the same, in its top ranks (TOP)
    "top_climb",  # the most places a title in this market's top ten climbed since then
    "runner_up_before",  # this market's #2's rank here the period before
)


@dataclass(slots=True)
class ChartHistory:
    """A chart's ranks, period by period (oldest first)."""

    chart: str = ""
    periods: list[str] = field(default_factory=list)
    standings: list[Standings] = field(default_factory=list)
    # Its titles that charted on it before its first period, when it is read from a
    # period on: their ages count from further back (a season back after a year away is
    # no debut), as they do in a read of every period.
    earlier: frozenset[int] = frozenset()

    @classmethod
    def of(cls, chart: str, ranks: Iterable[tuple[str, str, int, int]]) -> ChartHistory:
        """From (period, market, rank, title id) rows, ordered by period."""
        history = cls(chart)
        for period, market, rank, title in ranks:
            if not history.periods or history.periods[-1] != period:
                history.periods.append(period)
                history.standings.append({})
            held = history.standings[-1].setdefault(market, {})
            held[title] = min(rank, held.get(title, rank))  # a title's best line there
        return history

    def outcomes(self, period: str, market: str, title: int, horizon: int) -> bool | None:
        """Whether the title was #1 in `market` within the `horizon` periods after `period`:
        None until they are all stored (or when the market was missing from one of them
        and the title #1 in none of the others), or when `period` is not in the history."""
        if period not in self.periods:
            return None
        index = self.periods.index(period)
        later = self.standings[index + 1 : index + 1 + horizon]
        if len(later) < horizon:
            return None
        return within_horizon(_number_one_in(later, market, title))


@dataclass(frozen=True, slots=True)
class Example:
    """One title in one market at one period, and what came of it. An outcome is known
    (not None) once its period is stored: `next_period` for the period after, the
    horizon's last period (`horizon_end`) for "within the horizon"."""

    chart: str
    period: str  # the period the features are of
    market: str
    title: int
    rank: int | None  # its rank here in `period` (None: not charting here)
    features: array[float]  # FEATURES, in order (an array: a third of a tuple's memory)
    next_period: str | None  # the period predicted (None: not stored yet)
    horizon_end: str | None  # the horizon's last period (None: not all of it stored yet)
    next_one: bool | None  # #1 here in the next period
    within: bool | None  # #1 here in any period of the horizon


@dataclass(frozen=True, slots=True)
class _Spread:
    """Where each title stands across a period's markets."""

    ones: dict[int, set[str]]
    top3: dict[int, set[str]]
    top10: dict[int, int]
    points: dict[int, float]
    depth: int  # the period's deepest rank

    @classmethod
    def of(cls, standings: Standings) -> _Spread:
        ones: dict[int, set[str]] = {}
        top3: dict[int, set[str]] = {}
        top10: dict[int, int] = {}
        points: dict[int, float] = {}
        depth = max((r for held in standings.values() for r in held.values()), default=1)
        for market, held in standings.items():
            for title, rank in held.items():
                if rank == 1:
                    ones.setdefault(title, set()).add(market)
                if rank <= 3:
                    top3.setdefault(title, set()).add(market)
                if rank <= 10:
                    top10[title] = top10.get(title, 0) + 1
                points[title] = points.get(title, 0.0) + (depth + 1 - rank) / len(standings)
        return cls(ones, top3, top10, points, depth)


@dataclass(slots=True)
class _Runs:
    """Runs carried from period to period: (market, title) -> periods charted in a row,
    periods at #1 in a row; title -> the period index it first charted."""

    charted: dict[tuple[str, int], int] = field(default_factory=dict)
    reigns: dict[tuple[str, int], int] = field(default_factory=dict)
    first: dict[int, int] = field(default_factory=dict)

    def advance(self, index: int, standings: Standings) -> _Runs:
        charted: dict[tuple[str, int], int] = {}
        reigns: dict[tuple[str, int], int] = {}
        for market, held in standings.items():
            for title, rank in held.items():
                key = (market, title)
                charted[key] = min(CAP, self.charted.get(key, 0) + 1)
                if rank == 1:
                    reigns[key] = min(CAP, self.reigns.get(key, 0) + 1)
                self.first.setdefault(title, index)
        return _Runs(charted, reigns, self.first)


def all_examples(history: ChartHistory, horizon: int) -> Iterator[list[Example]]:
    """The examples of each period in turn (one list per period, oldest first)."""
    # A title that charted before the read: as old as can be (CAP from index CAP - 1 on).
    runs = _Runs(first=dict.fromkeys(history.earlier, -1))
    before = _Spread({}, {}, {}, {}, 0)  # the period before
    # The deepest rank of the last CAP + 1 periods: a later, deeper period must not change
    # a period's features, nor may an earlier one than any read holds.
    depths: deque[int] = deque(maxlen=CAP + 1)
    for index, standings in enumerate(history.standings):
        runs = runs.advance(index, standings)
        spread = _Spread.of(standings)
        depths.append(spread.depth)
        yield list(_examples(history, index, horizon, runs, before, spread, max(depths)))
        before = spread  # only the period before is looked back on: the rest is let go


def examples_by_period(
    histories: Sequence[ChartHistory], horizon: int
) -> Iterator[tuple[str, list[Example]]]:
    """The examples of every chart, a period at a time (oldest first; a period's charts in
    the order given; a period with none left out), made as they are asked for."""
    made = (zip(h.periods, all_examples(h, horizon), strict=True) for h in histories)
    for period, together in groupby(heapq.merge(*made, key=itemgetter(0)), key=itemgetter(0)):
        examples = [e for _, held in together for e in held]
        if examples:
            yield period, examples


def _examples(
    history: ChartHistory,
    index: int,
    horizon: int,
    runs: _Runs,
    before: _Spread,  # the period before
    spread: _Spread,  # this one
    depth: int,
) -> Iterator[Example]:
    now = history.standings[index]
    markets = len(now)
    others = max(1, markets - 1)
    missing = float(depth + 1)
    later = history.standings[index + 1 : index + 1 + horizon]
    elsewhere = (
        set(spread.ones) | {t for t, held in spread.top3.items() if len(held) >= SEVERAL}
        if markets > 1
        else set()
    )

    def rank_at(back: int, market: str, title: int) -> float:
        if index - back < 0:
            return missing
        return float(history.standings[index - back].get(market, {}).get(title, missing))

    def ones_share(held: _Spread, title: int, market: str) -> float:
        return len(held.ones.get(title, set()) - {market}) / others

    def age(title: int) -> float:
        return float(min(CAP, index - runs.first.get(title, index)))

    weekday = float(_weekday(history.periods[index]))

    def growth(title: int) -> float:
        was = before.points.get(title, 0.0)
        return (spread.points.get(title, 0.0) - was) / max(was, 0.5)

    for market in sorted(now):
        here = now[market]
        incumbent = next((t for t, r in here.items() if r == 1), None)
        candidates = sorted({t for t, r in here.items() if r <= TOP} | elsewhere)
        ones = {t: ones_share(spread, t, market) for t in candidates}
        strongest = sorted(ones.values(), reverse=True)
        race = _race(here, history.standings[index - 1].get(market, {}) if index else {}, missing)
        for title in candidates:
            rank = here.get(title)
            ranks = [rank_at(back, market, title) for back in range(4)]
            top10 = spread.top10.get(title, 0) / markets
            leads = strongest[0] == ones[title]
            rival = (strongest[1] if len(strongest) > 1 else 0.0) if leads else strongest[0]
            features = array(
                "d",
                (
                    1.0 if rank is not None else 0.0,
                    ranks[0],
                    ranks[1],
                    ranks[2],
                    min(ranks),
                    float(runs.charted.get((market, title), 0)),
                    float(runs.reigns.get((market, title), 0)),
                    float(runs.reigns.get((market, incumbent), 0)) if incumbent else 0.0,
                    float(runs.charted.get((market, incumbent), 0)) if incumbent else 0.0,
                    age(title),
                    ones[title],
                    ones[title] - ones_share(before, title, market),
                    len(spread.top3.get(title, set()) - {market}) / others,
                    top10,
                    top10 - before.top10.get(title, 0) / max(1, len(history.standings[index - 1]))
                    if index > 0
                    else 0.0,
                    age(incumbent) if incumbent else 0.0,
                    ones_share(spread, incumbent, market) - ones_share(before, incumbent, market)
                    if incumbent
                    else 0.0,
                    rival,
                    float(1 + sum(1 for v in strongest if v > ones[title])),
                    spread.points.get(title, 0.0),
                    growth(title),
                    growth(incumbent) if incumbent else 0.0,
                    weekday,
                    *_run(history.standings, index, market, title, runs, missing),
                    *race,
                ),
            )
            outcomes = _number_one_in(later, market, title)
            complete = len(outcomes) == horizon
            yield Example(
                chart=history.chart,
                period=history.periods[index],
                market=market,
                title=title,
                rank=rank,
                features=features,
                next_period=history.periods[index + 1] if outcomes else None,
                horizon_end=history.periods[index + horizon] if complete else None,
                next_one=outcomes[0] if outcomes else None,
                within=within_horizon(outcomes) if complete else None,
            )


def _run(
    standings: list[Standings], index: int, market: str, title: int, runs: _Runs, missing: float
) -> tuple[float, ...]:
    """run_entry, run_best, since_best: how a title's run here began and peaked (a title
    entering at #1 tends to leave it soon; one that climbed there, to stay), read over its
    run's last CAP periods at most (`runs.charted`): the bot reads that many periods before
    the ones it learns from, so a longer run would say something else there than in a
    backtest."""
    run = runs.charted.get((market, title), 0)
    if not run:  # not charting here
        return missing, missing, 0.0
    ranks = [standings[index - back][market][title] for back in range(run)]  # now first
    best = min(ranks)
    return float(ranks[-1]), float(best), float(run - 1 - ranks[::-1].index(best))


def _race(here: dict[int, int], before: dict[int, int], missing: float) -> tuple[float, ...]:
    """churn, top_churn, top_climb, runner_up_before: how much a market's chart moved
    since the period before, and where its #2 came from."""
    climbs = [before.get(t, missing) - r for t, r in here.items() if r <= 10]
    runner_up = next((t for t, r in here.items() if r == 2), None)
    return (
        float(sum(1 for t in here if t not in before)),
        float(sum(1 for t, r in here.items() if r <= TOP and t not in before)),
        max(climbs, default=0.0),
        float(before.get(runner_up, missing)) if runner_up is not None else missing,
    )


def _number_one_in(later: list[Standings], market: str, title: int) -> list[bool | None]:
    """For each of these periods, whether the title is #1 in `market` (None: the market is
    missing from that period)."""
    return [None if market not in held else held[market].get(title) == 1 for held in later]


def within_horizon(outcomes: list[bool | None]) -> bool | None:
    """#1 in a period of the horizon; unknown when the market was missing from one of
    them and it was #1 in none of the others."""
    if any(outcomes):
        return True
    return None if None in outcomes else False


def _weekday(period: str) -> int:
    try:
        return date.fromisoformat(period[:10]).weekday()
    except ValueError:
        return 0
