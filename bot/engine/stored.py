"""What the store keeps and hands out to read: a title's stored ranks, charts and their
lines, a source's state between polls (its health, validators, skipped files, when it is
polled next), how far an import has stored. Plain values (the faces and the engine read
them; the store makes them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from bot.engine.model import ChartPeriodKey, PeriodUnit, chart_heading
from bot.engine.source_types import (
    Failure,
    FailureKind,
    SourceHealth,
    SourceKind,
    ValidatorMap,
)
from bot.engine.titles import Candidate


class TitleRank(NamedTuple):
    """One stored rank of a title: used to build its standings. A named tuple, not a
    dataclass: /rank reads a title's every rank (thousands for a hit) while it waits, and
    a frozen dataclass took five times as long to make."""

    # The chart's fields first: a rank is its chart's fields and its own row, joined.
    chart_id: int
    source: str
    chart: str
    unit: PeriodUnit | None  # as the chart's source says; None: from the dates
    label: str  # the source as people read it (its config's label), "": its name
    period: str
    country: str
    rank: int
    weeks: int | None
    season: str | None


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


@dataclass(frozen=True, slots=True)
class SkippedFile:
    """A file of a watched folder that is not a chart: named, with why, and left alone until
    it changes (its fingerprint is its size and modification time)."""

    name: str
    fingerprint: str
    reason: str
    kind: FailureKind = FailureKind.UNREADABLE


@dataclass(frozen=True, slots=True)
class ImportMark:
    """How far an import of a big file has stored, written with each of its parts: a run
    stopped halfway resumes at `line` when the file is still the same (`fingerprint`: its
    size, modification time and a hash of its start) and the part of it already stored
    is byte for byte what was stored (`stored_hash`: of its first `position` bytes, all
    the stored lines and perhaps a little more)."""

    source: str
    file: str  # the file's absolute path
    fingerprint: str
    line: int  # the first line not stored yet
    rows: int  # rows stored before it
    at: datetime
    position: int | None = None
    stored_hash: str | None = None


@dataclass(frozen=True, slots=True)
class SourceState:
    name: str
    kind: SourceKind
    location: str | None
    validators: ValidatorMap
    content_hash: str | None
    status: SourceHealth
    failures: int
    failing_since: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    last_ok_at: datetime | None
    last_change_at: datetime | None
    last_attempt_at: datetime | None
    next_poll_at: datetime | None
    notified_failing: bool
    # The content hash of the last body stored exactly as it was: a body that only adds
    # lines to it may be read by its added lines (bot/sources/added_lines.py).
    history_hash: str | None = None
    # Files of a watched folder that are not charts, by name.
    skipped: dict[str, SkippedFile] = field(default_factory=dict)
    last_error_kind: FailureKind | None = None
    last_error_status: int | None = None  # the HTTP status, for an HTTP error

    @property
    def failure(self) -> Failure | None:
        """The last failure, as its kind and its text."""
        if self.last_error is None:
            return None
        return Failure(
            self.last_error_kind or FailureKind.UNREADABLE, self.last_error, self.last_error_status
        )
