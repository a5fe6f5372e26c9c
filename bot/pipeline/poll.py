"""One poll of one source: fetch, check, store, diff, enqueue, in that order.

The fetch and parse happen outside any transaction (the source reads everything the
commit needs, with what the store held when the poll began). Everything after, from
re-reading what is stored to writing the outbox, is one IMMEDIATE transaction
(`commit_snapshot`), so a poll killed at any moment leaves either nothing or
everything, and two polls at once take turns and never compute the same new period
twice. Nothing is parsed while the write lock is held: when the store changed since
the poll began (another process polled), the commit says so (`Stale`) and the poll
reads again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import Any

from bot.alerts.render import counted
from bot.bulk import collector_paused
from bot.clock import utcnow
from bot.engine import milestones
from bot.engine.diff import diff
from bot.engine.events import AlertPolicy, Event
from bot.engine.health import HealthPolicy
from bot.engine.model import ChartPeriod, ChartPeriodKey, PeriodSummary, titles_of
from bot.engine.plan import Plan, Rejected, Stored, plan
from bot.engine.routing import route
from bot.engine.sources import Failure, FailureKind, SourceIdentity
from bot.faults import checkpoint
from bot.pipeline.outcome import PollOutcome, PollStatus, Stale
from bot.pipeline.records import (
    import_advice,
    note_recovery,
    note_skipped,
    record_failed,
    record_unchanged,
)
from bot.sources.base import Known, Snapshot, Source, SourceError, Unchanged
from bot.store.store import Store
from bot.store.thread import StoreThread

log = logging.getLogger(__name__)

DEFAULT_HEALTH = HealthPolicy()
ATTEMPTS = 2  # a poll that finds the store changed under it reads once more


@dataclass(frozen=True, slots=True)
class SourceTerms:
    """What a source is and promises about its data, for the checks of a commit."""

    identity: SourceIdentity
    charts: list[str] | None = None  # the stored charts its files must still carry
    countries: frozenset[str] | None = None  # the countries it is configured to carry
    fixed_length: bool = True
    whole_history: bool = True

    @property
    def name(self) -> str:
        return self.identity.name

    @classmethod
    def of(cls, source: Source) -> SourceTerms:
        return cls(
            identity=source.identity,
            charts=source.config.charts,
            countries=source.expected_countries,
            fixed_length=source.fixed_length,
            whole_history=source.whole_history,
        )


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
    """Check a polled snapshot against the store and write it with its events and outbox rows.

    All in one transaction. Raises Rejected (nothing written) when the snapshot must
    not be stored, Stale when the store changed since the snapshot was read.
    """
    name = snapshot.source
    with collector_paused(), store.write():
        store.sources.ensure(terms.identity)
        note_recovery(store, name, now)
        stored = store.charts.stored_periods(name)
        if snapshot.based_on is not None:
            state = store.sources.state(name)
            if state is None or state.history_hash != snapshot.based_on:
                raise Stale("another poll stored this source's data since this one began")
        decided = plan(
            snapshot.periods,
            stored,
            today=now.date(),
            charts=terms.charts,
            countries=terms.countries,
            as_stored=snapshot.as_stored,
            fixed_length=terms.fixed_length,
            whole_history=terms.whole_history,
        )
        written = decided.new_keys + decided.rewritten
        missing = [key for key in written if key not in snapshot.rows]
        if missing:
            raise Stale(f"the stored {missing[0][0]} {missing[0][1]} changed since this poll began")
        status = _status(decided)
        snapshot_id = store.sources.add_snapshot(
            name,
            now=now,
            content_hash=snapshot.content_hash,
            outcome=status.value,
            rows=sum(snapshot.periods[k].rows for k in written),
            new_periods=decided.new_keys,
            latest_period=max((p for _, p in snapshot.periods), default=None),
        )
        chart_ids, title_ids, _ = write_periods(store, snapshot, decided, snapshot_id, bulk=False)
        events: list[Event] = []
        deliveries = 0
        if not decided.baseline:
            events = _events(store, snapshot, decided, chart_ids, title_ids, policy.watched_markets)
            added = store.outbox.add_events(
                events, chart_ids=chart_ids, snapshot_id=snapshot_id, now=now, title_ids=title_ids
            )
            latest = decided.latest()
            alertable = [(i, e) for i, e in added if latest.get(e.chart) == e.period]
            routed = route(
                alertable,
                default=policy,
                guilds=store.guilds.alerts(),
                subscriptions=store.guilds.subscriptions_for({e.title_key for _, e in alertable}),
                terminal=terminal,
            )
            deliveries = store.outbox.add_deliveries(routed, now=now)
        store.sources.record_success(
            name,
            now=now,
            validators=snapshot.validators,
            content_hash=snapshot.content_hash,
            changed=bool(written),
        )
        exact = _stored_exactly(snapshot, decided, stored)
        store.sources.set_history_hash(name, snapshot.content_hash if exact else None)
        skipped = note_skipped(store, name, snapshot.skipped, now=now)
        checkpoint("in_commit")
    checkpoint("after_commit")
    for warning in decided.warnings:
        log.warning("source %s: %s", name, warning)
    summary = _summary(name, decided, snapshot, status, len(events), deliveries)
    return PollOutcome(
        source=name,
        status=status,
        summary="; ".join([summary, *snapshot.notes]),
        new_periods=decided.new_keys,
        rows=sum(snapshot.periods[k].rows for k in written),
        events=len(events),
        deliveries=deliveries,
        warnings=decided.warnings + skipped,
    )


def write_periods(
    store: Store, snapshot: Snapshot, decided: Plan, snapshot_id: int, *, bulk: bool
) -> tuple[dict[str, int], dict[str, int], list[str]]:
    """Write the periods a plan says to (new, rewritten, extended); returns the chart ids
    and title ids used, and warnings. `bulk`: a load that may build the by-title index at
    the end."""
    name = snapshot.source
    written = decided.new_keys + decided.rewritten
    chart_ids = store.charts.ids(name, sorted({c for c, _ in snapshot.periods}), snapshot.units)
    extended = {
        key: snapshot.rows[key]
        if len(added) == len(snapshot.periods[key].countries)  # all of them (an import's part)
        else [r for r in snapshot.rows[key] if r.country in added]
        for key, added in decided.extended.items()
    }
    title_ids = store.titles.ids_of(
        title
        for rows in chain((snapshot.rows[k] for k in written), extended.values())
        for title in titles_of(rows)
    )
    with store.charts.loading_ranks(bulk=bulk):
        for key in written:
            store.charts.put_period(
                chart_ids[key[0]], snapshot.periods[key], snapshot.rows[key], title_ids, snapshot_id
            )
    warnings = []
    for (chart, period), rows in extended.items():
        summary = snapshot.periods[(chart, period)]
        if len(decided.extended[(chart, period)]) < len(summary.countries):
            summary = PeriodSummary.of(chart, period, rows)  # some of its countries only
        deeper = decided.deepened.get((chart, period), ())
        warnings += store.charts.extend_period(
            chart_ids[chart], summary, rows, title_ids, snapshot_id, replacing=deeper
        )
    return chart_ids, title_ids, warnings


def _stored_exactly(snapshot: Snapshot, decided: Plan, stored: Stored) -> bool:
    """After this commit, are the stored periods exactly the snapshot's (no more, no other)?"""
    in_body = set(snapshot.periods) | snapshot.as_stored
    return not decided.warnings and in_body == _keys(stored) | set(decided.new_keys)


def _keys(stored: Stored) -> set[ChartPeriodKey]:
    return {(chart, period) for chart, periods in stored.items() for period in periods}


def _events(
    store: Store,
    snapshot: Snapshot,
    decided: Plan,
    chart_ids: dict[str, int],
    title_ids: dict[str, int],
    markets: frozenset[str],
) -> list[Event]:
    """Each new period's events against the period before it, with their milestones
    worked out from the stored history (`markets`: where streaks are followed)."""
    events: list[Event] = []
    follow = store.guilds.followed_title_keys()
    markets = markets | store.guilds.markets_in_use()
    for chart, period in decided.new_keys:
        previous = decided.previous[(chart, period)]
        if previous is None:
            continue
        before = snapshot.rows.get((chart, previous))
        last = (
            ChartPeriod.from_rows(chart, previous, before)
            if before
            else store.charts.period_standings(snapshot.source, chart, previous)
        )
        now = ChartPeriod.from_rows(chart, period, snapshot.rows[(chart, period)])
        found = diff(last, now, source=snapshot.source, follow=follow)
        wanted = milestones.wanted(found, last, now, markets)
        if wanted:
            chart_id = chart_ids[chart]
            history = store.charts.history(chart_id, period, wanted, title_ids)
            unit = snapshot.units.get(chart) or store.charts.unit(chart_id)
            found = milestones.apply(found, history, wanted, now, unit, source=snapshot.source)
        # Followed titles charting for the first time anywhere (followed before they
        # charted), said first.
        new = milestones.on_chart(now, follow) - milestones.on_chart(last, follow)
        if new:
            ids = {key: title_ids[key] for key in new}
            first = new - store.charts.charted_before(ids, period)
            events += milestones.first_charted(now, first, source=snapshot.source)
        events += found
    return events


def _status(decided: Plan) -> PollStatus:
    if decided.baseline:
        return PollStatus.BASELINE
    if decided.new_keys:
        return PollStatus.NEW
    return PollStatus.REWRITTEN if decided.rewritten else PollStatus.UNCHANGED


def _summary(
    name: str, decided: Plan, snapshot: Snapshot, status: PollStatus, events: int, deliveries: int
) -> str:
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
        f"; {len(decided.rewritten)} past periods rewritten by the source (no alerts for them)"
        if decided.rewritten
        else ""
    )
    if status is PollStatus.NEW:
        shown = ", ".join(f"{chart} {period}" for chart, period in new)
        return (
            f"{name}: stored {shown} ({rows:,} ranks); {events:,} events, "
            f"{deliveries:,} deliveries queued{rewritten}"
        )
    if status is PollStatus.REWRITTEN:
        return f"{name}: no new period{rewritten}"
    return f"{name}: nothing new in the file"
