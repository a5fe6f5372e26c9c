"""One poll of one source: fetch, check, store, diff, enqueue, in that order.

The fetch and parse happen outside any transaction. Everything after them,
from re-reading what is stored to writing the outbox, is one IMMEDIATE
transaction (`commit_snapshot`), so a poll killed at any moment leaves either
nothing or everything, and two polls at once take turns and never compute the
same new period twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.alerts.render import counted, failing_notice, recovered_notice, skipped_notice
from bot.bulk import collector_paused
from bot.delivery.outbox import route
from bot.engine.diff import diff
from bot.engine.events import AlertPolicy, Event
from bot.engine.health import HealthPolicy, after_failure
from bot.engine.model import ChartPeriod, ChartPeriodKey, PeriodSummary
from bot.engine.plan import Plan, Rejected, Stored, plan
from bot.faults import checkpoint
from bot.sources.base import (
    Known,
    SkippedFile,
    Snapshot,
    Source,
    SourceError,
    Unchanged,
    skipped_to_json,
)
from bot.store.store import Store, utcnow
from bot.store.thread import StoreThread

log = logging.getLogger(__name__)

DEFAULT_HEALTH = HealthPolicy()


@dataclass(slots=True)
class PollOutcome:
    """How one poll of one source went, with a one-line summary for people."""

    source: str
    status: str  # baseline | new | rewritten | unchanged | failed
    summary: str
    error: str | None = None
    new_periods: list[ChartPeriodKey] = field(default_factory=list)
    rows: int = 0
    events: int = 0
    deliveries: int = 0
    warnings: list[str] = field(default_factory=list)
    health: str = "ok"  # the source's health after this poll: ok | failing | disabled
    failures: int = 0  # consecutive failures so far

    @property
    def failed(self) -> bool:
        return self.status == "failed"


async def poll_source(
    source: Source,
    db: StoreThread,
    *,
    session: Any,
    policy: AlertPolicy,
    terminal: bool = False,
    health: HealthPolicy = DEFAULT_HEALTH,
    clock: Callable[[], datetime] = utcnow,
) -> PollOutcome:
    """Poll one source once. Never raises for a bad fetch: the outcome says what happened."""
    state, latest = await db.call(_prepare, source)
    try:
        fetched = await source.fetch_snapshot(
            session=session,
            validators=state.validators,
            known=Known(state.content_hash, latest, state.history_hash, state.skipped),
        )
        if isinstance(fetched, Unchanged):
            return await db.call(record_unchanged, source.name, fetched, now=clock())
        checkpoint("before_commit")
        return await db.call(
            commit_snapshot,
            fetched,
            kind=source.config.kind,
            location=source.location,
            policy=policy,
            terminal=terminal,
            charts=source.config.charts,
            countries=source.expected_countries,
            fixed_length=source.fixed_length,
            whole_history=source.whole_history,
            now=clock(),
        )
    except Rejected as exc:
        reason = f"{exc}; {import_advice(source.name)}"
    except SourceError as exc:
        reason = str(exc)
    except Exception as exc:
        log.debug("source %s: unexpected error", source.name, exc_info=True)
        reason = f"unexpected error: {type(exc).__name__}: {exc}"
    return await db.call(record_failed, source.name, reason, latest, health=health, now=clock())


def _prepare(store: Store, source: Source) -> tuple[Any, dict[str, str]]:
    store.ensure_source(source.name, source.config.kind, source.location)
    state = store.source_state(source.name)
    return state, store.latest_periods(source.name)


def import_advice(source: str) -> str:
    """What to do when a refused fetch is in fact right (every refusal line ends with it)."""
    return f"if the data is right, `chartbot import --source {source}` stores it as it is"


def record_unchanged(store: Store, name: str, fetched: Unchanged, *, now: datetime) -> PollOutcome:
    with store.write():
        _note_recovery(store, name, now)
        store.record_success(
            name,
            now=now,
            validators=fetched.validators,
            content_hash=None,
            changed=False,
        )
        store.add_snapshot(name, now=now, content_hash=None, outcome="unchanged")
        warnings = note_skipped(store, name, fetched.skipped, now=now)
        latest = store.latest_periods(name)
    newest = max(latest.values()) if latest else "nothing stored"
    return PollOutcome(name, "unchanged", f"{name}: unchanged (latest {newest})", warnings=warnings)


def note_skipped(
    store: Store, name: str, skipped: list[SkippedFile], *, now: datetime
) -> list[str]:
    """Keep the source's skipped files; the admins hear of each new one once. Returns a
    warning line per file newly skipped."""
    state = store.source_state(name)
    before = state.skipped if state is not None else {}
    if {f.name: f for f in skipped} == before:
        return []
    store.set_source_fields(name, skipped=skipped_to_json(skipped))
    fresh = [f for f in skipped if before.get(f.name) != f]
    for file in fresh:
        store.add_notice(skipped_notice(name, file.name, file.reason), now=now)
    return [f"skipped {f.reason}" for f in fresh]


def record_failed(
    store: Store,
    name: str,
    reason: str,
    latest: dict[str, str],
    *,
    health: HealthPolicy,
    now: datetime,
) -> PollOutcome:
    """Count a failure; pause the source or tell the admins when its health says so."""
    reason = " ".join(reason.split())  # one line, whatever the error text held
    with store.write():
        state = store.record_failure(name, reason, now=now)
        decided = after_failure(
            health,
            failures=state.failures,
            failing_since=state.failing_since or now,
            notified=state.notified_failing,
            now=now,
        )
        if decided.status != state.status:
            store.set_source_fields(name, status=decided.status)
        if decided.notify:
            since = state.failing_since or now
            told = store.add_notice(
                failing_notice(name, reason, since, decided.status == "disabled"), now=now
            )
            if told:  # with no alert channel anywhere yet, the next failure tries again
                store.set_source_fields(name, notified_failing=1)
    kept = f"kept the snapshot of {max(latest.values())}" if latest else "nothing stored yet"
    paused = "; paused after too many failures" if decided.status == "disabled" else ""
    return PollOutcome(
        name,
        "failed",
        f"{name}: {reason}; {kept}{paused}",
        error=reason,
        health=decided.status,
        failures=state.failures,
    )


def _note_recovery(store: Store, name: str, now: datetime) -> None:
    """A source that was reported failing tells the admins it works again (once)."""
    state = store.source_state(name)
    if state is not None and state.notified_failing:
        store.add_notice(recovered_notice(name), now=now)
        store.set_source_fields(name, notified_failing=0)


def commit_snapshot(
    store: Store,
    snapshot: Snapshot,
    *,
    kind: str,
    location: str | None,
    policy: AlertPolicy,
    now: datetime,
    terminal: bool = False,
    charts: list[str] | None = None,
    countries: frozenset[str] | None = None,
    fixed_length: bool = True,
    whole_history: bool = True,
) -> PollOutcome:
    """Check a polled snapshot against the store and write it with its events and outbox rows.

    All in one transaction. Raises Rejected (nothing written) when the
    snapshot must not be stored.
    """
    name = snapshot.source
    with collector_paused(), store.write():
        store.ensure_source(name, kind, location)
        _note_recovery(store, name, now)
        stored = store.stored_periods(name)
        if snapshot.based_on is not None:
            snapshot = settle(store, snapshot, stored)
        decided = plan(
            snapshot.periods,
            stored,
            today=now.date(),
            charts=charts,
            countries=countries,
            as_stored=snapshot.as_stored,
            fixed_length=fixed_length,
            whole_history=whole_history,
        )
        load_needed_rows(snapshot, decided)
        outcome = _status(decided)
        written = decided.new_keys + decided.rewritten
        snapshot_id = store.add_snapshot(
            name,
            now=now,
            content_hash=snapshot.content_hash,
            outcome=outcome,
            rows=sum(snapshot.periods[k].rows for k in written),
            new_periods=decided.new_keys,
            latest_period=max((p for _, p in snapshot.periods), default=None),
        )
        chart_ids, title_ids = write_periods(store, snapshot, decided, snapshot_id, bulk=False)
        events: list[Event] = []
        deliveries = 0
        if not decided.baseline:
            events = _events(store, snapshot, decided)
            added = store.add_events(
                events, chart_ids=chart_ids, snapshot_id=snapshot_id, now=now, title_ids=title_ids
            )
            latest = decided.latest()
            alertable = [(i, e) for i, e in added if latest.get(e.chart) == e.period]
            routed = route(
                alertable,
                default=policy,
                guilds=store.guild_alerts(),
                subscriptions=store.subscriptions_for({e.title_key for _, e in alertable}),
                terminal=terminal,
            )
            deliveries = store.add_deliveries(routed, now=now)
        store.record_success(
            name,
            now=now,
            validators=snapshot.validators,
            content_hash=snapshot.content_hash,
            changed=bool(written),
        )
        exact = _stored_exactly(snapshot, decided, stored)
        store.set_source_fields(name, history_hash=snapshot.content_hash if exact else None)
        skipped = note_skipped(store, name, snapshot.skipped, now=now)
        checkpoint("in_commit")
    checkpoint("after_commit")
    for warning in decided.warnings:
        log.warning("source %s: %s", name, warning)
    summary = _summary(name, decided, snapshot, outcome, len(events), deliveries)
    return PollOutcome(
        source=name,
        status=outcome,
        summary="; ".join([summary, *snapshot.notes]),
        new_periods=decided.new_keys,
        rows=sum(snapshot.periods[k].rows for k in written),
        events=len(events),
        deliveries=deliveries,
        warnings=decided.warnings + skipped,
    )


def write_periods(
    store: Store, snapshot: Snapshot, decided: Plan, snapshot_id: int, *, bulk: bool
) -> tuple[dict[str, int], dict[str, int]]:
    """Write the periods a plan says to (new, rewritten, extended); returns the chart ids
    and title ids used. `bulk`: a load that may build the by-title index at the end."""
    name = snapshot.source
    written = decided.new_keys + decided.rewritten
    chart_ids = store.chart_ids(name, sorted({c for c, _ in snapshot.periods}), snapshot.units)
    title_ids = store.title_ids(row for key in written for row in snapshot.rows[key])
    with store.loading_ranks(bulk=bulk):
        for key in written:
            store.put_period(
                chart_ids[key[0]], snapshot.periods[key], snapshot.rows[key], title_ids, snapshot_id
            )
    for (chart, period), added in decided.extended.items():
        rows = [r for r in snapshot.rows[(chart, period)] if r.country in added]
        store.extend_period(
            chart_ids[chart],
            PeriodSummary.of(chart, period, rows),
            rows,
            store.title_ids(rows),
            snapshot_id,
        )
    return chart_ids, title_ids


def settle(store: Store, snapshot: Snapshot, stored: Stored) -> Snapshot:
    """A snapshot read by its added lines alone, made whole.

    It stands for the whole body only while the store still holds exactly the
    body it adds to; then the stored periods are the body's other periods. If
    another poll stored something since, the whole body is read after all.
    """
    state = store.source_state(snapshot.source)
    if state is None or state.history_hash != snapshot.based_on:
        assert snapshot.reparse is not None
        latest = {chart: max(periods) for chart, periods in stored.items() if periods}
        whole = snapshot.reparse(Known(latest=latest).keep)
        whole.validators, whole.notes = snapshot.validators, snapshot.notes
        return whole
    log.debug(
        "source %s: read only the %s rows added to the body stored before",
        snapshot.source,
        f"{snapshot.row_count:,}",
    )
    snapshot.as_stored = _keys(stored)
    return snapshot


def _stored_exactly(snapshot: Snapshot, decided: Plan, stored: Stored) -> bool:
    """After this commit, are the stored periods exactly the snapshot's (no more, no other)?"""
    in_body = set(snapshot.periods) | snapshot.as_stored
    return not decided.warnings and in_body == _keys(stored) | set(decided.new_keys)


def _keys(stored: Stored) -> set[ChartPeriodKey]:
    return {(chart, period) for chart, periods in stored.items() for period in periods}


def load_needed_rows(snapshot: Snapshot, decided: Plan) -> None:
    """Make sure the rows of every period to write or diff against are at hand."""
    needed = set(decided.new_keys) | set(decided.rewritten) | set(decided.extended)
    needed |= {(c, p) for (c, _), p in decided.previous.items() if p is not None}
    needed -= snapshot.as_stored  # read from the store when needed
    missing = {key for key in needed if key in snapshot.periods and key not in snapshot.rows}
    if not missing:
        return
    if snapshot.reparse is None:
        raise Rejected(f"cannot re-read {len(missing)} periods of this snapshot")
    again = snapshot.reparse(lambda chart, period: (chart, period) in missing)
    for key in missing:
        snapshot.rows[key] = again.rows.get(key, [])


def _events(store: Store, snapshot: Snapshot, decided: Plan) -> list[Event]:
    events: list[Event] = []
    follow = store.followed_title_keys()
    for chart, period in decided.new_keys:
        previous = decided.previous[(chart, period)]
        if previous is None:
            continue
        before = snapshot.rows.get((chart, previous))
        events += diff(
            ChartPeriod.from_rows(chart, previous, before)
            if before
            else store.period_standings(snapshot.source, chart, previous),
            ChartPeriod.from_rows(chart, period, snapshot.rows[(chart, period)]),
            source=snapshot.source,
            follow=follow,
        )
    return events


def _status(decided: Plan) -> str:
    if decided.baseline:
        return "baseline"
    if decided.new_keys:
        return "new"
    return "rewritten" if decided.rewritten else "unchanged"


def _summary(
    name: str, decided: Plan, snapshot: Snapshot, outcome: str, events: int, deliveries: int
) -> str:
    new = decided.new_keys
    rows = sum(snapshot.periods[k].rows for k in new)
    countries = len({c for k in new for c in snapshot.periods[k].countries})
    if outcome == "baseline":
        periods = sorted({p for _, p in new})
        return (
            f"{name}: baseline recorded: {counted(len(decided.new), 'chart')}, "
            f"{counted(len(periods), 'period')} up to {periods[-1]}, {rows:,} ranks in "
            f"{counted(countries, 'country', 'countries')}; no alerts on a first poll"
        )
    rewritten = (
        f"; {len(decided.rewritten)} past periods rewritten by the source (no alerts for them)"
        if decided.rewritten
        else ""
    )
    if outcome == "new":
        shown = ", ".join(f"{chart} {period}" for chart, period in new)
        return (
            f"{name}: stored {shown} ({rows:,} ranks); {events:,} events, "
            f"{deliveries:,} deliveries queued{rewritten}"
        )
    if outcome == "rewritten":
        return f"{name}: no new period{rewritten}"
    return f"{name}: nothing new in the file"
