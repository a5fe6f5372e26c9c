"""Importing history: files (or a source's own location) stored as they are, without alerts.

An import stores the periods not stored yet and leaves stored ones as they are, so
importing twice is harmless, and an import killed halfway is simply run again: what
was stored is found stored. Each snapshot is its own transaction; a big file (the
combined Spotify dataset) comes in parts of whole groups, each its own transaction,
and the file is never held whole. Nothing is parsed while the write lock is held.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse

from bot.alerts.render import counted
from bot.bulk import collector_paused
from bot.config import Config
from bot.engine.model import ChartPeriodKey
from bot.engine.plan import Rejected, plan_import
from bot.pipeline import write_periods
from bot.sources.base import Snapshot, SourceError, Target
from bot.sources.fetch import http_session
from bot.sources.registry import build_source
from bot.sources.table import DATE_IN_NAME
from bot.store.base import utcnow
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
        return (
            f"{source}: imported {counted(len(self.new), 'chart period')} "
            f"({self.rows:,} ranks){extended}; {len(self.already - self.extended.keys())} "
            "already stored"
        )


def commit_import(
    store: Store, snapshot: Snapshot, *, kind: str, location: str | None, now: datetime
) -> ImportOutcome:
    """Store a snapshot's periods that are not stored yet, in one transaction."""
    name = snapshot.source
    with collector_paused(), store.write():
        store.sources.ensure(name, kind, location)
        stored = store.charts.stored_periods(name, only=snapshot.periods)
        decided = plan_import(snapshot.periods, stored)
        written = decided.new_keys
        rows = sum(snapshot.periods[k].rows for k in written) + sum(
            snapshot.periods[key].countries[c]
            for key, countries in decided.extended.items()
            for c in countries
        )
        snapshot_id = store.sources.add_snapshot(
            name,
            now=now,
            content_hash=snapshot.content_hash,
            outcome="imported",
            rows=rows,
            new_periods=written,
            latest_period=max((p for _, p in snapshot.periods), default=None),
        )
        write_periods(store, snapshot, decided, snapshot_id, bulk=True)
        store.sources.record_success(
            name, now=now, validators=None, content_hash=None, changed=bool(written)
        )
        if decided.changed:  # the stored periods are no longer some body's exactly
            store.sources.set_history_hash(name, None)
    # The warnings go back with the outcome: whoever imported says them (the CLI, once).
    return ImportOutcome(
        source=name,
        new=set(written),
        extended={key: len(countries) for key, countries in decided.extended.items()},
        rows=rows,
        already=set(snapshot.periods) - set(written) - decided.extended.keys(),
        warnings=decided.warnings,
    )


def in_date_order(locations: list[str]) -> list[str]:
    """Files named with a date (regional-global-weekly-2023-11-16.csv) oldest first."""
    dated = [DATE_IN_NAME.search(Path(urlparse(x).path).name) for x in locations]
    if all(dated):
        keys = [m[0] for m in dated if m is not None]
        return [x for _, x in sorted(zip(keys, locations, strict=True))]
    return locations


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
    it is). `period` dates files whose names carry no date. A broken file stops the import
    with its name; the files (and parts of a big file) before it stay imported.
    """
    source = build_source(config.source(source_name), config.base_dir, config.title_aliases())
    targets = [Target(x, period) for x in in_date_order(locations)] or [Target(None, period)]
    outcomes = []
    db = await StoreThread(config.database_path, config.busy_timeout).open()
    try:
        async with http_session() as session:
            for done, target in enumerate(targets, 1):
                label = _label(target, source.location)
                outcome = ImportOutcome(source.name, label if len(targets) > 1 else "")
                try:
                    async for part in source.import_snapshots(session=session, target=target):
                        outcome.add(
                            await db.call(
                                commit_import,
                                part.snapshot,
                                kind=source.config.kind,
                                location=source.location,
                                now=utcnow(),
                            )
                        )
                        if progress and part.size:
                            progress(Step("bytes", part.position or 0, part.size, part.rows))
                        outcome.warnings += [f"skipped {s.reason}" for s in part.snapshot.skipped]
                except (SourceError, Rejected) as exc:
                    prefix = f"{label}: " if len(targets) > 1 and label not in str(exc) else ""
                    raise type(exc)(f"{prefix}{exc}") from None
                outcomes.append(outcome)
                if progress:
                    progress(Step("files", done, len(targets)))
    finally:
        await db.close()
    return outcomes


def _label(target: Target, configured: str | None) -> str:
    location = target.location or configured or ""
    return Path(urlparse(location).path).name or location
