"""All SQL lives here: the Store wraps one SQLite file through sqlite-utils.

A Store is one connection, used by one thread. Writes that must be atomic
(a snapshot, its events and their outbox rows) run inside `write()`, a
`BEGIN IMMEDIATE` transaction: two processes polling one database take turns,
and the second one sees what the first committed before it decides anything.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot.delivery.outbox import GuildAlerts, Subscription
from bot.engine.events import Event, event_from_json
from bot.engine.model import ChartPeriodKey, ChartRow, PeriodSummary
from bot.engine.plan import StoredPeriod
from bot.engine.titles import Candidate, title_key
from bot.store.schema import migrations

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 60_000
_BATCH = 500


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
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    status: str
    failures: int
    last_error: str | None
    last_error_at: datetime | None
    last_ok_at: datetime | None
    last_change_at: datetime | None
    last_attempt_at: datetime | None
    next_poll_at: datetime | None
    notified_failing: bool

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> SourceState:
        return cls(
            name=row["name"],
            kind=row["kind"],
            location=row["location"],
            etag=row["etag"],
            last_modified=row["last_modified"],
            content_hash=row["content_hash"],
            status=row["status"],
            failures=row["failures"],
            last_error=row["last_error"],
            last_error_at=from_iso(row["last_error_at"]),
            last_ok_at=from_iso(row["last_ok_at"]),
            last_change_at=from_iso(row["last_change_at"]),
            last_attempt_at=from_iso(row["last_attempt_at"]),
            next_poll_at=from_iso(row["next_poll_at"]),
            notified_failing=bool(row["notified_failing"]),
        )


@dataclass(frozen=True, slots=True)
class PendingDelivery:
    id: int
    event_id: int
    destination: str
    guild_id: int | None
    attempts: int
    event: Event


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


class Store:
    """One SQLite database: schema, snapshots, events, outbox, settings."""

    def __init__(self, db: Database, path: Path | None) -> None:
        self.db = db
        self.path = path

    @classmethod
    def open(cls, path: str | Path, *, migrate: bool = True) -> Store:
        """Open (creating if needed) and migrate a database, or raise StoreError."""
        path = Path(path)
        if path.is_dir():
            raise StoreError(f"database {path} is a folder, not a file")
        if not path.parent.exists():
            raise StoreError(f"database {path}: the folder {path.parent} does not exist")
        try:
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
            db = Database(conn)
            store = cls(db, path)
            store._configure()
            if migrate:
                store._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"database {path}: {_explain(exc)}") from None
        return store

    @classmethod
    def memory(cls) -> Store:
        store = cls(Database(memory=True), None)
        store._configure()
        store._migrate()
        return store

    def _configure(self) -> None:
        self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if self.path is not None:
            mode = self.db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                log.warning("database %s: journal mode is %s, not WAL", self.path, mode)
        self.db.execute("PRAGMA synchronous = NORMAL")
        self.db.execute("PRAGMA foreign_keys = ON")

    def _migrate(self) -> None:
        self._refuse_newer()
        if migrations.pending(self.db):
            # Inside one IMMEDIATE transaction, so two processes opening a new
            # database at once take turns; apply() re-reads what is pending.
            with self.write():
                self._refuse_newer()
                migrations.apply(self.db)

    def _refuse_newer(self) -> None:
        known = {m.name for m in migrations._migrations}
        newer = sorted({m.name for m in migrations.applied(self.db)} - known)
        if newer:
            raise StoreError(
                f"database {self.path} was written by a newer chartbot "
                f"(it has migration {newer[-1]!r}); upgrade chartbot to use it"
            )

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def write(self) -> Iterator[Store]:
        """An IMMEDIATE transaction: committed whole, or not at all."""
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

    # -- sources ------------------------------------------------------------

    def source_state(self, name: str) -> SourceState | None:
        rows = list(self.db.query("SELECT * FROM sources WHERE name = ?", [name]))
        return SourceState.from_row(rows[0]) if rows else None

    def source_states(self) -> list[SourceState]:
        return [SourceState.from_row(r) for r in self.db.query("SELECT * FROM sources")]

    def ensure_source(self, name: str, kind: str, location: str | None) -> None:
        self.db.execute(
            """INSERT INTO sources (name, kind, location) VALUES (?, ?, ?)
               ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, location = excluded.location
               WHERE kind IS NOT excluded.kind OR location IS NOT excluded.location""",
            [name, kind, location],
        )

    def record_success(
        self,
        name: str,
        *,
        now: datetime,
        etag: str | None,
        last_modified: str | None,
        content_hash: str | None,
        changed: bool,
    ) -> SourceState:
        """A good fetch: health back to ok, validators and content hash kept for next time."""
        self.db.execute(
            """UPDATE sources SET status = 'ok', failures = 0, last_ok_at = :now,
                   last_attempt_at = :now, etag = :etag, last_modified = :last_modified,
                   content_hash = coalesce(:hash, content_hash),
                   last_change_at = CASE WHEN :changed THEN :now ELSE last_change_at END
               WHERE name = :name""",
            {
                "now": iso(now),
                "etag": etag,
                "last_modified": last_modified,
                "hash": content_hash,
                "changed": changed,
                "name": name,
            },
        )
        state = self.source_state(name)
        assert state is not None
        return state

    def record_failure(
        self, name: str, reason: str, *, now: datetime, status: str = "failing"
    ) -> SourceState:
        """A failed or rejected fetch: counted, with its reason; nothing else changes."""
        self.db.execute(
            """UPDATE sources SET status = :status, failures = failures + 1,
                   last_error = :reason, last_error_at = :now, last_attempt_at = :now
               WHERE name = :name""",
            {"status": status, "reason": reason, "now": iso(now), "name": name},
        )
        state = self.source_state(name)
        assert state is not None
        return state

    def set_source_fields(self, name: str, **fields: Any) -> None:
        """Scheduling and notification bookkeeping (next_poll_at, notified_failing, status)."""
        allowed = {"next_poll_at", "notified_failing", "status"}
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"not a source field: {', '.join(sorted(unknown))}")
        values = {k: iso(v) if isinstance(v, datetime) else v for k, v in fields.items()}
        assignments = ", ".join(f"{k} = :{k}" for k in values)
        self.db.execute(
            f"UPDATE sources SET {assignments} WHERE name = :name", {**values, "name": name}
        )

    def add_snapshot(
        self,
        source: str,
        *,
        now: datetime,
        content_hash: str | None,
        outcome: str,
        rows: int = 0,
        new_periods: Sequence[ChartPeriodKey] = (),
        latest_period: str | None = None,
    ) -> int:
        cursor = self.db.execute(
            """INSERT INTO snapshots
                   (source, fetched_at, content_hash, outcome, rows, new_periods, latest_period)
               VALUES (?, ?, ?, ?, ?, ?, ?)""",
            [
                source,
                iso(now),
                content_hash,
                outcome,
                rows,
                json.dumps([f"{c} {p}" for c, p in new_periods]) if new_periods else None,
                latest_period,
            ],
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    # -- charts, periods and ranks -------------------------------------------

    def stored_periods(self, source: str) -> dict[str, dict[str, StoredPeriod]]:
        """chart -> period -> what is stored for it (country row counts and digest)."""
        stored: dict[str, dict[str, StoredPeriod]] = {}
        for chart in self.db.query("SELECT id, name FROM charts WHERE source = ?", [source]):
            stored[chart["name"]] = {
                row["period"]: StoredPeriod(json.loads(row["countries"]), row["digest"])
                for row in self.db.query(
                    "SELECT period, countries, digest FROM periods WHERE chart_id = ?",
                    [chart["id"]],
                )
            }
        return stored

    def latest_periods(self, source: str) -> dict[str, str]:
        """chart -> its newest stored period."""
        return {
            row["name"]: row["latest"]
            for row in self.db.query(
                """SELECT c.name, max(p.period) AS latest FROM charts c
                   JOIN periods p ON p.chart_id = c.id WHERE c.source = ? GROUP BY c.id""",
                [source],
            )
        }

    def chart_ids(self, source: str, names: Iterable[str]) -> dict[str, int]:
        """Chart name -> id, creating charts not seen before."""
        ids = {}
        for name in names:
            self.db.execute(
                "INSERT INTO charts (source, name) VALUES (?, ?) ON CONFLICT DO NOTHING",
                [source, name],
            )
            ids[name] = self.db.execute(
                "SELECT id FROM charts WHERE source = ? AND name = ?", [source, name]
            ).fetchone()[0]
        return ids

    def title_ids(self, rows: Iterable[ChartRow | Event]) -> dict[str, int]:
        """Title key -> id, creating titles not seen before (first spelling wins)."""
        wanted: dict[str, tuple[str, str | None]] = {}
        for row in rows:
            key = row.key if isinstance(row, ChartRow) else row.title_key
            if key not in wanted:
                wanted[key] = (row.title, row.artist)
        self.db.conn.executemany(
            "INSERT INTO titles (key, name, artist) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            [(key, name, artist) for key, (name, artist) in wanted.items()],
        )
        ids: dict[str, int] = {}
        keys = list(wanted)
        for start in range(0, len(keys), _BATCH):
            batch = keys[start : start + _BATCH]
            marks = ",".join("?" * len(batch))
            ids.update(self.db.execute(f"SELECT key, id FROM titles WHERE key IN ({marks})", batch))
        return ids

    def put_period(
        self,
        chart_id: int,
        summary: PeriodSummary,
        rows: Sequence[ChartRow],
        title_ids: dict[str, int],
        snapshot_id: int,
    ) -> None:
        """Store (or replace) one chart's rows for one period, with its summary."""
        conn = self.db.conn
        conn.execute(
            "DELETE FROM ranks WHERE chart_id = ? AND period = ?", [chart_id, summary.period]
        )
        conn.executemany(
            """INSERT INTO ranks (chart_id, period, country, rank, title_id, season, weeks, extra)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                (
                    chart_id,
                    row.period,
                    row.country,
                    row.rank,
                    title_ids[row.key],
                    row.season,
                    row.weeks,
                    json.dumps(row.extra, ensure_ascii=False) if row.extra else None,
                )
                for row in rows
            ],
        )
        conn.execute(
            """INSERT OR REPLACE INTO periods
                   (chart_id, period, countries, rows, digest, snapshot_id)
               VALUES (?, ?, ?, ?, ?, ?)""",
            [
                chart_id,
                summary.period,
                json.dumps(summary.countries, sort_keys=True),
                summary.rows,
                summary.digest_hex,
                snapshot_id,
            ],
        )

    def period_rows(self, source: str, chart: str, period: str) -> list[ChartRow]:
        """The stored rows of one chart in one period."""
        return [
            ChartRow(
                chart=chart,
                period=period,
                country=row["country"],
                rank=row["rank"],
                title=row["name"],
                artist=row["artist"],
                season=row["season"],
                weeks=row["weeks"],
                extra=json.loads(row["extra"]) if row["extra"] else None,
            )
            for row in self.db.query(
                """SELECT r.country, r.rank, r.season, r.weeks, r.extra, t.name, t.artist
                   FROM ranks r JOIN charts c ON c.id = r.chart_id
                   JOIN titles t ON t.id = r.title_id
                   WHERE c.source = ? AND c.name = ? AND r.period = ?
                   ORDER BY r.country, r.rank""",
                [source, chart, period],
            )
        ]

    # -- events and the outbox -------------------------------------------------

    def add_events(
        self, events: Sequence[Event], *, chart_ids: dict[str, int], snapshot_id: int, now: datetime
    ) -> list[tuple[int, Event]]:
        """Insert events; return (id, event) for those not already stored, in order."""
        title_ids = self.title_ids(events)
        added = []
        for event in events:
            row = self.db.execute(
                """INSERT INTO events
                       (key, chart_id, period, kind, title_id, country, data, snapshot_id,
                        created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT(key) DO NOTHING RETURNING id""",
                [
                    event.key,
                    chart_ids[event.chart],
                    event.period,
                    event.kind,
                    title_ids[event.title_key],
                    getattr(event, "country", None),
                    json.dumps(event.to_json(), ensure_ascii=False),
                    snapshot_id,
                    iso(now),
                ],
            ).fetchone()
            if row is not None:
                added.append((row[0], event))
        return added

    def add_deliveries(
        self, deliveries: Iterable[tuple[int, str, int | None]], *, now: datetime
    ) -> int:
        """Outbox rows (event id, destination, guild id); an existing pair is left alone."""
        cursor = self.db.conn.executemany(
            """INSERT INTO deliveries (event_id, destination, guild_id, created_at)
               VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING""",
            [(event_id, dest, guild, iso(now)) for event_id, dest, guild in deliveries],
        )
        return cursor.rowcount

    def pending_deliveries(
        self, *, destination: str | None = None, exclude: str | None = None, limit: int = 1000
    ) -> list[PendingDelivery]:
        """Deliveries not yet made, oldest first."""
        where, params = ["d.status = 'pending'"], []
        if destination is not None:
            where.append("d.destination = ?")
            params.append(destination)
        if exclude is not None:
            where.append("d.destination != ?")
            params.append(exclude)
        rows = self.db.query(
            f"""SELECT d.id, d.event_id, d.destination, d.guild_id, d.attempts, e.data,
                       t.key AS title_key
                FROM deliveries d JOIN events e ON e.id = d.event_id
                JOIN titles t ON t.id = e.title_id
                WHERE {" AND ".join(where)} ORDER BY d.id LIMIT ?""",
            [*params, limit],
        )
        return [
            PendingDelivery(
                id=row["id"],
                event_id=row["event_id"],
                destination=row["destination"],
                guild_id=row["guild_id"],
                attempts=row["attempts"],
                event=event_from_json(json.loads(row["data"]), title_key=row["title_key"]),
            )
            for row in rows
        ]

    def mark_sent(
        self, delivery_ids: Sequence[int], *, now: datetime, message_id: int | None = None
    ) -> None:
        with self.write():
            self.db.conn.executemany(
                "UPDATE deliveries SET status = 'sent', sent_at = ?, message_id = ? WHERE id = ?",
                [(iso(now), message_id, delivery_id) for delivery_id in delivery_ids],
            )

    # -- guild settings and subscriptions ---------------------------------------

    def guild_alerts(self) -> list[GuildAlerts]:
        return [
            GuildAlerts(
                guild_id=row["guild_id"],
                channel_id=row["channel_id"],
                min_countries=row["min_countries"],
                watched_markets=_json_tuple(row["watched_markets"]),
                charts=_json_tuple(row["charts"]),
            )
            for row in self.db.query("SELECT * FROM guild_settings ORDER BY guild_id")
        ]

    def subscriptions_for(self, title_keys: Iterable[str]) -> list[Subscription]:
        keys = sorted(set(title_keys))
        found: list[Subscription] = []
        for start in range(0, len(keys), _BATCH):
            batch = keys[start : start + _BATCH]
            marks = ",".join("?" * len(batch))
            found += [
                _subscription(row)
                for row in self.db.query(
                    f"""SELECT s.*, t.key AS title_key, t.name AS title FROM subscriptions s
                        JOIN titles t ON t.id = s.title_id WHERE t.key IN ({marks})
                        ORDER BY s.id""",
                    batch,
                )
            ]
        return found

    def add_subscription(
        self,
        *,
        user_id: int,
        title_id: int,
        guild_id: int | None,
        via: str,
        channel_id: int | None = None,
        country: str | None = None,
        now: datetime,
    ) -> None:
        with self.write():
            self.db.execute(
                """INSERT INTO subscriptions
                       (guild_id, user_id, title_id, country, via, channel_id, created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (guild_id, user_id, title_id) DO UPDATE SET
                       country = excluded.country, via = excluded.via,
                       channel_id = excluded.channel_id""",
                [guild_id, user_id, title_id, country, via, channel_id, iso(now)],
            )

    # -- titles and standings ---------------------------------------------------

    def title_candidates(self) -> list[Candidate]:
        return [
            Candidate(row["id"], row["name"], row["artist"])
            for row in self.db.query("SELECT id, name, artist FROM titles ORDER BY id")
        ]

    def title_by_key(self, name: str, artist: str | None = None) -> Candidate | None:
        rows = list(
            self.db.query(
                "SELECT id, name, artist FROM titles WHERE key = ?", [title_key(name, artist)]
            )
        )
        return Candidate(rows[0]["id"], rows[0]["name"], rows[0]["artist"]) if rows else None

    def title_ranks(self, title_id: int) -> list[TitleRank]:
        """Every stored rank of a title, oldest period first."""
        return [
            TitleRank(
                chart_id=row["chart_id"],
                source=row["source"],
                chart=row["name"],
                period=row["period"],
                country=row["country"],
                rank=row["rank"],
                weeks=row["weeks"],
            )
            for row in self.db.query(
                """SELECT r.chart_id, c.source, c.name, r.period, r.country, r.rank, r.weeks
                   FROM ranks r JOIN charts c ON c.id = r.chart_id
                   WHERE r.title_id = ? ORDER BY r.period, c.source, c.name, r.country, r.rank""",
                [title_id],
            )
        ]

    def chart_periods(self, chart_id: int) -> list[str]:
        return [
            row[0]
            for row in self.db.execute(
                "SELECT period FROM periods WHERE chart_id = ? ORDER BY period", [chart_id]
            )
        ]

    def number_one_count(self, chart_id: int, period: str, title_id: int) -> int:
        return self.db.execute(
            """SELECT count(DISTINCT country) FROM ranks
               WHERE chart_id = ? AND period = ? AND title_id = ? AND rank = 1""",
            [chart_id, period, title_id],
        ).fetchone()[0]


def _json_tuple(text: str | None) -> tuple[str, ...] | None:
    return tuple(json.loads(text)) if text else None


def _subscription(row: dict[str, Any]) -> Subscription:
    return Subscription(
        id=row["id"],
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        title_key=row["title_key"],
        title=row["title"],
        country=row["country"],
        via=row["via"],
        channel_id=row["channel_id"],
    )


def _explain(exc: sqlite3.DatabaseError) -> str:
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
