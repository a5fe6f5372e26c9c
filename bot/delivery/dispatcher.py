"""The dispatcher: from the outbox to Discord, once per alert.

Each round reads what is due (pending deliveries whose retry time has come,
and batches left `sending` by a crash), builds messages within Discord's
limits, claims them under their nonces in one transaction, and sends them:
destinations in parallel, each destination's messages in order. A sent
message is marked with its id; a transient failure (5xx, timeout, outage)
puts the rest of that destination back with exponential backoff; a
destination that is gone (channel deleted, bot removed, DMs closed) is marked
dead with the reason and nothing more is sent there.

The sending itself is behind `Sender`, so this module knows nothing of discord.py.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import random
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from bot.delivery.messages import OutgoingMessage, build_messages
from bot.delivery.outbox import TERMINAL
from bot.faults import checkpoint
from bot.store.base import PendingDelivery
from bot.store.store import Store, utcnow
from bot.store.thread import StoreThread

log = logging.getLogger(__name__)

BACKOFF_FIRST = 5.0
BACKOFF_CAP = 600.0
ROUND_LIMIT = 2000


class SendError(Exception):
    """Why a message could not be sent; str() is the reason recorded."""


class Transient(SendError):
    """Worth trying again later: a 5xx, a timeout, an outage, a rate limit."""

    def __init__(self, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after  # what Discord asked for, when it said


class DestinationGone(SendError):
    """Nothing more can be sent there: channel deleted, no access, DMs closed."""


class MessageRefused(SendError):
    """Discord refused this message itself (a 400): retrying it will not help."""


class Sender(Protocol):
    pacer: Pacer  # the sender takes global slots for requests beyond the message itself

    async def send(self, message: OutgoingMessage) -> int:
        """Send one message (with its nonce); return the message id or raise a SendError."""
        ...


class Pacer:
    """Stays under Discord's limits instead of finding them with 429s.

    Under 50 requests a second for the whole bot (47), and 5 messages per 5 seconds
    in any one channel.
    """

    def __init__(
        self,
        *,
        per_second: float = 47.0,
        per_channel: int = 5,
        channel_window: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval = 1.0 / per_second
        self.per_channel = per_channel
        self.window = channel_window
        self.clock = clock
        self._next_slot = 0.0
        self._lock = asyncio.Lock()
        self._recent: dict[str, collections.deque[float]] = {}

    async def wait(self, channel: str) -> None:
        """Before a message to `channel`: a slot in that channel and in the global budget."""
        recent = self._recent.setdefault(channel, collections.deque(maxlen=self.per_channel))
        if len(recent) == self.per_channel:
            delay = recent[0] + self.window - self.clock()
            if delay > 0:
                await asyncio.sleep(delay)
        await self.request()
        recent.append(self.clock())

    async def request(self) -> None:
        """Before any other request (opening a DM channel): a slot in the global budget."""
        async with self._lock:
            now = self.clock()
            slot = max(now, self._next_slot)
            self._next_slot = slot + self.interval
        if slot > now:
            await asyncio.sleep(slot - now)


def backoff(attempts: int) -> float:
    """Seconds before the next try: 5, 10, 20 ... up to 10 minutes, with jitter."""
    delay = min(BACKOFF_CAP, BACKOFF_FIRST * 2 ** max(0, attempts - 1))
    return delay * random.uniform(0.8, 1.2)


def due_deliveries(store: Store, now: datetime, limit: int = ROUND_LIMIT) -> list[PendingDelivery]:
    """What to send this round: per destination, in order, up to the first one not yet due."""
    dead = store.dead_destinations()
    rows = store.pending_deliveries(exclude=TERMINAL, statuses=("pending", "sending"), limit=limit)
    blocked: set[str] = set()
    dropped: dict[str, list[int]] = {}
    due = []
    for row in rows:
        if row.destination in dead:
            dropped.setdefault(row.destination, []).append(row.id)
            continue
        if row.destination in blocked:
            continue
        if row.status == "pending" and row.next_attempt_at and row.next_attempt_at > now:
            blocked.add(row.destination)  # keep the destination's order: wait for this one
            continue
        due.append(row)
    for destination, ids in dropped.items():
        store.give_up(ids, status="dropped", reason=dead[destination])
    return due


class Dispatcher:
    def __init__(
        self,
        db: StoreThread,
        sender: Sender,
        *,
        wake: asyncio.Event,
        clock: Callable[[], datetime] = utcnow,
        idle: float = 2.0,
        concurrency: int = 8,
    ) -> None:
        self.db = db
        self.sender = sender
        self.wake = wake
        self.clock = clock
        self.idle = idle
        self.pacer = sender.pacer
        self._slots = asyncio.Semaphore(concurrency)
        self._stopping = False

    async def run(self) -> None:
        """Deliver until stopped; between rounds, wait for a wake-up or `idle` seconds.

        The idle wait is what picks up alerts queued by another process
        (a `chartbot poll --once` beside the running bot).
        """
        while not self._stopping:
            try:
                sent = await self.dispatch_once()
            except Exception:
                log.exception("a delivery round failed; trying again shortly")
                sent = 0
            if sent or self._stopping:
                continue
            self.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=self.idle)

    def stop(self) -> None:
        self._stopping = True
        self.wake.set()

    async def dispatch_once(self) -> int:
        """One round; returns how many messages were sent."""
        now = self.clock()
        due = await self.db.call(due_deliveries, now)
        if not due:
            return 0
        messages = build_messages(due)
        attempts = {d.id: d.attempts for d in due}
        await self.db.call(Store.claim, [(m.nonce, m.delivery_ids) for m in messages], now=now)
        checkpoint("after_claim")
        by_destination: dict[str, list[OutgoingMessage]] = {}
        for message in messages:
            by_destination.setdefault(message.destination, []).append(message)
        sent = await asyncio.gather(
            *(self._send_in_order(dest, msgs, attempts) for dest, msgs in by_destination.items())
        )
        return sum(sent)

    async def _send_in_order(
        self, destination: str, messages: Sequence[OutgoingMessage], attempts: dict[int, int]
    ) -> int:
        sent = 0
        async with self._slots:
            for index, message in enumerate(messages):
                await self.pacer.wait(_channel_key(message))
                ids = list(message.delivery_ids)
                checkpoint("before_send")
                try:
                    message_id = await self.sender.send(message)
                    checkpoint("after_send")
                except Transient as exc:
                    tries = max(attempts.get(i, 0) for i in ids) + 1
                    wait = exc.retry_after if exc.retry_after is not None else backoff(tries)
                    later = [i for m in messages[index:] for i in m.delivery_ids]
                    at = self.clock() + timedelta(seconds=wait)
                    await self.db.call(Store.retry_later, later, at=at, error=str(exc))
                    log.warning(
                        "delivery to %s failed (%s); %d alerts wait %.0fs",
                        destination,
                        exc,
                        len(later),
                        wait,
                    )
                    return sent
                except DestinationGone as exc:
                    await self.db.call(Store.mark_dead, destination, str(exc), now=self.clock())
                    log.warning("stopped delivering to %s: %s", destination, exc)
                    return sent
                except MessageRefused as exc:
                    await self.db.call(Store.give_up, ids, status="failed", reason=str(exc))
                    log.error("Discord refused a message to %s: %s", destination, exc)
                    continue
                await self.db.call(Store.mark_sent, ids, now=self.clock(), message_id=message_id)
                sent += 1
                log.info(
                    "delivered %d alerts to %s (message %s)", len(ids), destination, message_id
                )
        return sent


def _channel_key(message: OutgoingMessage) -> str:
    return f"{message.kind}:{message.target}"
