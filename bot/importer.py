"""Importing history: files (or a source's own location) stored as they are, without alerts.

An import stores the periods not stored yet and leaves stored ones as they are, so
importing twice is harmless, and an import killed halfway is simply run again: what
was stored is found stored. Each snapshot is its own transaction; a big file (the
combined Spotify dataset) comes in parts of whole groups, each its own transaction,
and the file is never held whole. Each part's transaction also marks how far the file
is stored (`ImportMark`), so a run stopped halfway resumes where it stopped when the
file is unchanged (a changed file is read again from the top). Nothing is parsed while
the write lock is held.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse

import aiohttp

from bot.alerts.render import counted
from bot.clock import utcnow
from bot.config import Config
from bot.engine.model import ChartPeriodKey
from bot.engine.plan import Rejected
from bot.engine.source_types import SourceKind
from bot.engine.stored import ImportMark
from bot.pipeline import AsImported, SourceTerms, commit
from bot.sources.base import Snapshot, Source, SourceError, Target
from bot.sources.decode import file_head
from bot.sources.fetch import http_session, is_url, local_path
from bot.sources.registry import build_source, recognise
from bot.sources.table import DATE_IN_NAME
from bot.store.store import Store
from bot.store.thread import StoreThread


@dataclass(frozen=True, slots=True)
class Step:
    """How far an import is: `done` of `total` in `stage` ("files", "bytes"), and the rows
    read so far when the stage counts bytes of one big file."""

    stage: str
    done: int
    total: int
    rows: int | None = None


Progress = Callable[[Step], None]


@dataclass(slots=True)
class ImportOutcome:
    """What an import of one file (or of its parts so far) stored."""

    source: str
    label: str = ""  # the file's name, when there are several
    new: set[ChartPeriodKey] = field(default_factory=set)  # periods not stored before
    # Periods stored before that got countries they lacked: key -> countries added.
    extended: dict[ChartPeriodKey, int] = field(default_factory=dict)
    rows: int = 0
    already: set[ChartPeriodKey] = field(default_factory=set)  # stored before, left as they are
    warnings: list[str] = field(default_factory=list)
    resumed: ImportMark | None = None  # where an earlier run of this file stopped
    skipped: str | None = None  # why the file (or the rest of it) was not stored

    def add(self, part: ImportOutcome) -> None:
        """Count in a later part of the same file (a period it created may grow in a part)."""
        self.rows += part.rows
        self.already |= part.already
        self.warnings += part.warnings
        self.new |= part.new
        for key, added in part.extended.items():
            if key not in self.new:
                self.extended[key] = self.extended.get(key, 0) + added

    @property
    def summary(self) -> str:
        added = sum(self.extended.values())
        extended = (
            f", added {counted(added, 'country', 'countries')} to "
            f"{counted(len(self.extended), 'stored period')}"
            if added
            else ""
        )
        source = f"{self.source} ({self.label})" if self.label else self.source
        resumed = (
            f"resumed at line {self.resumed.line:,} after the {self.resumed.rows:,} rows an "
            f"earlier run stored (it stopped at {self.resumed.at:%Y-%m-%d %H:%M} UTC); "
            if self.resumed
            else ""
        )
        if self.skipped is not None:
            before = (
                f" after storing {counted(len(self.new), 'chart period')} ({self.rows:,} ranks)"
                if self.rows
                else ""
            )
            return f"{source}: skipped{before}: {self.skipped}"
        return (
            f"{source}: {resumed}imported {counted(len(self.new), 'chart period')} "
            f"({self.rows:,} ranks){extended}; {len(self.already - self.extended.keys())} "
            "already stored"
        )


def commit_import(
    store: Store,
    snapshot: Snapshot,
    terms: SourceTerms,
    *,
    now: datetime,
    mark: ImportMark | None = None,
) -> ImportOutcome:
    """Store a snapshot's periods that are not stored yet, in one transaction, with how
    far its file is stored (`mark`: a part of a big file; line 0 when it is the last)."""
    done = commit(store, snapshot, terms, AsImported(mark), now=now)
    decided = done.plan
    # The warnings go back with the outcome: whoever imported says them (the CLI, once).
    return ImportOutcome(
        source=snapshot.source,
        new=set(decided.new_keys),
        extended={key: len(countries) for key, countries in decided.extended.items()},
        rows=done.rows,
        already=set(snapshot.periods) - set(decided.new_keys) - decided.extended.keys(),
        warnings=done.warnings,
    )


def in_date_order(locations: list[str]) -> list[str]:
    """Files named with a date (regional-global-weekly-2023-11-16.csv) oldest first, then
    the others in the order given."""
    dated: list[tuple[str, str]] = []
    undated: list[tuple[str, str]] = []
    for location in locations:
        found = DATE_IN_NAME.search(Path(urlparse(location).path).name)
        (dated if found else undated).append((found[0] if found else "", location))
    return [location for _, location in sorted(dated)] + [location for _, location in undated]


async def import_history(
    config: Config,
    source_name: str,
    locations: list[str],
    *,
    period: str | None = None,
    progress: Progress | None = None,
) -> list[ImportOutcome]:
    """Load files of history into the store, oldest first: no events, no alerts; idempotent.

    With no locations, the source's own location is read (a poll's refused data stored as
    it is). `period` dates files whose names carry no date. Of several files, a broken one
    is skipped with its reason (its outcome says it) and the others are stored; one file
    that is broken raises, the parts of it stored before staying stored.
    """
    source = build_source(config.source(source_name), config.base_dir, config.title_aliases())
    targets = [Target(x, period) for x in in_date_order(locations)] or [Target(None, period)]
    outcomes: list[ImportOutcome] = []
    db = await StoreThread(config.database_path, config.busy_timeout).open()
    run = _Run(db, source, config.base_dir, progress)
    try:
        async with http_session() as session:
            for done, target in enumerate(targets, 1):
                label = _label(target, source.location)
                outcome = ImportOutcome(source.name, label if len(targets) > 1 else "")
                try:
                    outcomes.append(await run.file(session, target, outcome))
                except (SourceError, Rejected) as exc:
                    said = _said_of_file(exc, config, source, target, label)
                    if len(targets) == 1:
                        raise said from None
                    outcome.skipped = str(said).removeprefix(f"{label}: ")
                    outcomes.append(outcome)
                if progress:
                    progress(Step("files", done, len(targets)))
        await run.finish()
    except asyncio.CancelledError:  # Ctrl-C: asyncio.run cancels the import
        # The part being stored, if any, is committed first (the store's one thread); the
        # by-title index, if deferred, is built when the import is run again.
        mark = await db.call(_mark_of, source.name, str(run.file_read)) if run.file_read else None
        if mark is not None and mark.fingerprint != run.fingerprint:
            mark = None  # an earlier run's, of the file before it changed: not where to resume
        raise ImportInterrupted(outcomes, len(targets), mark) from None
    except Exception:
        await run.finish()  # a broken file: what was stored before it gets its index
        raise
    finally:
        await db.close()
    return outcomes


class ImportInterrupted(Exception):
    """The import was stopped (Ctrl-C). What it stored stays stored: each file and each
    part of a big file is its own transaction, so running it again goes on from there."""

    def __init__(self, outcomes: list[ImportOutcome], files: int, mark: ImportMark | None):
        self.outcomes, self.files, self.mark = outcomes, files, mark
        super().__init__(self.advice)

    @property
    def advice(self) -> str:
        if self.mark is not None:
            return (
                f"interrupted: {self.mark.rows:,} rows of {Path(self.mark.file).name} are "
                "stored; run the same command again to resume from line "
                f"{self.mark.line:,}"
            )
        files = f" after {len(self.outcomes)} of {self.files} files" if self.files > 1 else ""
        return (
            f"interrupted{files}: what was stored is kept; run the same command again "
            "(periods already stored are left as they are)"
        )


@dataclass(slots=True)
class _Run:
    """One import: its files, one after the other, and the by-title index it may defer."""

    db: StoreThread
    source: Source
    base_dir: Path
    progress: Progress | None
    deferred: bool = False  # the by-title index is built at the end
    file_read: Path | None = None  # the local file being read, if any
    fingerprint: str = ""  # its fingerprint (see _fingerprint)

    async def file(
        self, session: aiohttp.ClientSession, target: Target, outcome: ImportOutcome
    ) -> ImportOutcome:
        """Import one file (or location), resuming where an earlier run of it stopped;
        `outcome` counts its parts as they are stored (a part stored stays, whatever
        follows)."""
        source = self.source
        file = _local_file(target.location or source.location, self.base_dir)
        self.file_read = file
        fingerprint = self.fingerprint = _fingerprint(file) if file else ""
        stored = _StoredHash(file) if file else None
        if file and stored:
            held = await self.db.call(_mark_of, source.name, str(file))
            same = held is not None and await asyncio.to_thread(
                _unchanged, held, fingerprint, stored
            )
            if held is not None and same:
                target, outcome.resumed = replace(target, from_line=held.line), held
            elif held is not None:
                stored = _StoredHash(file)  # read from the top: hashed from the top
                outcome.warnings.append(
                    f"an earlier import of {file.name} stopped at line {held.line:,}, but the "
                    "file has changed since: it was read from the top (what was stored is kept)"
                )
        async for part in source.import_snapshots(session=session, target=target):
            mark = None
            if file and stored and part.line is not None:  # a big file, in parts
                hashed = (
                    await asyncio.to_thread(stored.advance, part.position)
                    if part.position is not None
                    else None
                )
                mark = ImportMark(
                    source.name,
                    str(file),
                    fingerprint,
                    part.line,
                    part.rows or 0,
                    utcnow(),
                    part.position,
                    hashed,
                )
                if not self.deferred:
                    self.deferred = await self.db.call(
                        lambda store: store.charts.defer_by_title_index()
                    )
            outcome.add(
                await self.db.call(
                    commit_import,
                    part.snapshot,
                    SourceTerms.of(source),
                    now=utcnow(),
                    mark=mark,
                )
            )
            if self.progress and part.size:
                self.progress(Step("bytes", part.position or 0, part.size, part.rows))
            outcome.warnings += [f"skipped {s.reason}" for s in part.snapshot.skipped]
        return outcome

    async def finish(self) -> None:
        """Build the by-title index if it was deferred (also after a broken file)."""
        if self.deferred:
            self.deferred = False
            if self.progress:
                self.progress(Step("index", 0, 1))
            await self.db.call(lambda store: store.charts.build_by_title_index())
            if self.progress:
                self.progress(Step("index", 1, 1))


def _mark_of(store: Store, source: str, file: str) -> ImportMark | None:
    return store.sources.import_mark(source, file)


def _local_file(location: str | None, base_dir: Path) -> Path | None:
    """The file an import reads, when it is one on this machine."""
    if not location or is_url(location):
        return None
    path = local_path(location, base_dir).resolve()
    return path if path.is_file() else None


class _StoredHash:
    """The hash of a file's first bytes, read on as an import stores its parts (each part
    once, just after the reader read it: from the page cache)."""

    CHUNK = 1 << 20

    def __init__(self, path: Path) -> None:
        self.path = path
        self.position = 0
        self._hash = hashlib.blake2b(digest_size=16)

    def advance(self, to: int) -> str:
        """The hash of the file's first `to` bytes (read on from where it was)."""
        with self.path.open("rb") as handle:
            handle.seek(self.position)
            while self.position < to:
                chunk = handle.read(min(self.CHUNK, to - self.position))
                if not chunk:
                    break  # the file is shorter now: the hash says so
                self._hash.update(chunk)
                self.position += len(chunk)
        return self._hash.hexdigest()


def _unchanged(held: ImportMark, fingerprint: str, stored: _StoredHash) -> bool:
    """Is the file the one an earlier import stopped in: the same size, time and start, and
    the part of it already stored the same bytes (an edit of the same size changes those)?
    `stored` is left hashed that far, to read on from."""
    if held.fingerprint != fingerprint or held.position is None or held.stored_hash is None:
        return False
    return stored.advance(held.position) == held.stored_hash


def _fingerprint(path: Path) -> str:
    """A file's size, modification time and a hash of its first MiB: an edited or
    replaced file is not the one an earlier import stopped in."""
    stat = path.stat()
    with path.open("rb") as handle:
        head = hashlib.blake2b(handle.read(1 << 20), digest_size=16).hexdigest()
    return f"{stat.st_size}:{stat.st_mtime_ns}:{head}"


def _label(target: Target, configured: str | None) -> str:
    location = target.location or configured or ""
    return Path(urlparse(location).path).name or location


def _said_of_file(
    exc: SourceError | Rejected, config: Config, source: Source, target: Target, label: str
) -> SourceError | Rejected:
    """A file's failure, said with the file's name and, when the file looks like another
    kind's (a Netflix file given to the Spotify source), what it looks like and the
    configured source that reads it."""
    if isinstance(exc, Rejected):
        return exc  # a chart of the right shape, refused for what it says
    prefix = f"{label}: " if label and label not in str(exc) else ""
    file = _local_file(target.location or source.location, config.base_dir)
    found = recognise(file_head(file)) if file else None
    if found is None or found.kind == source.config.kind:
        return exc.said_of(prefix)
    readers = [s.name for s in config.sources if s.kind == found.kind]
    if found.kind is SourceKind.HTML and not readers:
        return exc.said_of(prefix)  # any web page (a login page too): no kind to point at
    reads = (
        f'; source "{readers[0]}" reads it: --source {readers[0]}'
        if readers
        else f'; a source of kind "{found.kind.value}" reads it (none is configured)'
    )
    return exc.said_of(prefix, f" — it looks like {found.what}{reads}")
