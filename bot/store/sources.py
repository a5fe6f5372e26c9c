"""Sources: what is known of each between polls (health, validators, skipped files), and the
snapshot log (one row per successful fetch)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.clock import utcnow
from bot.engine.model import ChartPeriodKey
from bot.engine.source_types import Failure, SourceHealth, SourceIdentity, ValidatorMap
from bot.engine.stored import ImportMark, SkippedFile, SourceState
from bot.store.base import (
    Repo,
    from_iso,
    iso,
    skipped_to_json,
    source_state,
    validators_to_json,
)


class SourcesRepo(Repo):
    def state(self, name: str) -> SourceState | None:
        rows = list(self.db.query("SELECT * FROM sources WHERE name = ?", [name]))
        return source_state(rows[0]) if rows else None

    def label(self, name: str) -> str:
        """How people read the source's name (its config's label), else its name."""
        row = self.db.execute("SELECT label FROM sources WHERE name = ?", [name]).fetchone()
        return str(row[0]) if row and row[0] else name

    def states(self) -> list[SourceState]:
        return [source_state(r) for r in self.db.query("SELECT * FROM sources ORDER BY name")]

    def ensure(self, source: SourceIdentity) -> None:
        """The source's row, as the config has it now."""
        self.db.execute(
            """INSERT INTO sources (name, kind, location, label) VALUES (?, ?, ?, ?)
               ON CONFLICT(name) DO UPDATE SET kind = excluded.kind,
                   location = excluded.location, label = excluded.label
               WHERE kind IS NOT excluded.kind OR location IS NOT excluded.location
                   OR label IS NOT excluded.label""",
            [source.name, source.kind, source.location, source.label],
        )

    def record_success(
        self,
        name: str,
        *,
        now: datetime,
        validators: ValidatorMap | None,
        content_hash: str | None,
        changed: bool,
    ) -> None:
        """A good fetch: health back to ok, validators and content hash kept for next time."""
        self.db.execute(
            """UPDATE sources SET status = :ok, failures = 0, failing_since = NULL,
                   last_ok_at = :now,
                   last_attempt_at = :now,
                   validators = coalesce(:validators, validators),
                   content_hash = coalesce(:hash, content_hash),
                   last_change_at = CASE WHEN :changed THEN :now ELSE last_change_at END
               WHERE name = :name""",
            {
                "ok": SourceHealth.OK.value,
                "now": iso(now),
                "validators": validators_to_json(validators) if validators is not None else None,
                "hash": content_hash,
                "changed": changed,
                "name": name,
            },
        )

    def record_failure(self, name: str, failure: Failure, *, now: datetime) -> SourceState:
        """A failed or rejected fetch: counted, with its kind and reason; nothing else
        changes."""
        self.db.execute(
            """UPDATE sources SET status = :failing, failures = failures + 1,
                   failing_since = coalesce(failing_since, :now),
                   last_error = :reason, last_error_kind = :kind, last_error_status = :status,
                   last_error_at = :now, last_attempt_at = :now
               WHERE name = :name""",
            {
                "failing": SourceHealth.FAILING.value,
                "reason": failure.reason,
                "kind": failure.kind.value,
                "status": failure.status,
                "now": iso(now),
                "name": name,
            },
        )
        state = self.state(name)
        assert state is not None
        return state

    def set_status(self, name: str, status: SourceHealth) -> None:
        self._set(name, "status", status.value)

    def set_notified(self, name: str, notified: bool) -> None:
        """Whether the admins were told this source is failing (told once per outage)."""
        self._set(name, "notified_failing", int(notified))

    def set_next_poll(self, name: str, when: datetime | None) -> None:
        self._set(name, "next_poll_at", iso(when))

    def set_history_hash(self, name: str, content_hash: str | None) -> None:
        self._set(name, "history_hash", content_hash)

    def set_skipped(self, name: str, files: list[SkippedFile]) -> None:
        self._set(name, "skipped", skipped_to_json(files))

    def _set(self, name: str, column: str, value: Any) -> None:
        self.db.execute(f"UPDATE sources SET {column} = ? WHERE name = ?", [value, name])

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

    def import_mark(self, source: str, file: str) -> ImportMark | None:
        """How far an earlier import of this file stored, if it stopped before the end."""
        row = self.db.execute(
            """SELECT fingerprint, line, rows, at, position, stored_hash FROM import_marks
               WHERE source = ? AND file = ?""",
            [source, file],
        ).fetchone()
        if row is None:
            return None
        fingerprint, line, rows, at, position, stored_hash = row
        return ImportMark(
            source, file, fingerprint, line, rows, from_iso(at) or utcnow(), position, stored_hash
        )

    def mark_import(self, mark: ImportMark) -> None:
        self.db.execute(
            """INSERT OR REPLACE INTO import_marks
                   (source, file, fingerprint, line, rows, at, position, stored_hash)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                mark.source,
                mark.file,
                mark.fingerprint,
                mark.line,
                mark.rows,
                iso(mark.at),
                mark.position,
                mark.stored_hash,
            ],
        )

    def note_import(self, mark: ImportMark) -> None:
        """How far an import's file is stored: kept, or forgotten once the file is done."""
        if mark.line:
            self.mark_import(mark)
        else:
            self.unmark_import(mark.source, mark.file)

    def unmark_import(self, source: str, file: str) -> None:
        self.db.execute("DELETE FROM import_marks WHERE source = ? AND file = ?", [source, file])
