"""What the store hands out to read: a title's stored ranks, charts and their lines. Plain
values (the faces and the engine read them; the store makes them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.engine.model import ChartPeriodKey, PeriodUnit, chart_heading
from bot.engine.titles import Candidate


@dataclass(frozen=True, slots=True)
class TitleRank:
    """One stored rank of a title: used to build its standings."""

    chart_id: int
    source: str
    chart: str
    period: str
    country: str
    rank: int
    weeks: int | None
    season: str | None = None
    unit: PeriodUnit | None = None  # as the chart's source says; None: from the dates
    label: str = ""  # the source as people read it (its config's label), "": its name


@dataclass(frozen=True, slots=True)
class ChartInfo:
    id: int
    source: str
    name: str
    latest: str
    previous: str | None
    label: str = ""  # the source as people read it, "": its name

    @property
    def heading(self) -> str:
        """'Netflix · TV Shows'."""
        return chart_heading(self.label or self.source, self.name)


@dataclass(frozen=True, slots=True)
class ChartLine:
    rank: int
    title_id: int
    title: str
    artist: str | None
    season: str | None


@dataclass(frozen=True, slots=True)
class TitleMerge:
    """One [titles] merge group as stored: the title kept (None: the first folded one is
    renamed to the group's name), the stored titles folded into it, and what moves."""

    name: str
    kept: Candidate | None
    folded: tuple[Candidate, ...]
    ranks: int
    subscriptions: int


@dataclass(frozen=True, slots=True)
class Rewrite:
    """What one poll's snapshot rewrote of a source's stored history."""

    snapshot_id: int
    source: str
    at: datetime
    periods: tuple[ChartPeriodKey, ...]
    ranks: int  # the ranks replaced (kept here)
