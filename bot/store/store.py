"""All SQL lives in this package: the Store is one SQLite connection and its repositories.

A Store is one connection, used by one thread; the repositories over it are
`store.sources` (sources, their health and snapshots), `store.charts` (charts,
periods, ranks), `store.titles`, `store.outbox` (events and deliveries) and
`store.guilds` (server settings and subscriptions) and `store.rewrites` (stored periods
a source rewrote, as they were). Writes that must be atomic
(a snapshot, its events and their outbox rows) run inside `write()`, a
`BEGIN IMMEDIATE` transaction: two processes polling one database take turns,
and the second one sees what the first committed before it decides anything.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self

from sqlite_utils import Database

import bot.store.schema_next  # noqa: F401 (importing the schema registers its migrations)
from bot.store.base import StoreError, explain
from bot.store.charts import ChartsRepo
from bot.store.forecasts import ForecastsRepo
from bot.store.guilds import GuildsRepo
from bot.store.migration import MIGRATIONS, migrations
from bot.store.outbox import OutboxRepo
from bot.store.rewrites import RewritesRepo
from bot.store.sources import SourcesRepo
from bot.store.titles import TitlesRepo

log = logging.getLogger(__name__)

BUSY_TIMEOUT = 60.0  # seconds to wait for another process's write to finish
OWNER_ONLY = 0o600  # the database holds member and channel ids


class Store:
    """One SQLite database: schema, snapshots, events, outbox, settings."""

    def __init__(
        self,
        db: Database,
        path: Path | None,
        busy_timeout: float = BUSY_TIMEOUT,
        *,
        read_only: bool = False,
    ) -> None:
        self.db = db
        self.path = path
        self.busy_timeout = busy_timeout
        self.read_only = read_only
        self.sources = SourcesRepo(self)
        self.charts = ChartsRepo(self)
        self.titles = TitlesRepo(self)
        self.outbox = OutboxRepo(self)
        self.guilds = GuildsRepo(self)
        self.rewrites = RewritesRepo(self)
        self.forecasts = ForecastsRepo(self)

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        migrate: bool = True,
        busy_timeout: float = BUSY_TIMEOUT,
        read_only: bool = False,
    ) -> Store:
        """Open (creating if needed) and migrate a database, or raise StoreError.

        A read-only store is a reader beside the writer (WAL lets it read while a poll
        writes): it never migrates, and SQLite refuses it any write.
        """
        path = Path(path)
        if path.is_dir():
            raise StoreError(f"database {path} is a folder, not a file")
        if not path.parent.exists():
            raise StoreError(f"database {path}: the folder {path.parent} does not exist")
        try:
            if not path.exists() and not read_only:
                # Owner-only from the start: SQLite gives the -wal and -shm files the
                # database's own permissions.
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, OWNER_ONLY))
            # A reader is closed by the pool after its thread is done with it.
            conn = sqlite3.connect(path, timeout=busy_timeout, check_same_thread=not read_only)
            store = cls(Database(conn), path, busy_timeout, read_only=read_only)
            store._configure()
            if migrate and not read_only:
                store._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"database {path}: {explain(exc, path)}") from None
        return store

    def _configure(self) -> None:
        self.db.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
        if self.read_only:
            self.db.execute("PRAGMA query_only = ON")
            return
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
        newer = sorted({m.name for m in migrations.applied(self.db)} - set(MIGRATIONS))
        if newer:
            raise StoreError(
                f"database {self.path} was written by a newer chartbot "
                f"(it has migration {newer[-1]!r}); upgrade chartbot to use it"
            )

    @contextmanager
    def write(self) -> Iterator[Self]:
        """An IMMEDIATE transaction: committed whole, or not at all. Not nestable."""
        conn = self.db.conn
        if conn.in_transaction:
            raise RuntimeError("Store.write() does not nest")
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield self
            except BaseException:
                conn.rollback()
                raise
            conn.commit()
        except sqlite3.OperationalError as exc:
            raise self.unusable(exc) from None

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )

    def unusable(self, exc: sqlite3.OperationalError) -> Exception:
        """The error to raise for `exc`: a StoreError naming the file to fix when a file of
        the database cannot be written (read-only, or not a file), else `exc` itself."""
        if self.path is None or not _cannot_write(exc):
            return exc
        return StoreError(f"database {self.path}: {explain(exc, self.path)}")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        self.close()
        if isinstance(exc, sqlite3.OperationalError) and (said := self.unusable(exc)) is not exc:
            raise said from None


def _cannot_write(exc: sqlite3.Error) -> bool:
    """An error that says a file of the database cannot be written (not a lock, not a bug)."""
    return any(w in str(exc) for w in ("readonly", "read-only", "unable to open", "disk I/O"))
