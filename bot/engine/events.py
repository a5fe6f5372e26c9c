"""What changed on a chart between two periods.

Every event has a stable key (source, chart, period, kind, title, country):
the same change is the same event however many times it is computed, so the
store can keep it, and deliver it, exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True)
class Event:
    kind: ClassVar[str] = ""

    source: str
    chart: str
    period: str
    title_key: str
    title: str
    artist: str | None

    @property
    def country_part(self) -> str:
        return ""

    @property
    def key(self) -> str:
        parts = (self.source, self.chart, self.period, self.kind, self.title_key, self.country_part)
        return "|".join(parts)

    def to_json(self) -> dict[str, Any]:
        """The event as plain data, with its kind under 'type'."""
        data: dict[str, Any] = {"type": self.kind}
        for name in _field_names(type(self)):
            value = getattr(self, name)
            if name == "title_key" or (name == "artist" and value is None):
                continue
            data[name] = list(value) if isinstance(value, tuple) else value
        return data


@dataclass(frozen=True, slots=True)
class NumberOneCount(Event):
    """A title's set of #1 countries changed: 'now #1 in 46 countries (+2)'."""

    kind: ClassVar[str] = "number_one_count"

    count: int = 0
    previous: int = 0
    countries: tuple[str, ...] = ()
    gained: tuple[str, ...] = ()
    lost: tuple[str, ...] = ()

    @property
    def change(self) -> int:
        return self.count - self.previous


@dataclass(frozen=True, slots=True)
class CountryEvent(Event):
    """An event about a title in one country."""

    country: str = ""
    rank: int | None = None
    previous_rank: int | None = None

    @property
    def country_part(self) -> str:
        return self.country


@dataclass(frozen=True, slots=True)
class NewNumberOne(CountryEvent):
    """A new #1 in a watched market: 'takes #1 in United States (was #2)'."""

    kind: ClassVar[str] = "new_number_one"

    # The country's chart lists its #1 only (a world page's table): where the title was
    # before is not known, so it is not said.
    top_only: bool = False


@dataclass(frozen=True, slots=True)
class Entered(CountryEvent):
    kind: ClassVar[str] = "entered"


@dataclass(frozen=True, slots=True)
class Left(CountryEvent):
    kind: ClassVar[str] = "left"


@dataclass(frozen=True, slots=True)
class Moved(CountryEvent):
    kind: ClassVar[str] = "moved"

    @property
    def climbed(self) -> bool:
        return (
            self.rank is not None
            and self.previous_rank is not None
            and (self.rank < self.previous_rank)
        )


# -- milestones: worked out from the stored history (bot/engine/milestones.py) ---------------


@dataclass(frozen=True, slots=True)
class NewPeak(NumberOneCount):
    """A rising #1 count past the title's best on the chart: '... (+34) — its most yet'."""

    kind: ClassVar[str] = "new_peak"

    previous_best: int = 0  # the most countries it was #1 in before, in any stored period


@dataclass(frozen=True, slots=True)
class BackAtNumberOne(NewNumberOne):
    """A #1 in a market the title held before, then lost: 'is back at #1 in ...'."""

    kind: ClassVar[str] = "back_at_number_one"

    last_number_one: str = ""  # the last period it was #1 there, before this run


@dataclass(frozen=True, slots=True)
class WorldwideNumberOne(NewNumberOne):
    """A title takes #1 on a worldwide chart: 'takes #1 worldwide (was #3)'."""

    kind: ClassVar[str] = "worldwide_number_one"


@dataclass(frozen=True, slots=True)
class Streak(CountryEvent):
    """#1 in a market for the Nth period running ('is #1 in South Korea for the 3rd week in
    a row')."""

    kind: ClassVar[str] = "streak"

    periods: int = 0  # periods running at #1, this one included (2 or more)
    unit: str = "week"  # what one period is: "week" or "day"


@dataclass(frozen=True, slots=True)
class FirstCharted(Event):
    """A followed title on a chart for the first time anywhere: 'enters the charts: ...'."""

    kind: ClassVar[str] = "charted"

    best_rank: int = 0
    best_country: str = ""  # where it holds its best rank (the first such, by code)
    number_one_count: int = 0
    charting_in: int = 0  # countries it charts in


@dataclass(frozen=True, slots=True)
class OnCourse(CountryEvent):
    """A forecast past the alert threshold: 'is on course for #1 in United States (71%
    within 3 days)' (bot/forecast/calls.py); `period` is the latest stored one. With how
    the chances the chart's backtest of its last `backtest_periods` periods gave in the
    same tenth fared (0 given: none, or an alert stored before they were kept)."""

    kind: ClassVar[str] = "on_course"

    chance: float = 0.0  # of #1 there within the horizon
    horizon: int = 3  # periods
    unit: str = "week"  # what one period is: "week", "day" or "period"
    backtest_given: int = 0
    backtest_came_true: int = 0
    backtest_periods: int = 0


_FIELDS: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type[Event]) -> tuple[str, ...]:
    """An event type's field names, worked out once per type."""
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in fields(cls))
    return names


EVENT_TYPES: dict[str, type[Event]] = {
    cls.kind: cls
    for cls in (
        NumberOneCount,
        NewNumberOne,
        Entered,
        Left,
        Moved,
        NewPeak,
        BackAtNumberOne,
        WorldwideNumberOne,
        Streak,
        FirstCharted,
        OnCourse,
    )
}


def event_from_json(data: dict[str, Any], *, title_key: str) -> Event:
    """Rebuild an event stored as `to_json()` data."""
    fields = {k: v for k, v in data.items() if k != "type"}
    fields.setdefault("artist", None)
    for name in ("countries", "gained", "lost"):
        if name in fields:
            fields[name] = tuple(fields[name])
    return EVENT_TYPES[data["type"]](title_key=title_key, **fields)


@dataclass(frozen=True, slots=True)
class AlertPolicy:
    """Which events make a channel alert."""

    min_countries: int = 10
    watched_markets: frozenset[str] = field(default_factory=lambda: frozenset({"US"}))
    charts: frozenset[str] | None = None  # None: every chart
    # Streaks and worldwide #1s as alerts of their own. A new peak or a return to #1 is the
    # alert its plain kind would be, with its milestone said, whatever this says.
    milestones: bool = True
    forecasts: bool = False  # on-course alerts: a server opts in

    def is_channel_alert(self, event: Event) -> bool:
        if self.charts is not None and event.chart not in self.charts:
            return False
        if isinstance(event, OnCourse):
            return self.forecasts and event.country in self.watched_markets
        if isinstance(event, WorldwideNumberOne):
            return self.milestones
        if isinstance(event, Streak):
            return self.milestones and event.country in self.watched_markets
        if isinstance(event, NumberOneCount):
            return event.count > event.previous and event.count >= self.min_countries
        if isinstance(event, NewNumberOne):
            return event.country in self.watched_markets
        return False
