"""How the schema's migrations are registered and run (sqlite_utils.migrations), and the
by-title index that a big first import drops and builds again. The migrations themselves
are in bot/store/schema.py and bot/store/schema_next.py.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

MigrationFunction = Callable[[Database], None]
migrations = Migrations("chartbot")
MIGRATIONS: list[str] = []  # every migration's name, in order (Migrations keeps its list private)

# The index /rank reads a title's ranks by, as the latest migration that makes it (0007)
# left it; a big first import drops it and builds it again at its end (bot/store/charts.py).
RANKS_BY_TITLE = "CREATE INDEX ranks_by_title ON ranks(title_id, chart_id, period, weeks, season)"


def has_ranks_by_title(db: Database | sqlite3.Connection) -> bool:
    """Has the store its by-title index (a first big import under way has not)?"""
    found = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'ranks_by_title'"
    ).fetchone()
    return found is not None


def migration(name: str) -> Callable[[MigrationFunction], MigrationFunction]:
    """Register a migration under its name (and remember the name)."""

    def register(fn: MigrationFunction) -> MigrationFunction:
        MIGRATIONS.append(name)
        return migrations(name=name)(fn)

    return register


def run_script(db: Database, script: str) -> None:
    """Run a script's statements one by one, inside the caller's transaction.

    (sqlite3's own executescript commits first; sqlite-utils' splits a long script
    in quadratic time, 40 ms for the first migration.)
    """
    pending = ""
    for part in script.split(";"):
        pending += part + ";"
        if sqlite3.complete_statement(pending):  # not a ";" inside a comment or a string
            if pending.strip(" \n;"):
                db.execute(pending)
            pending = ""
