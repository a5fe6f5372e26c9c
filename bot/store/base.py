"""What the store's modules share: errors, timestamps and the rows they hand out."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any, Self

from sqlite_utils import Database

from bot.engine.events import Event
from bot.engine.model import ChartRow, PeriodUnit
from bot.engine.titles import title_key
from bot.sources.base import SkippedFile, ValidatorMap, skipped_from_json, validators_from_json

BATCH = 500  # parameters per IN (...) query


class StoreError(Exception):
    """The database cannot be used; the message is ready for the user."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else None


def from_iso(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@dataclass(frozen=True, slots=True)
class SourceState:
    name: str
    kind: str
    location: str | None
    validators: ValidatorMap
    content_hash: str | None
    status: str
    failures: int
    failing_since: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    last_ok_at: datetime | None
    last_change_at: datetime | None
    last_attempt_at: datetime | None
    next_poll_at: datetime | None
    notified_failing: bool
    # The content hash of the last body stored exactly as it was (see Snapshot.based_on).
    history_hash: str | None = None
    # Files of a watched folder that are not charts, by name.
    skipped: dict[str, SkippedFile] = field(default_factory=dict)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> SourceState:
        return cls(
            name=row["name"],
            kind=row["kind"],
            location=row["location"],
            validators=validators_from_json(row["validators"]),
            content_hash=row["content_hash"],
            status=row["status"],
            failures=row["failures"],
            failing_since=from_iso(row["failing_since"]),
            last_error=row["last_error"],
            last_error_at=from_iso(row["last_error_at"]),
            last_ok_at=from_iso(row["last_ok_at"]),
            last_change_at=from_iso(row["last_change_at"]),
            last_attempt_at=from_iso(row["last_attempt_at"]),
            next_poll_at=from_iso(row["next_poll_at"]),
            notified_failing=bool(row["notified_failing"]),
            history_hash=row.get("history_hash"),
            skipped=skipped_from_json(row.get("skipped")),
        )


@dataclass(frozen=True, slots=True)
class PendingDelivery:
    id: int
    event_id: int
    destination: str
    guild_id: int | None
    attempts: int
    event: Event | None  # None for a notice
    notice: str | None = None
    status: str = "pending"
    batch_key: str | None = None
    next_attempt_at: datetime | None = None


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


@dataclass(frozen=True, slots=True)
class ChartInfo:
    id: int
    source: str
    name: str
    latest: str
    previous: str | None


@dataclass(frozen=True, slots=True)
class ChartLine:
    rank: int
    title_id: int
    title: str
    artist: str | None
    season: str | None


def json_tuple(text: str | None) -> tuple[str, ...] | None:
    return tuple(json.loads(text)) if text else None


def explain(exc: sqlite3.DatabaseError) -> str:
    text = str(exc)
    if "readonly" in text or "read-only" in text:
        return "the file is read-only (check its permissions)"
    if "locked" in text or "busy" in text:
        return "the database is locked by another process; try again when it is done"
    if "file is not a database" in text or "malformed" in text:
        return "the file is not a chartbot database (or it is damaged)"
    if "unable to open" in text:
        return "cannot open the file (check the path and permissions)"
    return text


_TITLE_AND_ARTIST = attrgetter("title", "artist")


class Part:
    """A group of the Store's methods; they all work on `self.db`."""

    db: Database

    @contextmanager
    def write(self) -> Iterator[Self]:
        """An IMMEDIATE transaction: committed whole, or not at all. Not nestable."""
        conn = self.db.conn
        if conn.in_transaction:
            raise RuntimeError("Store.write() does not nest")
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            conn.rollback()
            raise
        conn.commit()

    def title_ids(self, rows: Iterable[ChartRow | Event]) -> dict[str, int]:
        """Title key -> id, creating titles not seen before.

        The shortest spelling names a title: "All of Us Are Dead" over "...: Season 1".
        """
        wanted: dict[str, tuple[str, str | None]] = {}
        for title, artist in dict.fromkeys(map(_TITLE_AND_ARTIST, rows)):
            key = title_key(title, artist)
            held = wanted.get(key)
            if held is None or len(title) < len(held[0]):
                wanted[key] = (title, artist)
        ids: dict[str, int] = {}
        shorter = []
        for key, title_id, name in self._titles_by_key(list(wanted)):
            ids[key] = title_id
            if len(wanted[key][0]) < len(name):
                shorter.append((wanted[key][0], title_id))
        self.db.conn.executemany("UPDATE titles SET name = ? WHERE id = ?", shorter)
        missing = [key for key in wanted if key not in ids]
        if missing:
            self.db.conn.executemany(
                "INSERT INTO titles (key, name, artist) VALUES (?, ?, ?)",
                [(key, *wanted[key]) for key in missing],
            )
            ids.update((key, title_id) for key, title_id, _ in self._titles_by_key(missing))
        return ids

    def _titles_by_key(self, keys: list[str]) -> Iterator[tuple[str, int, str]]:
        for start in range(0, len(keys), BATCH):
            batch = keys[start : start + BATCH]
            marks = ",".join("?" * len(batch))
            yield from self.db.conn.execute(
                f"SELECT key, id, name FROM titles WHERE key IN ({marks})", batch
            )
