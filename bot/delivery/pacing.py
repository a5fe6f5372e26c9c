"""Pacing: staying under Discord's limits instead of finding them with 429s.

Every request the bot makes takes a slot in one budget of requests a second (the
process's own, or with `chartbot run --shards` one shared by the bot's processes on the
machine), and every message a slot in its channel's window of 5 messages per 5 seconds.
"""

from __future__ import annotations

import asyncio
import collections
import errno
import fcntl
import logging
import math
import os
import stat
import struct
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bot.store.base import StoreError

log = logging.getLogger(__name__)

SWEEP_EVERY = 4096  # reservations between looks for channels quiet for a whole window


class Slot:
    """When a message to a channel goes (or went) out: reserved ahead, moved to when its
    request was answered, since Discord counts it from when it arrived."""

    __slots__ = ("at",)

    def __init__(self, at: float) -> None:
        self.at = at


DISCORD_PER_SECOND = 50  # Discord's global limit: requests in any one second, per bot
PER_SECOND = 49.0  # the slots a second of one process's budget
SHARED_PER_SECOND = 47.0  # a budget shared by processes (none sees the others' sends)
LATE = 0.02  # seconds past its slot a request may still go (one slot at 49 a second)
# The last check before a request goes: no more than DISCORD_PER_SECOND of the process's
# requests in any SENT_WINDOW seconds of when they actually went (slots bound when
# requests may go, not when they do: one woken late, then the next on time, and Discord
# saw 51 in its second). The fiftieth of a second over is for their way there.
SENT_WINDOW = 1.02


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

    async def take_soon(self, earliest: float) -> float:
        """`take`, from the event loop: this one never waits for anything."""
        return self.take(earliest)

    def close(self) -> None:
        """Nothing to let go of."""


class BudgetFileError(StoreError):
    """The shared budget's file is not one chartbot may use; the message says why."""


class SharedBudget(Budget):
    """One budget for every process of the bot on this machine (`chartbot run --shards`):
    the next free slot is kept in a small file beside the store and taken under a lock on
    it, so the processes together stay under Discord's limit and one with nothing to send
    leaves its part of the budget to the others. Slots are on the monotonic clock, which
    every process on the machine shares.

    The file is opened without following a symbolic link and must be a regular file of
    the bot's own user. The lock is taken in a thread of its own, never on the event
    loop, and waited for `lock_timeout` at most: a peer stopped while it held the lock
    leaves this process pacing on its own budget (said once) instead of freezing it. A
    slot more than MAX_AHEAD seconds ahead was not taken by a running bot (a restart of
    the machine set the clock back) and is let go."""

    MAX_AHEAD = 10.0  # seconds: far past any slot the bot's processes take ahead of time
    LOCK_TIMEOUT = 1.0

    def __init__(
        self,
        path: Path,
        per_second: float = SHARED_PER_SECOND,
        *,
        lock_timeout: float = LOCK_TIMEOUT,
    ) -> None:
        super().__init__(per_second)
        self.path = path
        self.lock_timeout = lock_timeout
        self._fd = _open_own_file(path)
        self._alone = Budget(per_second)  # while the lock cannot be had
        self._said_alone = False
        self._thread: ThreadPoolExecutor | None = None

    def take(self, earliest: float) -> float:
        """Take the next slot under the file's lock, waiting `lock_timeout` for it at most
        (BlockingIOError past that). Blocking: from the event loop, use `take_soon`."""
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.001)
        try:
            held = os.pread(self._fd, _SLOT.size, 0)
            free = _SLOT.unpack(held)[0] if len(held) == _SLOT.size else 0.0
            at = earliest if free > earliest + self.MAX_AHEAD else max(earliest, free)
            os.pwrite(self._fd, _SLOT.pack(at + self.interval), 0)
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        return at

    async def take_soon(self, earliest: float) -> float:
        if self._thread is None:
            self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="budget")
        loop = asyncio.get_running_loop()
        try:
            at = await loop.run_in_executor(self._thread, self.take, earliest)
        except BlockingIOError:
            if not self._said_alone:
                log.warning(
                    "the request budget shared with the bot's other processes (%s) has been "
                    "locked for over %.0fs (a process stopped?): pacing on this one's own",
                    self.path,
                    self.lock_timeout,
                )
                self._said_alone = True
            return self._alone.take(earliest)
        if self._said_alone:
            log.info("the shared request budget can be had again")
            self._said_alone = False
        return at

    def close(self) -> None:
        if self._thread is not None:
            self._thread.shutdown(wait=False, cancel_futures=True)
        if self._fd >= 0:  # once: a closed descriptor's number is soon some other file's
            os.close(self._fd)
            self._fd = -1


def _open_own_file(path: Path) -> int:
    """The budget file, opened for reading and writing: never through a symbolic link, and
    only a regular file owned by this user (created owner-only if missing)."""
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    not_ours = BudgetFileError(
        f"{path} is not a regular file of this user's (chartbot keeps the request budget its "
        "processes share there): remove it"
    )
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise BudgetFileError(f"{path} is a symbolic link: remove it") from None
        if exc.errno == errno.EISDIR:
            raise not_ours from None
        raise BudgetFileError(f"cannot open {path}: {exc.strerror or exc}") from None
    held = os.fstat(fd)
    if not stat.S_ISREG(held.st_mode) or held.st_uid != os.getuid():
        os.close(fd)
        raise not_ours
    return fd


_SLOT = struct.Struct("d")


class Pacer:
    """Stays under Discord's limits instead of finding them with 429s.

    Under 50 requests a second for the whole bot (49 slots a second, and no more than 50
    requests in any SENT_WINDOW of when they went), and 5 messages per 5 seconds in any
    one channel. Taking a slot is one synchronous step (no await between looking at
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
        self._since_sweep = 0
        # When the latest requests went (see SENT_WINDOW), as many as may go in a window:
        # Discord's 50, or more for a pacer made faster than Discord allows (tests only).
        limit = max(DISCORD_PER_SECOND, math.ceil(per_second))
        self._went: collections.deque[float] = collections.deque(maxlen=limit)

    @property
    def tracked(self) -> int:
        """How many channels' windows are kept (the busy ones)."""
        return len(self._recent)

    def channel_wait(self, channel: str) -> float:
        """Seconds until `channel` has room for one more message (0: now)."""
        recent = self._recent.get(channel)
        if recent is None or len(recent) < self.per_channel:
            return 0.0
        return max(0.0, recent[0].at + self.window - self.clock())

    def _hold(self, channel: str | None) -> Slot:
        """A place in `channel`'s window (none for a request that is no message), at the
        earliest the window allows; its time in the global budget is set after."""
        now = self.clock()
        self._sweep(now)
        if channel is None:
            return Slot(now)
        recent = self._recent.setdefault(channel, collections.deque(maxlen=self.per_channel))
        earliest = now
        if len(recent) == self.per_channel:
            earliest = max(now, recent[0].at + self.window)
        slot = Slot(earliest)
        recent.append(slot)
        return slot

    def _sweep(self, now: float) -> None:
        """Forget the windows of channels with nothing sent for a whole window (every few
        thousand reservations): a bot posting to many channels keeps only the busy ones."""
        self._since_sweep += 1
        if self._since_sweep < SWEEP_EVERY:
            return
        self._since_sweep = 0
        quiet = [key for key, recent in self._recent.items() if recent[-1].at + self.window < now]
        for key in quiet:
            del self._recent[key]

    def reserve(self, channel: str | None) -> tuple[float, Slot]:
        """Take a slot in the global budget (and in `channel`'s window, for a message);
        returns the seconds to wait before using it, and the slot."""
        slot = self._hold(channel)
        slot.at = self.budget.take(slot.at)
        return slot.at - self.clock(), slot

    async def _reserve_soon(self, channel: str | None) -> tuple[float, Slot]:
        """`reserve` from the event loop: the channel's place is held at once (no await
        between looking at its window and taking a place in it), the budget's slot after."""
        slot = self._hold(channel)
        slot.at = await self.budget.take_soon(slot.at)
        return slot.at - self.clock(), slot

    def sent(self, slot: Slot) -> None:
        """The message of this slot was answered: its window counts from now."""
        slot.at = max(slot.at, self.clock())

    async def wait(self, channel: str) -> Slot:
        """Before a message to `channel`: its slot, and the wait for it."""
        return await self._until(*await self._reserve_soon(channel))

    async def request(self) -> None:
        """Before any other request (opening a DM channel): a slot in the global budget."""
        await self._until(*await self._reserve_soon(None))

    async def _until(self, delay: float, slot: Slot) -> Slot:
        """Sleep until the slot. Woken late (the event loop was held up), the requests of
        the slots after it are waking too: sent now, they would all go in one burst and
        crowd a second past Discord's limit, so the late one takes a new slot instead."""
        while delay > 0:
            await asyncio.sleep(delay)
            now = self.clock()
            if now - slot.at <= LATE:
                break
            slot.at = await self.budget.take_soon(now)
            delay = slot.at - now
        went = self._went
        while len(went) == went.maxlen and (room := went[0] + SENT_WINDOW - self.clock()) > 0:
            await asyncio.sleep(room)
        went.append(self.clock())
        return slot
