"""The drawing processes: pictures drawn outside the bot's process, a child that dies
replaced, a child recycled once it has grown past its memory (or drawn its share)."""

from __future__ import annotations

import asyncio
import os
import signal

from bot.languages import Language
from bot.pictures.drawing import MAX_CHILD_MB, Drawings, HistoryPicture, MapPicture, draw
from tests.pictures.test_pictures import standing

MAP = MapPicture(
    "솔로지옥", "Netflix · TV", "2022-01-16", {"KR": 1, "JP": 2, "US": 7}, 10, Language.KO
)
HISTORY = HistoryPicture(
    standing({"2022-01-09": {"US": 3}, "2022-01-16": {"US": 1}}), "Brazen", ["US"]
)


def test_pictures_drawn_in_a_child_are_the_pictures_drawn_here():
    async def run() -> tuple[bytes | None, bytes | None]:
        drawings = Drawings(processes=1)
        try:
            return await drawings.png(MAP), await drawings.png(HISTORY)
        finally:
            await drawings.close()

    drawn_map, drawn_history = asyncio.run(run())
    assert drawn_map == draw(MAP) and drawn_history == draw(HISTORY)
    assert drawn_map is not None and drawn_map.startswith(b"\x89PNG")


def test_a_child_that_dies_costs_one_picture_and_the_next_one_is_drawn_afresh():
    async def run() -> tuple[bytes | None, bytes | None, set[int], set[int]]:
        drawings = Drawings(processes=1)
        try:
            await drawings.png(MAP)
            [before] = drawings.pids()
            os.kill(before, signal.SIGKILL)
            lost = await drawings.png(MAP)
            again = await drawings.png(MAP)
            return lost, again, {before}, drawings.pids()
        finally:
            await drawings.close()

    lost, again, before, after = asyncio.run(run())
    assert lost is None and again is not None and again.startswith(b"\x89PNG")
    assert after and after != before


def test_a_child_is_replaced_after_its_share_of_pictures():
    async def run() -> list[set[int]]:
        drawings = Drawings(processes=1, per_process=2)
        seen = []
        try:
            for _ in range(3):
                assert await drawings.png(MAP) is not None
                await drawings.settle()  # a replacement starts in the background
                seen.append(drawings.pids())
        finally:
            await drawings.close()
        return seen

    first, second, third = asyncio.run(run())
    assert len(first) == 1
    assert second != first  # replaced after its 2nd picture
    assert third == second


def test_a_picture_given_up_halfway_never_answers_the_next_one():
    """Cancelled while its child draws: the next picture is its own, not the one given up."""

    async def run() -> tuple[bytes | None, bytes | None, set[int], set[int]]:
        drawings = Drawings(processes=1)
        try:
            await drawings.png(MAP)  # a child started and warm
            before = drawings.pids()
            given_up = asyncio.ensure_future(drawings.png(MAP))
            for _ in range(1000):  # until its child has the request (a turn of the loop each)
                await asyncio.sleep(0)
                if not drawings.idle() and not given_up.done():
                    break
            for _ in range(5):  # the request written; the answer takes a tenth of a second
                await asyncio.sleep(0)
            given_up.cancel()
            await asyncio.gather(given_up, return_exceptions=True)
            return await drawings.png(HISTORY), draw(HISTORY), before, drawings.pids()
        finally:
            await drawings.close()

    drawn, expected, before, after = asyncio.run(run())
    assert drawn == expected
    assert after != before  # it was given up while its child drew: that child went


def test_no_picture_is_drawn_once_closed():
    async def run() -> tuple[bytes | None, set[int]]:
        drawings = Drawings(processes=1)
        await drawings.png(MAP)
        await drawings.close()
        return await drawings.png(MAP), drawings.pids()

    assert asyncio.run(run()) == (None, set())


def test_a_child_is_replaced_once_it_has_grown_past_its_memory():
    async def run() -> tuple[set[int], set[int], set[int]]:
        drawings = Drawings(processes=1, max_mb=100_000)
        try:
            await drawings.png(MAP)
            first = drawings.pids()
            await drawings.png(MAP)
            await drawings.settle()
            kept = drawings.pids()
            drawings.max_mb = 1  # every child is past this (matplotlib alone is more)
            await drawings.png(MAP)
            await drawings.settle()
            return first, kept, drawings.pids()
        finally:
            await drawings.close()

    first, kept, replaced = asyncio.run(run())
    assert kept == first  # well under its memory: kept
    assert replaced and replaced != first


def test_a_child_of_a_bot_that_once_used_much_memory_is_not_replaced_for_it():
    # Linux carries a process's peak memory (ru_maxrss) over to what it starts: a child
    # must judge its own, or every child of a big bot would go after one picture.
    big = b"x" * (MAX_CHILD_MB + 50) * 2**20  # this process peaks past the limit
    del big

    async def run() -> tuple[set[int], set[int]]:
        drawings = Drawings(processes=1)
        try:
            await drawings.png(MAP)
            first = drawings.pids()
            await drawings.png(MAP)
            await drawings.settle()
            return first, drawings.pids()
        finally:
            await drawings.close()

    first, after = asyncio.run(run())
    assert first and after == first
