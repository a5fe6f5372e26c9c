"""Pacing: staying under Discord's limits instead of finding them with 429s.

Every request the bot makes takes a slot in one budget of requests a second (the
process's own, or with `chartbot run --shards` one shared by the bot's processes on the
machine), and every message a slot in its channel's window of 5 messages per 5 seconds.
"""

from __future__ import annotations

import asyncio
import collections
import fcntl
import os
import struct
import time
from collections.abc import Callable
from pathlib import Path


class Slot:
    """When a message to a channel goes (or went) out: reserved ahead, moved to when its
    request was answered, since Discord counts it from when it arrived."""

    __slots__ = ("at",)

    def __init__(self, at: float) -> None:
        self.at = at


PER_SECOND = 47.0  # requests a second for the whole bot: under Discord's 50
LATE = 0.05  # seconds past its slot a request may still go (47 a second: two requests)


class Budget:
    """The bot's requests a second as its next free slot, for one process."""

    def __init__(self, per_second: float = PER_SECOND) -> None:
        self.interval = 1.0 / per_second
        self._next = 0.0

    def take(self, earliest: float) -> float:
        """The first free slot at or after `earliest`, taken."""
        at = max(earliest, self._next)
        self._next = at + self.interval
        return at

    def close(self) -> None:
        """Nothing to let go of."""


class SharedBudget(Budget):
    """One budget for every process of the bot on this machine (`chartbot run --shards`):
    the next free slot is kept in a small file beside the store and taken under a lock on
    it, so the processes together stay under Discord's limit and one with nothing to send
    leaves its part of the budget to the others. Slots are on the monotonic clock, which
    every process on the machine shares (it counts from boot: a slot far ahead was written
    before a restart of the machine and is let go)."""

    STALE = 300.0  # seconds ahead: far past any slot a running bot takes

    def __init__(self, path: Path, per_second: float = PER_SECOND) -> None:
        super().__init__(per_second)
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)

    def take(self, earliest: float) -> float:
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            held = os.pread(self._fd, _SLOT.size, 0)
            free = _SLOT.unpack(held)[0] if len(held) == _SLOT.size else 0.0
            at = earliest if free > earliest + self.STALE else max(earliest, free)
            os.pwrite(self._fd, _SLOT.pack(at + self.interval), 0)
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        return at

    def close(self) -> None:
        if self._fd >= 0:  # once: a closed descriptor's number is soon some other file's
            os.close(self._fd)
            self._fd = -1


_SLOT = struct.Struct("d")


class Pacer:
    """Stays under Discord's limits instead of finding them with 429s.

    Under 50 requests a second for the whole bot (47), and 5 messages per 5 seconds in
    any one channel. Taking a slot is one synchronous step (no await between looking at
    the window and taking it), so concurrent senders can never overfill a window; a
    channel's slot is moved to when its message was answered (`sent`), so a request
    delayed on its way never lets the next ones crowd into its window.
    """

    def __init__(
        self,
        *,
        per_second: float = PER_SECOND,
        per_channel: int = 5,
        channel_window: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        budget: Budget | None = None,
    ) -> None:
        self.budget = budget or Budget(per_second)
        self.per_channel = per_channel
        self.window = channel_window
        self.clock = clock
        self._recent: dict[str, collections.deque[Slot]] = {}

    def channel_wait(self, channel: str) -> float:
        """Seconds until `channel` has room for one more message (0: now)."""
        recent = self._recent.get(channel)
        if recent is None or len(recent) < self.per_channel:
            return 0.0
        return max(0.0, recent[0].at + self.window - self.clock())

    def reserve(self, channel: str | None) -> tuple[float, Slot]:
        """Take a slot in the global budget (and in `channel`'s window, for a message);
        returns the seconds to wait before using it, and the slot."""
        now = earliest = self.clock()
        recent = None
        if channel is not None:
            recent = self._recent.setdefault(channel, collections.deque(maxlen=self.per_channel))
            if len(recent) == self.per_channel:
                earliest = max(now, recent[0].at + self.window)
        slot = Slot(self.budget.take(earliest))
        if recent is not None:
            recent.append(slot)
        return slot.at - now, slot

    def sent(self, slot: Slot) -> None:
        """The message of this slot was answered: its window counts from now."""
        slot.at = max(slot.at, self.clock())

    async def wait(self, channel: str) -> Slot:
        """Before a message to `channel`: its slot, and the wait for it."""
        return await self._until(*self.reserve(channel))

    async def request(self) -> None:
        """Before any other request (opening a DM channel): a slot in the global budget."""
        await self._until(*self.reserve(None))

    async def _until(self, delay: float, slot: Slot) -> Slot:
        """Sleep until the slot. Woken late (the event loop was held up), the requests of
        the slots after it are waking too: sent now, they would all go in one burst and
        crowd a second past Discord's limit, so the late one takes a new slot instead."""
        while delay > 0:
            await asyncio.sleep(delay)
            now = self.clock()
            if now - slot.at <= LATE:
                break
            slot.at = self.budget.take(now)
            delay = slot.at - now
        return slot
