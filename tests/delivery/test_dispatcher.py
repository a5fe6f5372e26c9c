"""Which deliveries are due and in what order (bot/delivery/dispatcher.py): servers take
turns, failures back off, a destination's order is kept, each delivery has one process."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import utcnow
from bot.delivery.dispatcher import backoff, due_deliveries, fair_order
from bot.delivery.messages import build_messages
from bot.engine.deliveries import (
    DeliveryStatus,
    Destination,
    DestinationKind,
    Shards,
)
from bot.engine.source_types import SourceIdentity
from tests.helpers.events import count, pending

NOW = datetime(2022, 1, 20, tzinfo=UTC)


def test_servers_take_turns():
    big = [pending(i, Destination.mention(5, i), guild=1) for i in range(1, 6)]
    other = pending(99, Destination.channel(77), guild=2)
    dms = pending(98, Destination.dm(4), guild=None)
    order = fair_order(build_messages([*big, other, dms]))
    # Each server's first destination before any server's second: the other server and
    # the DMs are not behind the first server's five.
    assert set(order[:3]) == {
        Destination.mention(5, 1),
        Destination.channel(77),
        Destination.dm(4),
    }


@pytest.mark.parametrize(("attempts", "low", "high"), [(1, 4, 6), (2, 8, 12), (30, 480, 720)])
def test_backoff_doubles_up_to_its_cap(attempts, low, high):
    assert low <= backoff(attempts) <= high


def test_each_delivery_has_one_process_whatever_the_shards(fresh_db):
    """Four processes on a store: a server's channel deliveries go to the process of its
    shard ((id >> 22) % 4), a member's DMs by the member's id alike, each once."""
    store = fresh_db
    guilds = [n << 22 | 12345 for n in range(8)]  # shards 0, 1, 2, 3, 0, 1, 2, 3
    with store.write():
        store.sources.ensure(SourceIdentity("netflix", "netflix_top10", None, "netflix"))
        chart = store.charts.ids("netflix", ["TV"])["TV"]
        snapshot = store.sources.add_snapshot("netflix", now=NOW, content_hash="x", outcome="new")
        [(event, _)] = store.outbox.add_events(
            [count("Brazen", 10, 9)], chart_ids={"TV": chart}, snapshot_id=snapshot, now=NOW
        )
        store.outbox.add_deliveries(
            [(event, Destination.channel(100 + n), g) for n, g in enumerate(guilds)]
            + [(event, Destination.mention(100 + n, 7), g) for n, g in enumerate(guilds)]
            + [(event, Destination.dm(7), guilds[1]), (event, Destination.dm(3 << 22), None)],
            now=NOW,
        )
    processes = [Shards.parse(s) for s in ("0/4", "1-2/4", "3/4")]
    shares = [{d.destination for d in due_deliveries(store, NOW, shards=s)} for s in processes]
    everything = {d.destination for d in due_deliveries(store, NOW)}
    assert len(everything) == 18 and set().union(*shares) == everything
    assert sum(len(share) for share in shares) == len(everything)  # no delivery twice
    lead, middle, last = shares
    assert Destination.dm(7) in lead and Destination.dm(3 << 22) in last  # shards 0 and 3
    assert {d.channel_id for d in lead} == {100, 104, None}
    assert {d.channel_id for d in middle} == {101, 102, 105, 106}
    assert {d.channel_id for d in last} == {103, 107, None}
    newest = store.outbox.last_id()
    assert not store.outbox.queued_after(newest, shards=processes[1])
    assert store.outbox.queued_after(0, shards=processes[2])


def test_due_deliveries_keep_each_destinations_order_and_drop_the_dead(fresh_db):
    store = fresh_db
    with store.write():
        store.sources.ensure(SourceIdentity("netflix", "netflix_top10", None, "netflix"))
        chart = store.charts.ids("netflix", ["TV"])["TV"]
        snapshot = store.sources.add_snapshot("netflix", now=NOW, content_hash="x", outcome="new")
        added = store.outbox.add_events(
            [count("Brazen", 10, 9), count("Cobra", 11, 10), count("Dune", 12, 11)],
            chart_ids={"TV": chart},
            snapshot_id=snapshot,
            now=NOW,
        )
        event_ids = [event_id for event_id, _ in added]
        store.outbox.add_deliveries(
            [
                (event_ids[0], Destination.channel(5), 1),
                (event_ids[1], Destination.channel(5), 1),
                (event_ids[2], Destination.dm(7), None),
                (event_ids[0], Destination.channel(6), 2),
            ],
            now=NOW,
        )
    store.outbox.mark_dead(Destination.channel(6), "deleted", now=NOW)
    [first, *_] = store.outbox.pending(destination=Destination.channel(5))
    store.outbox.retry_later([first.id], at=utcnow() + timedelta(minutes=5), error="503")
    due = due_deliveries(store, utcnow())
    # channel 5 waits for its first delivery (order kept); the DM goes; channel 6 is dropped
    assert [d.destination.kind for d in due] == [DestinationKind.DM]
    assert store.outbox.counts()[DeliveryStatus.DROPPED] == 1
