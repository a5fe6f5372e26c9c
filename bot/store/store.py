"""All SQL lives in this package: the Store wraps one SQLite file through sqlite-utils.

A Store is one connection, used by one thread. Writes that must be atomic
(a snapshot, its events and their outbox rows) run inside `write()`, a
`BEGIN IMMEDIATE` transaction: two processes polling one database take turns,
and the second one sees what the first committed before it decides anything.
Its methods live in parts: charts.py (sources, snapshots, ranks, titles),
outbox.py (events and deliveries), guilds.py (settings and subscriptions).
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from sqlite_utils import Database

from bot.store.base import (
    ChartInfo,
    ChartLine,
    PendingDelivery,
    SourceState,
    StoreError,
    TitleRank,
    explain,
    from_iso,
    iso,
    utcnow,
)
from bot.store.charts import ChartsPart
from bot.store.guilds import GuildsPart
from bot.store.outbox import OutboxPart
from bot.store.schema import migrations

log = logging.getLogger(__name__)

BUSY_TIMEOUT = 60.0  # seconds to wait for another process's write to finish

__all__ = [
    "ChartInfo",
    "ChartLine",
    "PendingDelivery",
    "SourceState",
    "Store",
    "StoreError",
    "TitleRank",
    "from_iso",
    "iso",
    "utcnow",
]


class Store(ChartsPart, OutboxPart, GuildsPart):
    """One SQLite database: schema, snapshots, events, outbox, settings."""

    def __init__(self, db: Database, path: Path | None, busy_timeout: float = BUSY_TIMEOUT) -> None:
        self.db = db
        self.path = path
        self.busy_timeout = busy_timeout

    @classmethod
    def open(
        cls, path: str | Path, *, migrate: bool = True, busy_timeout: float = BUSY_TIMEOUT
    ) -> Store:
        """Open (creating if needed) and migrate a database, or raise StoreError."""
        path = Path(path)
        if path.is_dir():
            raise StoreError(f"database {path} is a folder, not a file")
        if not path.parent.exists():
            raise StoreError(f"database {path}: the folder {path.parent} does not exist")
        try:
            conn = sqlite3.connect(path, timeout=busy_timeout)
            store = cls(Database(conn), path, busy_timeout)
            store._configure()
            if migrate:
                store._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"database {path}: {explain(exc)}") from None
        return store

    def _configure(self) -> None:
        self.db.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
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

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
