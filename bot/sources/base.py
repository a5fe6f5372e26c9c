"""What every source hands the pipeline, and how a source says no.

A source turns one fetch into a `Snapshot`: chart rows grouped by (chart,
period), with a summary of every period in the file so the pipeline can check
the file against what is stored without keeping all its rows in memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Protocol

import aiohttp

from bot.config.file_sources import SourceBase
from bot.engine.model import ChartPeriodKey, ChartRow, PeriodSummary, PeriodUnit
from bot.engine.source_types import Failure, FailureKind, SourceIdentity, ValidatorMap
from bot.engine.stored import SkippedFile

Keep = Callable[[str, str], bool]  # which (chart, period) groups' rows to keep


def keep_all(chart: str, period: str) -> bool:
    return True


class SourceError(Exception):
    """A fetch that must not be stored; str(error) is the reason, ready for a log line (the
    operator's), and `kind` what kind of failure it is (what a server is shown)."""

    # Trying again cannot help (a refused API key): the source is paused at once.
    stops_source: ClassVar[bool] = False
    default_kind: ClassVar[FailureKind] = FailureKind.UNREADABLE

    def __init__(
        self, reason: str, *, kind: FailureKind | None = None, status: int | None = None
    ) -> None:
        super().__init__(reason)
        self.kind = kind or self.default_kind
        self.status = status

    @property
    def failure(self) -> Failure:
        return Failure(self.kind, str(self), self.status)

    def said_of(self, prefix: str, suffix: str = "") -> SourceError:
        """The same failure, its text preceded by where (a file's name) and followed by
        `suffix` (a hint)."""
        return type(self)(f"{prefix}{self}{suffix}", kind=self.kind, status=self.status)


class FetchError(SourceError):
    """The bytes could not be had: HTTP error, timeout, cut connection, too large."""


class ParseError(SourceError):
    """The bytes are not a chart of the expected shape."""


@dataclass(frozen=True, slots=True)
class Target:
    """What an import reads instead of the source's configured location.

    `period` dates a file whose name carries no date (the chart's day, or its
    week's last day). `from_line`: a big file's import resumes there (an earlier
    run stored the lines before it).
    """

    location: str | None = None
    period: str | None = None
    from_line: int = 0


@dataclass(frozen=True, slots=True)
class Known:
    """What the store holds for a source already, so a fetch can skip what it need not read."""

    # The hash of the body stored last: the same bytes again are Unchanged.
    content_hash: str | None = None
    # chart -> its newest stored period: rows of older periods are only summarised.
    latest: Mapping[str, str] = field(default_factory=dict)
    # The hash of the last body whose periods are exactly the stored ones: a body that only
    # adds lines to it may be read by its added lines alone (bot/sources/added_lines.py).
    history_hash: str | None = None
    # Files of a watched folder skipped before, by name: tried again only when they change.
    skipped: Mapping[str, SkippedFile] = field(default_factory=dict)
    # Each URL's HTTP validators, sent back so an unchanged file costs a 304.
    validators: ValidatorMap = field(default_factory=dict)
    # (chart, period) -> the digest of what is stored for it: a period read with another
    # digest was rewritten by the source, and its rows are needed after all.
    stored: Mapping[ChartPeriodKey, str] = field(default_factory=dict)

    def keep(self, chart: str, period: str) -> bool:
        """Keep the rows of each chart's newest stored period and after; summarise older ones."""
        return chart not in self.latest or period >= self.latest[chart]

    def rewritten(self, snapshot: Snapshot) -> set[ChartPeriodKey]:
        """Periods of a snapshot only summarised, whose digest differs from the stored one:
        the commit must write them, so the source reads their rows (once more)."""
        return {
            key
            for key, summary in snapshot.periods.items()
            if key not in snapshot.rows
            and key in self.stored
            and self.stored[key] != summary.digest_hex
        }


NOTHING_KNOWN = Known()


@dataclass(slots=True)
class Snapshot:
    """One successful fetch, parsed."""

    source: str
    content_hash: str
    periods: dict[ChartPeriodKey, PeriodSummary] = field(default_factory=dict)
    rows: dict[ChartPeriodKey, Sequence[ChartRow]] = field(default_factory=dict)
    validators: ValidatorMap = field(default_factory=dict)
    # What people should know about this fetch beside the rows (e.g. a period still arriving).
    notes: list[str] = field(default_factory=list)
    # chart -> what one of its periods is, when the source knows (else worked out from dates).
    units: dict[str, PeriodUnit] = field(default_factory=dict)
    # Files of a watched folder that are not charts (all of them, new or known).
    skipped: list[SkippedFile] = field(default_factory=list)
    # Set when only the lines this body adds to the body last stored were read: that
    # body's history hash, which the commit checks is still the store's.
    based_on: str | None = None
    # Periods the source vouches are as stored, unread: their rows are in the store.
    as_stored: set[ChartPeriodKey] = field(default_factory=set)

    @property
    def row_count(self) -> int:
        return sum(p.rows for p in self.periods.values())

    def charts(self) -> dict[str, list[str]]:
        """chart -> its periods, oldest first."""
        found: dict[str, list[str]] = {}
        for chart, period in sorted(self.periods):
            found.setdefault(chart, []).append(period)
        return found

    def add(self, row: ChartRow, keep: Keep, digest: int | None = None) -> None:
        self._summary(row.chart, row.period).add(row, digest)
        if keep(row.chart, row.period):
            self.kept((row.chart, row.period)).append(row)

    def kept(self, key: ChartPeriodKey) -> list[ChartRow]:
        """The rows kept so far of a period being read, to add rows to."""
        rows = self.rows.setdefault(key, [])
        if not isinstance(rows, list):
            raise TypeError(f"the rows of {key} are packed: no more can be added")
        return rows

    def _summary(self, chart: str, period: str) -> PeriodSummary:
        summary = self.periods.get((chart, period))
        if summary is None:
            summary = self.periods[(chart, period)] = PeriodSummary(chart, period)
        return summary


@dataclass(frozen=True, slots=True)
class ImportPart:
    """A snapshot an import stores, and how far into its file the import is (a big file
    is imported in parts: `rows` read so far, `position` of `size` bytes)."""

    snapshot: Snapshot
    rows: int | None = None
    position: int | None = None
    size: int | None = None
    line: int | None = None  # where the next part starts (0: the file is done)


@dataclass(frozen=True, slots=True)
class Unchanged:
    """The source answered 304, or sent the very bytes already stored."""

    validators: ValidatorMap = field(default_factory=dict)
    skipped: list[SkippedFile] = field(default_factory=list)


def content_hash(body: bytes, *salt: object) -> str:
    return pieces_hash([body], *salt)


def pieces_hash(pieces: Iterable[bytes | memoryview], *salt: object) -> str:
    """The content hash of the body these pieces make up, without joining them."""
    digest = hashlib.sha256()
    for piece in pieces:
        digest.update(piece)
    for part in salt:
        digest.update(repr(part).encode())
    return digest.hexdigest()


class Source(Protocol):
    """A configured chart source: what a new kind implements (mypy checks it from here).

    bot/sources/configured.py `ConfiguredSource` does the common part; a kind is a class
    over its config model (bot/config/), made by bot/sources/registry.py."""

    @property
    def config(self) -> SourceBase: ...

    # The countries a source is configured to carry (None: whatever the file holds).
    expected_countries: frozenset[str] | None

    @property
    def name(self) -> str: ...

    @property
    def location(self) -> str | None: ...

    @property
    def identity(self) -> SourceIdentity:
        """What the store keeps of the source: name, kind, location and label."""
        ...

    # A chart of fixed length (Netflix's top 10) may refuse a country with fewer rows than
    # before; a list feed (Apple's) may not: a shorter list is a real chart.
    fixed_length: ClassVar[bool]
    # Every file carries every period (Netflix's): one starting later is worth a warning.
    whole_history: ClassVar[bool]

    async def fetch_snapshot(
        self,
        *,
        session: aiohttp.ClientSession,
        validators: ValidatorMap,
        known: Known = NOTHING_KNOWN,
        target: Target | None = None,
    ) -> Snapshot | Unchanged:
        """Fetch and parse; Unchanged when the source has nothing new since `known`."""
        ...

    def import_snapshots(
        self, *, session: aiohttp.ClientSession, target: Target
    ) -> AsyncIterator[ImportPart]:
        """What an import of `target` stores: one snapshot, or parts of a big file."""
        ...
