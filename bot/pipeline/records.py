"""A poll's bookkeeping beside its data: unchanged fetches, failures and the source's health,
files skipped in a watched folder, and the notices the admins get about them."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.engine.health import HealthPolicy, after_failure
from bot.engine.notices import FileSkipped, SourceFailing, SourceRecovered
from bot.engine.source_types import Failure, SourceHealth
from bot.engine.stored import SkippedFile
from bot.pipeline.outcome import PollOutcome, PollStatus
from bot.sources.base import Unchanged
from bot.store.store import Store


def import_advice(source: str) -> str:
    """What to do when a refused fetch is in fact right (every refusal line ends with it)."""
    return f"if the data is right, `chartbot import --source {source}` stores it as it is"


def record_unchanged(store: Store, name: str, fetched: Unchanged, *, now: datetime) -> PollOutcome:
    with store.write():
        note_recovery(store, name, now)
        store.sources.record_success(
            name, now=now, validators=fetched.validators, content_hash=None, changed=False
        )
        store.sources.add_snapshot(
            name, now=now, content_hash=None, outcome=PollStatus.UNCHANGED.value
        )
        warnings = note_skipped(store, name, fetched.skipped, now=now)
        latest = store.charts.latest_periods(name)
    newest = max(latest.values()) if latest else "nothing stored"
    return PollOutcome(
        name, PollStatus.UNCHANGED, f"{name}: unchanged (latest {newest})", warnings=warnings
    )


def note_skipped(
    store: Store, name: str, skipped: list[SkippedFile], *, now: datetime
) -> list[str]:
    """Keep the source's skipped files; the admins hear of each new one once. Returns a
    warning line per file newly skipped."""
    state = store.sources.state(name)
    before = state.skipped if state is not None else {}
    if {f.name: f for f in skipped} == before:
        return []
    store.sources.set_skipped(name, skipped)
    fresh = [f for f in skipped if before.get(f.name) != f]
    for file in fresh:
        store.outbox.add_notice(FileSkipped(name, file.name, file.kind), now=now)
    return [f"skipped {f.reason}" for f in fresh]


def record_failed(
    store: Store,
    name: str,
    failure: Failure,
    latest: dict[str, str],
    *,
    health: HealthPolicy,
    now: datetime,
    stop: bool = False,
) -> PollOutcome:
    """Count a failure; pause the source or tell the admins when its health says so (at
    once with `stop`: trying again cannot help, as with a refused API key)."""
    reason = " ".join(failure.reason.split())  # one line, whatever the error text held
    failure = replace(failure, reason=reason)
    with store.write():
        state = store.sources.record_failure(name, failure, now=now)
        decided = after_failure(
            health,
            failures=state.failures,
            failing_since=state.failing_since or now,
            notified=state.notified_failing,
            now=now,
            stop=stop,
        )
        if decided.status != state.status:
            store.sources.set_status(name, decided.status)
        if decided.notify:
            since = state.failing_since or now
            disabled = decided.status is SourceHealth.DISABLED
            notice = SourceFailing(name, failure.kind, failure.status, since, paused=disabled)
            told = store.outbox.add_notice(notice, now=now)
            if told:  # with no alert channel anywhere yet, the next failure tries again
                store.sources.set_notified(name, True)
    kept = f"kept the snapshot of {max(latest.values())}" if latest else "nothing stored yet"
    paused = ""
    if decided.status is SourceHealth.DISABLED:
        paused = (
            "; paused: trying again cannot help, `chartbot poll` tries it by hand"
            if stop
            else "; paused after too many failures"
        )
    return PollOutcome(
        name,
        PollStatus.FAILED,
        f"{name}: {reason}; {kept}{paused}",
        error=reason,
        health=decided.status,
        failures=state.failures,
    )


def note_recovery(store: Store, name: str, now: datetime) -> None:
    """A source that was reported failing tells the admins it works again (once)."""
    state = store.sources.state(name)
    if state is not None and state.notified_failing:
        store.outbox.add_notice(SourceRecovered(name), now=now)
        store.sources.set_notified(name, False)
