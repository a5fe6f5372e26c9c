"""On-course calls: when a forecast becomes an alert, and how a call is scored.

A title is "on course for #1" in a market when its chance of #1 within the horizon
reaches the config's `alert_at` while it is not #1 there. It is called once a run: the
call is carried from one forecast to the next while the title stays a candidate in that
market (bot/forecast/examples.py says who is) and does not hold #1 there; a
title that drops out of the candidates, or takes #1, starts a new run. A call comes
true when the title is #1 there in any period of the horizon after it, which is known
once the horizon's periods are stored (the same outcome a backtest scores), whether or
not the title is still a candidate then.

Pure: forecasts and histories in, calls and their outcomes out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from bot.forecast.examples import ChartHistory

# (chart, market, title id): one candidate in one market.
Key = tuple[str, str, int]


@dataclass(frozen=True, slots=True)
class Chance:
    """A candidate's chances after `period`, and the period it was called in this run."""

    chart: str
    market: str
    title: int
    period: str
    rank: int | None  # its rank there in `period` (None: not charting there)
    next: float
    within: float
    called: str | None = None

    @property
    def key(self) -> Key:
        return (self.chart, self.market, self.title)


@dataclass(frozen=True, slots=True)
class Call:
    """An on-course call: made after `period` with this chance within the horizon."""

    chart: str
    market: str
    title: int
    period: str
    chance: float

    @property
    def key(self) -> Key:
        return (self.chart, self.market, self.title)


def carry_calls(
    chances: Iterable[Chance],
    before: Mapping[Key, str | None],
    *,
    alert_at: float,
    callable_charts: frozenset[str],
) -> tuple[list[Chance], list[Call]]:
    """The new chances with each run's call carried (`before`: each key's call in the last
    forecast), and the calls to make now: a candidate not #1, at or above `alert_at`
    within the horizon, on a chart whose forecasts are shown, not called in this run."""
    kept: list[Chance] = []
    calls: list[Call] = []
    for chance in chances:
        called = None if chance.rank == 1 else before.get(chance.key)
        if (
            called is None
            and chance.rank != 1
            and chance.within >= alert_at
            and chance.chart in callable_charts
        ):
            called = chance.period
            calls.append(
                Call(chance.chart, chance.market, chance.title, chance.period, chance.within)
            )
        kept.append(replace(chance, called=called))
    return kept, calls


def outcomes(
    open_calls: Sequence[Call], histories: Iterable[ChartHistory], horizon: int
) -> dict[Call, bool]:
    """Each open call's outcome where it is known: #1 there within the horizon after its
    period, read from the chart's history (a call whose market is missing from a period of
    its horizon, or whose period the history no longer holds, stays open)."""
    charts = {history.chart: history for history in histories}
    found: dict[Call, bool] = {}
    for call in open_calls:
        history = charts.get(call.chart)
        if history is None:
            continue
        came = history.outcomes(call.period, call.market, call.title, horizon)
        if came is not None:
            found[call] = came
    return found
