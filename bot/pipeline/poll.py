"""One poll of one source: fetch, check, store, diff, enqueue, in that order.

The fetch and parse happen outside any transaction (the source reads everything the
commit needs, with what the store held when the poll began). Everything after, from
re-reading what is stored to writing the outbox, is one IMMEDIATE transaction
(`commit_snapshot`, bot/pipeline/commit.py), so a poll killed at any moment leaves either nothing or
everything, and two polls at once take turns and never compute the same new period
twice. Nothing is parsed while the write lock is held: when the store changed since
the poll began (another process polled), the commit says so (`Stale`) and the poll
reads again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

import aiohttp

from bot.alerts.render import counted
from bot.clock import utcnow
from bot.engine.events import AlertPolicy
from bot.engine.health import HealthPolicy
from bot.engine.plan import Plan, Rejected
from bot.engine.source_types import Failure, FailureKind
from bot.faults import checkpoint
from bot.pipeline.commit import AsPolled, Committed, SourceTerms, commit
from bot.pipeline.outcome import PollOutcome, PollStatus, Stale
from bot.pipeline.records import (
    import_advice,
    record_failed,
    record_unchanged,
)
from bot.sources.base import Known, Snapshot, Source, SourceError, Unchanged
from bot.store.store import Store
from bot.store.thread import StoreThread

log = logging.getLogger(__name__)

DEFAULT_HEALTH = HealthPolicy()
ATTEMPTS = 2  # a poll that finds the store changed under it reads once more


async def poll_source(
    source: Source,
    db: StoreThread,
    *,
    session: aiohttp.ClientSession,
    policy: AlertPolicy,
    terminal: bool = False,
    health: HealthPolicy = DEFAULT_HEALTH,
    clock: Callable[[], datetime] = utcnow,
) -> PollOutcome:
    """Poll one source once. Never raises for a bad fetch: the outcome says what happened."""
    terms = SourceTerms.of(source)
    latest: dict[str, str] = {}
    stops = False
    failure: Failure
    for attempt in range(1, ATTEMPTS + 1):
        known, latest = await db.call(known_for, terms)
        try:
            fetched = await source.fetch_snapshot(
                session=session, validators=known.validators, known=known
            )
            if isinstance(fetched, Unchanged):
                return await db.call(record_unchanged, source.name, fetched, now=clock())
            checkpoint("before_commit")
            return await db.call(
                commit_snapshot, fetched, terms, policy=policy, terminal=terminal, now=clock()
            )
        except Stale as exc:
            if attempt < ATTEMPTS:
                log.info("source %s: %s; reading again", source.name, exc)
                continue
            failure = Failure(FailureKind.RACED, f"{exc}; it is tried again at the next poll")
        except Rejected as exc:
            failure = Failure(exc.kind, f"{exc}; {import_advice(source.name)}")
        except SourceError as exc:
            failure, stops = exc.failure, exc.stops_source
        except Exception as exc:
            log.debug("source %s: unexpected error", source.name, exc_info=True)
            reason = f"unexpected error: {type(exc).__name__}: {exc}"
            failure = Failure(FailureKind.UNEXPECTED, reason)
        break
    return await db.call(
        record_failed, source.name, failure, latest, health=health, now=clock(), stop=stops
    )


def known_for(store: Store, terms: SourceTerms) -> tuple[Known, dict[str, str]]:
    """What the store holds for the source, for the fetch to skip what it need not read."""
    store.sources.ensure(terms.identity)
    state = store.sources.state(terms.name)
    assert state is not None
    stored = store.charts.stored_periods(terms.name)
    known = Known(
        content_hash=state.content_hash,
        latest={chart: max(periods) for chart, periods in stored.items() if periods},
        history_hash=state.history_hash,
        skipped=state.skipped,
        validators=state.validators,
        stored={
            (chart, period): held.digest
            for chart, periods in stored.items()
            for period, held in periods.items()
        },
    )
    return known, dict(known.latest)


def commit_snapshot(
    store: Store,
    snapshot: Snapshot,
    terms: SourceTerms,
    *,
    policy: AlertPolicy,
    now: datetime,
    terminal: bool = False,
) -> PollOutcome:
    """Check a polled snapshot against the store and write it with its events and outbox
    rows, in one transaction (bot/pipeline/commit.py); how it went, for people."""
    done = commit(store, snapshot, terms, AsPolled(policy, terminal), now=now)
    decided = done.plan
    for warning in decided.warnings:
        log.warning("source %s: %s", snapshot.source, warning)
    summary = _summary(snapshot.source, decided, snapshot, done)
    return PollOutcome(
        source=snapshot.source,
        status=done.status,
        summary="; ".join([summary, *snapshot.notes]),
        new_periods=decided.new_keys,
        rows=done.rows,
        events=done.events,
        deliveries=done.deliveries,
        warnings=done.warnings,
    )


def _summary(name: str, decided: Plan, snapshot: Snapshot, done: Committed) -> str:
    status, events, deliveries = done.status, done.events, done.deliveries
    new = decided.new_keys
    rows = sum(snapshot.periods[k].rows for k in new)
    countries = len({c for k in new for c in snapshot.periods[k].countries})
    if status is PollStatus.BASELINE:
        periods = sorted({p for _, p in new})
        return (
            f"{name}: baseline recorded: {counted(len(decided.new), 'chart')}, "
            f"{counted(len(periods), 'period')} up to {periods[-1]}, {rows:,} ranks in "
            f"{counted(countries, 'country', 'countries')}; no alerts on a first poll"
        )
    rewritten = (
        f"; {counted(len(decided.rewritten), 'past period')} rewritten by the source (no "
        "alerts for them)"
        if decided.rewritten
        else ""
    )
    if status is PollStatus.NEW:
        shown = ", ".join(f"{chart} {period}" for chart, period in new)
        return (
            f"{name}: stored {shown} ({rows:,} ranks); {counted(events, 'event')}, "
            f"{counted(deliveries, 'delivery', 'deliveries')} queued{rewritten}"
        )
    if status is PollStatus.REWRITTEN:
        return f"{name}: no new period{rewritten}"
    return f"{name}: nothing new since the last poll"
