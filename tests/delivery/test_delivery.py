"""The pure pieces of delivery, with plain values and a fake clock: routing, message building,
the pacer, backoff, fair order, and which deliveries are due."""

from __future__ import annotations

import asyncio
import fcntl
import itertools
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import utcnow
from bot.delivery.dispatcher import backoff, due_deliveries, fair_order
from bot.delivery.messages import MAX_EMBEDS, MAX_TOTAL, build_messages
from bot.delivery.pacing import SWEEP_EVERY, BudgetFileError, Pacer, SharedBudget
from bot.engine.deliveries import (
    DeliveryStatus,
    Destination,
    DestinationKind,
    PendingDelivery,
    Shards,
)
from bot.engine.events import AlertPolicy, Moved, NewNumberOne, NumberOneCount
from bot.engine.routing import GuildAlerts, Subscription, Via, route
from bot.engine.sources import SourceIdentity

NOW = datetime(2022, 1, 20, tzinfo=UTC)


def count(title: str, n: int, before: int, chart: str = "TV") -> NumberOneCount:
    return NumberOneCount(
        source="netflix",
        chart=chart,
        period="2022-01-16",
        title_key=title.lower(),
        title=title,
        artist=None,
        count=n,
        previous=before,
    )


def moved(title: str, country: str, rank: int, was: int) -> Moved:
    return Moved(
        source="netflix",
        chart="TV",
        period="2022-01-16",
        title_key=title.lower(),
        title=title,
        artist=None,
        country=country,
        rank=rank,
        previous_rank=was,
    )


# -- destinations ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "destination",
    [
        Destination.terminal(),
        Destination.channel(5),
        Destination.dm(7),
        Destination.mention(5, 7),
    ],
    ids=str,
)
def test_destinations_are_stored_as_text_and_read_back(destination):
    assert Destination.parse(str(destination)) == destination


def test_a_channel_and_the_mentions_in_it_are_one_channel_to_pace():
    assert Destination.channel(5).channel_key == Destination.mention(5, 7).channel_key
    assert Destination.dm(5).channel_key != Destination.channel(5).channel_key


@pytest.mark.parametrize("text", ["channel", "dm:x", "mention:1", "fax:1"])
def test_broken_destinations_are_refused(text):
    with pytest.raises(ValueError):
        Destination.parse(text)


# -- routing -----------------------------------------------------------------------------------


def test_routing_sends_each_event_where_it_belongs():
    events = [(1, count("Brazen", 12, 2)), (2, moved("Stay Close", "US", 3, 2))]
    subs = [
        Subscription(10, 1, 100, "stay close", "Stay Close", None, "US", Via.DM, None),
        Subscription(11, 1, 101, "stay close", "Stay Close", None, "KR", Via.HERE, 55),
    ]
    routed = route(
        events,
        default=AlertPolicy(min_countries=10),
        guilds=[GuildAlerts(1, 50), GuildAlerts(2, None)],
        subscriptions=subs,
        terminal=True,
    )
    assert routed == [
        (1, Destination.terminal(), None),
        (1, Destination.channel(50), 1),
        (2, Destination.dm(100), 1),  # the KR follower hears nothing of a US move
    ]


def test_taking_the_top_spot_is_said_once_not_twice():
    up = moved("Cheer", "US", 1, 4)
    top = NewNumberOne(
        source=up.source,
        chart=up.chart,
        period=up.period,
        title_key="cheer",
        title="Cheer",
        artist=None,
        country="US",
        rank=1,
        previous_rank=4,
    )
    sub = Subscription(1, 1, 9, "cheer", "Cheer", None, "US", Via.DM, None)
    routed = route([(1, up), (2, top)], default=AlertPolicy(), subscriptions=[sub])
    assert [event_id for event_id, _, _ in routed] == [2]


# -- messages ----------------------------------------------------------------------------------


def pending(
    delivery_id: int,
    destination: Destination,
    event=None,
    *,
    status: DeliveryStatus = DeliveryStatus.PENDING,
    batch_key: str | None = None,
    guild: int | None = 1,
) -> PendingDelivery:
    return PendingDelivery(
        id=delivery_id,
        event_id=delivery_id,
        destination=destination,
        guild_id=guild,
        attempts=0,
        event=event or count(f"Title {delivery_id}", 10 + delivery_id, 2),
        status=status,
        batch_key=batch_key,
    )


def test_a_channel_gets_everything_due_in_as_few_messages_as_fit():
    many = [pending(i, Destination.channel(5)) for i in range(1, 40)]
    messages = build_messages(many)
    assert len(messages) == 1  # one chart and period: one embed of 39 lines
    assert messages[0].nonce == "cb1"
    charts = [
        pending(i, Destination.channel(5), count(f"T{i}", 12, 2, chart=f"Chart {i}"))
        for i in range(1, 25)
    ]
    messages = build_messages(charts)
    assert all(len(m.embeds) <= MAX_EMBEDS for m in messages) and len(messages) == 3
    assert all(sum(e.size for e in m.embeds) <= MAX_TOTAL for m in messages)


def test_a_subscriber_gets_one_message_per_title_and_only_they_are_mentioned():
    to = Destination.mention(5, 7)
    messages = build_messages(
        [pending(1, to, moved("A", "US", 2, 3)), pending(2, to, moved("B", "US", 4, 1))]
    )
    assert [m.mention_user for m in messages] == [7, 7]
    assert [m.content for m in messages] == ["<@7>", "<@7>"]
    assert [m.delivery_ids for m in messages] == [(1,), (2,)]


def test_a_claimed_batch_is_rebuilt_under_its_nonce():
    to = Destination.channel(5)
    again = build_messages(
        [
            pending(3, to, status=DeliveryStatus.SENDING, batch_key="cb2"),
            pending(2, to, status=DeliveryStatus.SENDING, batch_key="cb2"),
        ]
    )
    assert [(m.nonce, m.delivery_ids) for m in again] == [("cb2", (2, 3))]


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


# -- the pacer ---------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_pacer_never_fills_a_channel_window_past_its_limit():
    clock = Clock()
    pacer = Pacer(per_second=1000, per_channel=5, channel_window=5.0, clock=clock)
    key = Destination.channel(5).channel_key
    sends = [pacer.reserve(key)[0] for _ in range(12)]  # twelve at once, concurrent senders
    assert sends[:5] == [pytest.approx(i / 1000) for i in range(5)]
    assert all(wait >= 5.0 for wait in sends[5:10]) and all(wait >= 10.0 for wait in sends[10:])
    times = sorted(sends)
    assert max(sum(1 for t in times if s <= t < s + 5.0) for s in times) == 5
    assert pacer.channel_wait(key) > 0 and pacer.channel_wait("channel:6") == 0


def test_the_pacer_spaces_every_request_under_the_global_rate():
    clock = Clock()
    pacer = Pacer(per_second=50, clock=clock)
    waits = [pacer.reserve(f"channel:{i}")[0] for i in range(100)] + [pacer.reserve(None)[0]]
    assert waits[-1] == pytest.approx(100 / 50)
    assert all(b - a == pytest.approx(1 / 50) for a, b in itertools.pairwise(waits))


_TAKER = """
import sys, time
from pathlib import Path
from bot.delivery.pacing import SharedBudget
budget = SharedBudget(Path(sys.argv[1]), per_second=1000)
start = float(sys.argv[2])
while time.monotonic() < start:
    pass
print(*[budget.take(time.monotonic()) for _ in range(200)])
"""


def test_processes_of_one_bot_take_their_requests_from_one_budget(tmp_path):
    # Two processes (shards of one bot) taking slots at once from the budget beside the
    # store: together never closer than the bot's rate allows, and neither waits its turn
    # while the other is idle.
    budget = tmp_path / "chartbot.db-pace"
    start = time.monotonic() + 1.0
    takers = [
        subprocess.Popen(
            [sys.executable, "-c", _TAKER, str(budget), str(start)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    slots = [[float(x) for x in taker.communicate(timeout=60)[0].split()] for taker in takers]
    together = sorted(slots[0] + slots[1])
    assert len(together) == 400
    assert min(b - a for a, b in itertools.pairwise(together)) == pytest.approx(1 / 1000)
    # Alone, a process takes the next slot free (not every other one).
    alone = SharedBudget(budget, per_second=1000)
    later = together[-1] + 10
    assert alone.take(later) == later and alone.take(later) == pytest.approx(later + 1 / 1000)


@pytest.mark.parametrize("ahead", [1_000_000.0, 60.0], ids=["long-uptime", "quick-reboot"])
def test_a_budget_slot_left_from_before_the_machine_restarted_is_let_go(tmp_path, ahead):
    # The monotonic clock counts from boot: a restart goes back by the uptime before it,
    # which after a quick reboot is a minute, not days.
    budget = SharedBudget(tmp_path / "chartbot.db-pace", per_second=50)
    budget.take(5.0 + ahead)
    assert budget.take(5.0) == 5.0
    assert budget.take(5.0) == pytest.approx(5.0 + 1 / 50)


@pytest.mark.parametrize("kind", ["symlink", "folder", "someone-elses"])
def test_the_shared_budget_file_must_be_a_regular_file_of_the_bots_own(tmp_path, kind):
    path = tmp_path / "chartbot.db-pace"
    if kind == "symlink":
        (tmp_path / "elsewhere").write_bytes(b"")
        path.symlink_to(tmp_path / "elsewhere")
    elif kind == "folder":
        path.mkdir()
    else:
        path.write_bytes(b"")
        os.chown(path, os.getuid() + 1, -1)
    with pytest.raises(BudgetFileError, match="remove it"):
        SharedBudget(path)


def test_a_budget_locked_by_a_stopped_peer_never_freezes_the_event_loop(tmp_path):
    path = tmp_path / "chartbot.db-pace"
    budget = SharedBudget(path, per_second=1000, lock_timeout=0.2)
    peer = os.open(path, os.O_RDWR)
    fcntl.flock(peer, fcntl.LOCK_EX)  # a peer stopped (SIGSTOP) while it held the lock

    async def send_while_locked() -> list[str]:
        pacer = Pacer(budget=budget)
        happened: list[str] = []

        async def meanwhile() -> None:
            await asyncio.sleep(0)
            happened.append("the loop ran on")

        async def request() -> None:
            await pacer.request()
            happened.append("request paced")

        await asyncio.gather(request(), meanwhile())
        return happened

    try:
        assert asyncio.run(send_while_locked()) == ["the loop ran on", "request paced"]
    finally:
        fcntl.flock(peer, fcntl.LOCK_UN)
        os.close(peer)
        budget.close()


def test_the_pacer_forgets_channels_quiet_for_a_whole_window():
    clock = Clock()
    pacer = Pacer(per_second=1_000_000, clock=clock)
    for channel in range(SWEEP_EVERY * 3):
        clock.now = channel * 0.01  # a fan-out to 12,288 channels over two minutes
        pacer.reserve(f"channel:{channel}")
    assert pacer.tracked < SWEEP_EVERY


def test_requests_woken_late_do_not_go_in_one_burst():
    # The event loop held up for 0.3 s while requests wait for their slots (100 a second):
    # those whose slots passed meanwhile take new ones instead of all going at once.
    async def held_up() -> list[float]:
        pacer = Pacer(per_second=100)
        loop = asyncio.get_running_loop()
        started = loop.time()
        went: list[float] = []

        async def one() -> None:
            await pacer.request()
            went.append(loop.time() - started)

        async def hold() -> None:
            while len(went) < 10:  # once sending is under way
                await asyncio.sleep(0)
            time.sleep(0.3)  # the fault: a long synchronous step on the loop

        await asyncio.gather(hold(), *(one() for _ in range(60)))
        return sorted(went)

    went = asyncio.run(held_up())
    busiest = max(sum(1 for t in went if s <= t < s + 0.1) for s in went)
    assert busiest <= 10 + 6  # 10 a tenth of a second, and those up to LATE past their slot


def test_a_slow_answer_moves_its_slot():
    clock = Clock()
    pacer = Pacer(per_second=1000, per_channel=1, channel_window=5.0, clock=clock)
    _, slot = pacer.reserve("channel:1")
    clock.now = 2.0  # the request took two seconds to be answered
    pacer.sent(slot)
    assert pacer.channel_wait("channel:1") == pytest.approx(5.0)


def test_concurrent_waits_share_the_window():
    async def burst() -> list[float]:
        pacer = Pacer(per_second=1000, per_channel=2, channel_window=0.2)
        loop = asyncio.get_running_loop()
        started = loop.time()
        done: list[float] = []

        async def one() -> None:
            await pacer.wait("channel:1")
            done.append(loop.time() - started)

        await asyncio.gather(*(one() for _ in range(5)))
        return sorted(done)

    done = asyncio.run(burst())
    assert done[2] >= 0.19 and done[4] >= 0.39


@pytest.mark.parametrize(("attempts", "low", "high"), [(1, 4, 6), (2, 8, 12), (30, 480, 720)])
def test_backoff_doubles_up_to_its_cap(attempts, low, high):
    assert low <= backoff(attempts) <= high


# -- due deliveries ----------------------------------------------------------------------------


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


@pytest.mark.parametrize(
    ("text", "shards"),
    [("0-9/40", Shards(0, 9, 40)), ("7/16", Shards(7, 7, 16)), (" 1-1/2 ", Shards(1, 1, 2))],
)
def test_shards_are_read_as_discord_counts_them(text, shards):
    assert Shards.parse(text) == shards and Shards.parse(str(shards)) == shards


@pytest.mark.parametrize(
    ("text", "says"),
    [("0-9", "write FIRST-LAST/COUNT"), ("5-2/8", "first to last"), ("0-8/8", "within 0-7")],
)
def test_shards_out_of_order_or_range_are_refused(text, says):
    with pytest.raises(ValueError, match=says):
        Shards.parse(text)


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
