"""Storing a snapshot: one sequence for a poll and for an import, in one transaction.

What differs is said by how the snapshot is stored (`AsPolled`, `AsImported`): a poll
checks the snapshot against what the source promises and stores its new periods' events
and their outbox rows; an import stores the periods not stored yet, as they are, without
events, and marks how far a big file is stored. Everything else (the source's row, the
snapshot's, the periods, the source's health and history hash) is the same steps.
Nothing is parsed here: a snapshot that needs rows it did not read is `Stale`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain

from bot.bulk import collector_paused
from bot.engine import milestones
from bot.engine.diff import diff
from bot.engine.events import AlertPolicy, Event
from bot.engine.model import ChartPeriod, ChartPeriodKey, PeriodSummary, titles_of
from bot.engine.plan import Plan, Promises, Stored, plan, plan_import
from bot.engine.routing import route
from bot.engine.source_types import SourceIdentity
from bot.engine.stored import ImportMark
from bot.faults import checkpoint
from bot.pipeline.outcome import PollStatus, Stale
from bot.pipeline.records import note_recovery, note_skipped
from bot.sources.base import Snapshot, Source
from bot.store.store import Store


@dataclass(frozen=True, slots=True)
class SourceTerms:
    """What a source is (its identity, kept in the store) and promises about its data."""

    identity: SourceIdentity
    promises: Promises = field(default_factory=Promises)

    @property
    def name(self) -> str:
        return self.identity.name

    @classmethod
    def of(cls, source: Source) -> SourceTerms:
        charts = source.config.charts
        return cls(
            identity=source.identity,
            promises=Promises(
                charts=tuple(charts) if charts is not None else None,
                countries=source.expected_countries,
                fixed_length=source.fixed_length,
                whole_history=source.whole_history,
            ),
        )


@dataclass(frozen=True, slots=True)
class AsPolled:
    """A poll's snapshot: checked against the source's promises; its new periods' events
    stored with their outbox rows (`terminal`: for `chartbot poll` to print too)."""

    policy: AlertPolicy
    terminal: bool = False


@dataclass(frozen=True, slots=True)
class AsImported:
    """An import's snapshot: the periods not stored yet, as they are, no events; `mark`:
    how far a big file is stored with this part (line 0: the file is done)."""

    mark: ImportMark | None = None


@dataclass(slots=True)
class Committed:
    """What a commit stored."""

    plan: Plan
    status: PollStatus
    rows: int
    events: int = 0
    deliveries: int = 0
    warnings: list[str] = field(default_factory=list)  # the store's and the files skipped


def commit(
    store: Store,
    snapshot: Snapshot,
    terms: SourceTerms,
    how: AsPolled | AsImported,
    *,
    now: datetime,
) -> Committed:
    """Store a snapshot in one transaction. A poll's raises Rejected (nothing written) when
    it must not be stored, Stale when the store changed since it was read."""
    name = snapshot.source
    polled = isinstance(how, AsPolled)
    point = "in_commit" if polled else "in_import"
    with collector_paused(), store.write():
        if isinstance(how, AsImported) and how.mark is not None:
            store.sources.note_import(how.mark)
        store.sources.ensure(terms.identity)
        if polled:
            note_recovery(store, name, now)
        stored = store.charts.stored_periods(name, only=None if polled else snapshot.periods)
        decided = _decide(store, snapshot, terms, stored, polled, now)
        written = decided.new_keys + decided.rewritten
        status = _status(decided) if polled else PollStatus.IMPORTED
        rows = sum(snapshot.periods[k].rows for k in written) + sum(
            snapshot.periods[key].countries[c]
            for key, countries in decided.extended.items()
            for c in countries
        )
        snapshot_id = store.sources.add_snapshot(
            name,
            now=now,
            content_hash=snapshot.content_hash,
            outcome=status.value,
            rows=rows,
            new_periods=decided.new_keys,
            latest_period=max((p for _, p in snapshot.periods), default=None),
        )
        chart_ids, title_ids, warnings = write_periods(
            store, snapshot, decided, snapshot_id, bulk=not polled
        )
        done = Committed(decided, status, rows, warnings=decided.warnings + warnings)
        if isinstance(how, AsPolled) and not decided.baseline:
            _alerts(store, snapshot, decided, chart_ids, title_ids, snapshot_id, how, now, done)
        store.sources.record_success(
            name,
            now=now,
            validators=snapshot.validators if polled else None,
            content_hash=snapshot.content_hash if polled else None,
            changed=bool(written),
        )
        if polled:
            exact = _stored_exactly(snapshot, decided, stored)
            store.sources.set_history_hash(name, snapshot.content_hash if exact else None)
            done.warnings += note_skipped(store, name, snapshot.skipped, now=now)
        elif decided.changed:  # the stored periods are no longer some body's exactly
            store.sources.set_history_hash(name, None)
        checkpoint(point)
    checkpoint("after_commit" if polled else "after_import")
    return done


def _decide(
    store: Store,
    snapshot: Snapshot,
    terms: SourceTerms,
    stored: Stored,
    polled: bool,
    now: datetime,
) -> Plan:
    """What to write: a poll's snapshot checked (and found complete), an import's new."""
    if not polled:
        return plan_import(snapshot.periods, stored)
    if snapshot.based_on is not None:
        state = store.sources.state(snapshot.source)
        if state is None or state.history_hash != snapshot.based_on:
            raise Stale("another poll stored this source's data since this one began")
    decided = plan(
        snapshot.periods,
        stored,
        today=now.date(),
        promises=terms.promises,
        as_stored=snapshot.as_stored,
    )
    missing = [key for key in decided.new_keys + decided.rewritten if key not in snapshot.rows]
    if missing:
        raise Stale(f"the stored {missing[0][0]} {missing[0][1]} changed since this poll began")
    return decided


def _alerts(
    store: Store,
    snapshot: Snapshot,
    decided: Plan,
    chart_ids: dict[str, int],
    title_ids: dict[str, int],
    snapshot_id: int,
    how: AsPolled,
    now: datetime,
    done: Committed,
) -> None:
    """A poll's events and their outbox rows (alerts for each chart's newest period only)."""
    events = _events(store, snapshot, decided, chart_ids, title_ids, how.policy.watched_markets)
    added = store.outbox.add_events(
        events, chart_ids=chart_ids, snapshot_id=snapshot_id, now=now, title_ids=title_ids
    )
    latest = decided.latest()
    alertable = [(i, e) for i, e in added if latest.get(e.chart) == e.period]
    routed = route(
        alertable,
        default=how.policy,
        guilds=store.guilds.alerts(),
        subscriptions=store.guilds.subscriptions_for({e.title_key for _, e in alertable}),
        terminal=how.terminal,
    )
    done.events = len(events)
    done.deliveries = store.outbox.add_deliveries(routed, now=now)


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
