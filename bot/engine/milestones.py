"""Milestones: what a period's events mean against the title's stored history.

Pure, in two steps around one read of the store. `wanted` says which facts about the
past the events of a new period call for; the store answers them (`History`, read in
the poll's transaction, so a title's past is the one stored); `apply` turns the plain
events into their milestone kinds and adds the streaks:

- a rising #1 count past the title's best on the chart is a `NewPeak` ("its most yet");
- a new #1 on a worldwide chart is a `WorldwideNumberOne`;
- a new #1 in a market the title held before is a `BackAtNumberOne`;
- a #1 held for the 2nd, 3rd … period running in a market someone watches is a `Streak`.

Only a new period's events go through here, and each has a stable key, so a first poll
(a baseline, no events), a restart or a history rewrite never announces one again.
"""

from __future__ import annotations

from collections.abc import Iterable, Set
from dataclasses import dataclass, field, fields
from typing import Any

from bot.engine.events import (
    BackAtNumberOne,
    Event,
    FirstCharted,
    NewNumberOne,
    NewPeak,
    NumberOneCount,
    Streak,
    WorldwideNumberOne,
)
from bot.engine.model import WORLDWIDE, ChartPeriod, PeriodUnit

Pair = tuple[str, str]  # (title key, country)


@dataclass(frozen=True, slots=True)
class Wanted:
    """The facts about the past a period's events call for."""

    peaks: frozenset[str] = frozenset()  # titles whose #1 count rose: their best before
    returns: frozenset[Pair] = frozenset()  # new #1s: were they #1 there before?
    streaks: frozenset[Pair] = frozenset()  # #1 in both periods: since when?

    def __bool__(self) -> bool:
        return bool(self.peaks or self.returns or self.streaks)


@dataclass(frozen=True, slots=True)
class History:
    """What the store says of the past (periods before the one being added)."""

    best_counts: dict[str, int] = field(default_factory=dict)  # most #1 countries in a period
    last_number_one: dict[Pair, str] = field(default_factory=dict)  # last period at #1 there
    runs: dict[Pair, int] = field(default_factory=dict)  # periods at #1 up to the previous


def wanted(
    events: Iterable[Event], previous: ChartPeriod, current: ChartPeriod, markets: Set[str]
) -> Wanted:
    """`markets`: where streaks are worth working out (every market someone watches)."""
    peaks, returns = set(), set()
    for event in events:
        if type(event) is NumberOneCount and event.count > event.previous:
            peaks.add(event.title_key)
        elif type(event) is NewNumberOne and event.country != WORLDWIDE:
            returns.add((event.title_key, event.country))
    streaks = {
        (key, country)
        for country in markets
        if country != WORLDWIDE
        for key in _number_one(current, country) & _number_one(previous, country)
    }
    return Wanted(frozenset(peaks), frozenset(returns), frozenset(streaks))


def apply(
    events: list[Event],
    history: History,
    wanted: Wanted,
    current: ChartPeriod,
    unit: PeriodUnit,
    *,
    source: str,
) -> list[Event]:
    """The period's events with their milestones, streaks after the rest."""
    shown: list[Event] = []
    for event in events:
        if type(event) is NumberOneCount and event.title_key in wanted.peaks:
            best = history.best_counts.get(event.title_key, 0)
            if 0 < best < event.count:
                event = NewPeak(**_fields(event), previous_best=best)
        elif type(event) is NewNumberOne:
            if event.country == WORLDWIDE:
                event = WorldwideNumberOne(**_fields(event))
            else:
                last = history.last_number_one.get((event.title_key, event.country))
                if last is not None:
                    event = BackAtNumberOne(**_fields(event), last_number_one=last)
        shown.append(event)
    for key, country in sorted(wanted.streaks):
        run = history.runs.get((key, country), 0) + 1
        if run < 2:
            continue
        entry = current.countries[country][key]
        shown.append(
            Streak(
                **current.about(source, key, entry),
                country=country,
                rank=1,
                previous_rank=1,
                periods=run,
                unit=unit.value,
            )
        )
    return shown


def on_chart(standings: ChartPeriod, keys: Set[str]) -> set[str]:
    """Those of `keys` that chart in the period (anywhere)."""
    return {key for titles in standings.countries.values() for key in titles if key in keys}


def first_charted(standings: ChartPeriod, keys: Iterable[str], *, source: str) -> list[Event]:
    """'enters the charts' for titles charting for the first time anywhere (`keys`)."""
    events: list[Event] = []
    for key in sorted(keys):
        places = {c: t[key] for c, t in standings.countries.items() if key in t}
        if not places:
            continue
        best_country = min(places, key=lambda c: (places[c].rank, c))
        entry = places[best_country]
        events.append(
            FirstCharted(
                **standings.about(source, key, entry),
                best_rank=entry.rank,
                best_country=best_country,
                number_one_count=sum(1 for e in places.values() if e.rank == 1),
                charting_in=len(places),
            )
        )
    return events


def run_length(periods_at_number_one: Set[str], chart_periods: list[str]) -> int:
    """How many of the chart's periods, counting back from its last, the title held #1."""
    run = 0
    for period in reversed(chart_periods):
        if period not in periods_at_number_one:
            break
        run += 1
    return run


def _number_one(standings: ChartPeriod, country: str) -> set[str]:
    return {key for key, entry in standings.countries.get(country, {}).items() if entry.rank == 1}


def _fields(event: Event) -> dict[str, Any]:
    """An event's own fields, to build its milestone kind from."""
    return {f.name: getattr(event, f.name) for f in fields(event)}
