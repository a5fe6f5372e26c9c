"""Looking into a test's store."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.engine.source_types import FailureKind, SourceHealth, SourceKind
from bot.engine.stored import SkippedFile, SourceState
from bot.service.status import SourceReport
from bot.store.store import Store


def latest_period(config: Path, source: str = "netflix") -> str | None:
    """The newest period stored for a source of the config's store."""
    with Store.open(config.parent / "chartbot.db") as store:
        latest = store.charts.latest_periods(source)
    return max(latest.values()) if latest else None


def failing_source(
    name: str,
    *,
    status: SourceHealth = SourceHealth.FAILING,
    kind: FailureKind = FailureKind.HTTP_STATUS,
    skipped: int = 5,
    at: datetime = datetime(2026, 12, 1, tzinfo=UTC),
) -> SourceReport:
    """A source failing (3 times, an HTTP 500 with a long error text) with long-named files
    skipped, as /status and `chartbot status` show it."""
    files = [f"file-{n}-{'y' * 80}.csv" for n in range(skipped)]
    state = SourceState(
        name=name,
        kind=SourceKind.TABLE,
        location=None,
        validators={},
        content_hash=None,
        status=status,
        failures=3,
        failing_since=at,
        last_error="HTTP 500 " + "x" * 500,
        last_error_at=at,
        last_ok_at=at,
        last_change_at=at,
        last_attempt_at=at,
        next_poll_at=at,
        notified_failing=True,
        skipped={f: SkippedFile(f, "1:2", "not a chart", FailureKind.CUT_OFF) for f in files},
        last_error_kind=kind,
        last_error_status=500,
    )
    return SourceReport(name, True, state, "2026-11-30", at)
