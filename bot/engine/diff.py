"""Diffing one chart's standings in two consecutive periods into events.

Pure: standings in, events out. Only countries charted in both periods are
compared per country, so a country a source starts covering shows up as
new #1s (it counts) but never floods "entered" events. A country listed at #1
only, in either period, gives new #1s only. Climbs, falls, entries
and exits are worked out for the titles someone follows (`follow`), the only
ones they are ever sent for; number-one counts and new #1s for every title.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass

from bot.engine.events import (
    CountryEvent,
    Entered,
    Event,
    Left,
    Moved,
    NewNumberOne,
    NumberOneCount,
)
from bot.engine.model import ChartPeriod, Entry


def diff(
    previous: ChartPeriod,
    current: ChartPeriod,
    *,
    source: str,
    follow: Container[str] | None = None,
) -> list[Event]:
    """Events for `current` compared with `previous` (the period before it, same chart).

    `follow`: the title keys to work out per-country moves for (None: every title).
    """
    if previous.chart != current.chart:
        raise ValueError(f"cannot diff chart {previous.chart!r} against {current.chart!r}")
    if previous.period >= current.period:
        raise ValueError(f"period {current.period} does not follow {previous.period}")
    return [
        *_number_one_counts(previous, current, source),
        *_country_moves(previous, current, source, follow),
    ]


def _number_one_counts(
    previous: ChartPeriod, current: ChartPeriod, source: str
) -> list[NumberOneCount]:
    before, now = previous.number_ones(), current.number_ones()
    events = []
    for key in before.keys() | now.keys():
        was, held = before.get(key, set()), now.get(key, set())
        if was == held:
            continue
        entry = current.entry(key) or previous.entry(key)
        assert entry is not None  # the key came from one of the two periods
        events.append(
            NumberOneCount(
                **current.about(source, key, entry),
                count=len(held),
                previous=len(was),
                countries=tuple(sorted(held)),
                gained=tuple(sorted(held - was)),
                lost=tuple(sorted(was - held)),
            )
        )
    events.sort(key=lambda e: (-e.count, e.previous, e.title_key))
    return events


def _country_moves(
    previous: ChartPeriod, current: ChartPeriod, source: str, follow: Container[str] | None
) -> list[Event]:
    events: list[Event] = []
    for country in sorted(previous.countries.keys() & current.countries.keys()):
        before, now = previous.countries[country], current.countries[country]
        keys = before.keys() | now.keys()
        moves = follow
        top_only = _top_only(before) or _top_only(now)
        if top_only:
            # Known only at #1 (a world page's table of each country's #1): a new #1 is
            # all it can say, never who left the chart or moved down it.
            keys, moves = {k for k in now if now[k].rank == 1}, frozenset()
        elif follow is not None:
            keys = {k for k in keys if k in follow or (k in now and now[k].rank == 1)}
        for key in sorted(keys, key=lambda k: _order(now, before, k)):
            was, held = before.get(key), now.get(key)
            entry = held or was
            assert entry is not None

            move = _Move(source, current, key, entry, country, held, was)
            if held and held.rank == 1 and (was is None or was.rank != 1):
                events.append(move.new_number_one(top_only))
            if moves is not None and key not in moves:
                continue
            if was is None:
                events.append(move.event(Entered))
            elif held is None:
                events.append(move.event(Left))
            elif held.rank != was.rank:
                events.append(move.event(Moved))
    return events


@dataclass(frozen=True, slots=True)
class _Move:
    """A title's places in one country, in two consecutive periods."""

    source: str
    current: ChartPeriod
    key: str
    entry: Entry
    country: str
    held: Entry | None
    was: Entry | None

    def event(self, kind: type[CountryEvent]) -> CountryEvent:
        return kind(
            **self.current.about(self.source, self.key, self.entry),
            country=self.country,
            rank=self.held.rank if self.held else None,
            previous_rank=self.was.rank if self.was else None,
        )

    def new_number_one(self, top_only: bool) -> NewNumberOne:
        return NewNumberOne(
            **self.current.about(self.source, self.key, self.entry),
            country=self.country,
            rank=1,
            previous_rank=self.was.rank if self.was else None,
            top_only=top_only,
        )


def _top_only(titles: dict[str, Entry]) -> bool:
    """A country's chart listed at #1 only."""
    return len(titles) == 1 and next(iter(titles.values())).rank == 1


def _order(now: dict[str, Entry], before: dict[str, Entry], key: str) -> tuple[int, int, str]:
    """Titles on the chart now by rank, then those that left, by their old rank."""
    if key in now:
        return (0, now[key].rank, key)
    return (1, before[key].rank, key)
