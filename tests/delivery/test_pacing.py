"""The pacer and the shared budget (bot/delivery/pacing.py), with a fake clock where the
window is long: no channel window or global rate passed, by one process or several."""

from __future__ import annotations

import asyncio
import fcntl
import itertools
import os
import subprocess
import sys
import time

import pytest

from bot.delivery.pacing import (
    DISCORD_PER_SECOND,
    SENT_WINDOW,
    SWEEP_EVERY,
    Budget,
    BudgetFileError,
    Pacer,
    SharedBudget,
)
from bot.engine.deliveries import (
    Destination,
)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


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


def test_no_more_requests_go_in_a_second_than_discord_takes_whatever_the_slots_say():
    # Slots that would let everything go at once (a budget of a million a second): the
    # last check still lets 50 go in any 1.02 s of when they went, the 51st after.
    async def flood() -> list[float]:
        pacer = Pacer(per_second=DISCORD_PER_SECOND, budget=Budget(1_000_000))
        loop = asyncio.get_running_loop()
        went: list[float] = []

        async def one() -> None:
            await pacer.request()
            went.append(loop.time())

        await asyncio.gather(*(one() for _ in range(DISCORD_PER_SECOND + 5)))
        return sorted(went)

    went = asyncio.run(flood())
    assert went[DISCORD_PER_SECOND - 1] - went[0] < 0.5  # the first 50 at once
    assert went[DISCORD_PER_SECOND] - went[0] >= SENT_WINDOW - 0.005  # the 51st, a window on
