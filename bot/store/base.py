"""What the store's repositories share: errors, timestamps, the JSON the store keeps, and the
read models it hands out."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from bot.engine.source_types import FailureKind, SourceHealth, SourceKind, ValidatorMap, Validators
from bot.engine.stored import SkippedFile, SourceState

if TYPE_CHECKING:
    from sqlite_utils import Database

    from bot.store.store import Store

BATCH = 500  # parameters per IN (...) query

T = TypeVar("T")


def batches(values: Sequence[T]) -> Iterator[tuple[Sequence[T], str]]:
    """`values` in slices small enough for one IN (...) query, each with its "?,?,?"."""
    for start in range(0, len(values), BATCH):
        batch = values[start : start + BATCH]
        yield batch, ",".join("?" * len(batch))


class StoreError(Exception):
    """The database cannot be used; the message is ready for the user."""


class Repo:
    """One kind of stored thing (sqlite-utils' `db["table"]` is the model): its queries, over
    the store's one connection. Repositories reach each other through the store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @property
    def db(self) -> Database:
        return self.store.db


def iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else None


def from_iso(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def explain(exc: sqlite3.Error, path: Path | None = None) -> str:
    """What a database error means for the user; with the database's `path`, which of its
    files (the database, its -wal, its -shm, or their folder) is the one to fix."""
    text = str(exc)
    cannot_use = any(w in text for w in ("readonly", "read-only", "unable to open", "disk I/O"))
    if cannot_use and path is not None and (culprit := unusable_file(path)):
        return culprit
    if "readonly" in text or "read-only" in text:
        return "the file is read-only (check its permissions)"
    if "locked" in text or "busy" in text:
        return "the database is locked by another process; try again when it is done"
    if "file is not a database" in text or "malformed" in text:
        return "the file is not a chartbot database (or it is damaged)"
    if "unable to open" in text:
        return "cannot open the file (check the path and permissions)"
    return text


def unusable_file(path: Path) -> str | None:
    """Which of the database's files this user cannot read and write, said with the fix;
    None when each looks usable. SQLite keeps a -wal and a -shm file beside the database,
    so a database made writable again beside a read-only -shm still fails."""
    wal, shm = path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")
    fixes = {
        path: f"chmod u+rw {path}",
        # The -wal may hold stored data: never removed. The -shm is rebuilt when missing.
        wal: f"chmod u+rw {wal} (do not remove it: it may hold stored data)",
        shm: f"chmod u+rw {shm}, or remove it while no chartbot runs (SQLite makes it again)",
    }
    for file, fix in fixes.items():
        if file.exists() and not file.is_file():
            return f"{file} is not a file: remove it while no chartbot runs"
        if file.exists() and not os.access(file, os.R_OK | os.W_OK):
            return f"{file} is read-only for this user: {fix}"
    folder = path.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        return (
            f"the folder {folder} is read-only for this user; SQLite writes {wal.name} and "
            f"{shm.name} beside the database there"
        )
    return None


# -- the JSON the store keeps ------------------------------------------------------------------


def validators_to_json(validators: ValidatorMap) -> str | None:
    kept = {
        url: [v.etag, v.last_modified] for url, v in validators.items() if v.etag or v.last_modified
    }
    return json.dumps(kept, sort_keys=True) if kept else None


def validators_from_json(text: str | None) -> ValidatorMap:
    if not text:
        return {}
    return {url: Validators(etag, modified) for url, (etag, modified) in json.loads(text).items()}


UNREADABLE = FailureKind.UNREADABLE


def skipped_to_json(files: list[SkippedFile]) -> str | None:
    kept = {f.name: [f.fingerprint, f.reason, f.kind.value] for f in files}
    return json.dumps(kept, sort_keys=True, ensure_ascii=False) if kept else None


def skipped_from_json(text: str | None) -> dict[str, SkippedFile]:
    if not text:
        return {}
    return {
        # (A file skipped before failures had kinds is kept with its text only.)
        name: SkippedFile(name, fingerprint, reason, FailureKind(kind[0]) if kind else UNREADABLE)
        for name, (fingerprint, reason, *kind) in json.loads(text).items()
    }


def json_tuple(text: str | None) -> tuple[str, ...] | None:
    return tuple(json.loads(text)) if text else None


def source_state(row: dict[str, Any]) -> SourceState:
    return SourceState(
        name=row["name"],
        kind=SourceKind(row["kind"]),
        location=row["location"],
        validators=validators_from_json(row["validators"]),
        content_hash=row["content_hash"],
        status=SourceHealth(row["status"]),
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
        last_error_kind=FailureKind(row["last_error_kind"]) if row.get("last_error_kind") else None,
        last_error_status=row.get("last_error_status"),
    )
