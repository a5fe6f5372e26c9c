"""The dispatcher: from the outbox to Discord, once per alert, fairly.

Each round reads what is due (a few deliveries per destination, oldest first, so one
busy destination cannot fill a round), builds messages within Discord's limits, and
sends them: each destination's messages in order, destinations taking turns, servers
interleaved, and never more than one message at a time to one channel (a server's alert
channel and the mentions in it are one channel to Discord). A message is claimed under
its nonce (all of a round's in one transaction) and marked with its id once sent. A round starts new
messages for a few seconds only, then the next round reads again, so an alert for
another server never waits behind a long queue.

A transient failure (5xx, timeout, outage) puts the rest of that destination back with
exponential backoff; a destination that is gone (channel deleted, bot removed, DMs
closed) is marked dead with the reason. The sending itself is behind `Sender`, so this
module knows nothing of discord.py.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Protocol

from bot.clock import utcnow
from bot.delivery.messages import OutgoingMessage, build_messages
from bot.delivery.pacing import Pacer
from bot.delivery.pictures import AlertMaps
from bot.engine.deliveries import DeliveryStatus, Destination, PendingDelivery, Shards
from bot.engine.notices import PicturesRefused
from bot.faults import checkpoint
from bot.i18n import Language
from bot.store.store import Store
from bot.store.thread import StoreThread

log = logging.getLogger(__name__)

BACKOFF_FIRST = 5.0
BACKOFF_CAP = 600.0
ROUND_LIMIT = 2000  # deliveries read per round
PER_DESTINATION = 25  # of which at most this many for one destination
ROUND_SECONDS = 5.0  # a round starts new messages for this long, then reads again
NEWER_EVERY = 0.5  # seconds between looks for deliveries queued since the round began


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


@dataclass(frozen=True, slots=True)
class Receipt:
    """A message Discord made: its id, and whether it went without the picture it had
    (the bot may not attach files in that channel)."""

    message_id: int
    picture_refused: bool = False


class Sender(Protocol):
    # The sender takes a slot from the pacer right before each request it makes (opening
    # a DM channel, then the message), so requests go out in the order of their slots.
    pacer: Pacer

    async def send(self, message: OutgoingMessage, *, picture: bytes | None = None) -> Receipt:
        """Send one message (with its nonce) or raise a SendError. A message Discord refuses
        only for its picture (no Attach Files there) goes again without it."""
        ...


def backoff(attempts: int) -> float:
    """Seconds before the next try: 5, 10, 20 ... up to 10 minutes, with jitter."""
    delay = min(BACKOFF_CAP, BACKOFF_FIRST * 2 ** max(0, attempts - 1))
    return delay * random.uniform(0.8, 1.2)


def due_deliveries(
    store: Store, now: datetime, limit: int = ROUND_LIMIT, shards: Shards | None = None
) -> list[PendingDelivery]:
    """What to send this round: per destination, in order, up to the first one not yet due
    (`shards`: only this process's share, see Shards)."""
    dead = store.outbox.dead_destinations()
    rows = store.outbox.due(
        exclude=Destination.terminal(), per_destination=PER_DESTINATION, limit=limit, shards=shards
    )
    blocked: set[Destination] = set()
    dropped: dict[Destination, list[int]] = {}
    due = []
    for row in rows:
        if row.destination in dead:
            dropped.setdefault(row.destination, []).append(row.id)
            continue
        if row.destination in blocked:
            continue
        if row.next_attempt_at and row.next_attempt_at > now:
            blocked.add(row.destination)  # keep the destination's order: wait for this one
            continue
        due.append(row)
    for destination, ids in dropped.items():
        store.outbox.give_up(ids, status=DeliveryStatus.DROPPED, reason=dead[destination])
    return due


def pictures_refused(
    store: Store, guild_id: int, destination: Destination, *, now: datetime
) -> None:
    """A server's maps turned off because Discord refused one in its alert channel, and a
    notice there saying why and how to turn them back on."""
    store.guilds.set_alerts(guild_id, by=None, now=now, pictures=False)
    if destination.channel_id is not None:
        with store.write():
            notice = PicturesRefused(destination.channel_id)
            store.outbox.add_notice(notice, now=now, to=[guild_id])


def fair_order(messages: Sequence[OutgoingMessage]) -> list[Destination]:
    """Destinations in the order they take turns: servers interleaved (each server's first
    destination, then each one's second, ...), DMs as a server of their own."""
    by_guild: dict[int | None, list[Destination]] = {}
    for message in messages:
        found = by_guild.setdefault(message.guild_id, [])
        if message.destination not in found:
            found.append(message.destination)
    order: list[Destination] = []
    queues = list(by_guild.values())
    while queues:
        order += [queue.pop(0) for queue in queues]
        queues = [queue for queue in queues if queue]
    return order


class Sent(Enum):
    SENT = "sent"
    REFUSED = "refused"  # this message refused; the destination goes on
    STOP = "stop"  # the destination waits (transient) or is gone: no more this round


@dataclass(slots=True)
class _Turn:
    """One destination's messages, in order."""

    destination: Destination
    messages: collections.deque[OutgoingMessage]
    attempts: dict[int, int]


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
        round_seconds: float = ROUND_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
        maps: AlertMaps | None = None,
        shards: Shards | None = None,
        language: Language = Language.EN,
    ) -> None:
        self.db = db
        self.language = language  # where a destination has none: the config's
        self.shards = shards  # None: every delivery; else this process's share
        self.sender = sender
        self.wake = wake
        self.clock = clock
        self.idle = idle
        self.concurrency = concurrency
        self.round_seconds = round_seconds
        self.monotonic = monotonic
        self.pacer = sender.pacer
        self.maps = maps  # None: alerts go without pictures
        self._no_pictures: set[int] = set()  # servers that turned pictures off
        self._stopping = False

    async def run(self) -> None:
        """Deliver until stopped; between rounds, wait for a wake-up or `idle` seconds.

        The idle wait is what picks up alerts queued by another process
        (a `chartbot poll` beside the running bot).
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
        newest = await self.db.call(lambda store: store.outbox.last_id())
        due = await self.db.call(due_deliveries, self.clock(), shards=self.shards)
        if not due:
            return 0
        messages = build_messages(due, self.language)
        attempts = {d.id: d.attempts for d in due}
        if self.maps is not None and any(m.picture for m in messages):
            self._no_pictures = await self.db.call(lambda store: store.guilds.pictures_off())
        # Claimed in one transaction; a message not started this round stays claimed and is
        # rebuilt under the same nonce next round (as after a crash).
        claims = [(m.nonce, m.delivery_ids) for m in messages]
        claimed = self.clock()
        await self.db.call(lambda store: store.outbox.claim(claims, now=claimed))
        checkpoint("after_claim")
        turns: dict[Destination, _Turn] = {}
        for message in messages:
            turn = turns.setdefault(
                message.destination,
                _Turn(message.destination, collections.deque(), attempts),
            )
            turn.messages.append(message)
        order = fair_order(messages)
        self._start_pictures([m for d in order for m in turns[d].messages])
        return await self._take_turns([turns[d] for d in order], newest)

    def _drawing(self, turn: _Turn) -> bool:
        """Is the map of the turn's next message still being drawn? Its turn waits while
        the destinations behind it go (the map is never waited for with a lane held)."""
        message = turn.messages[0]
        if self.maps is None or message.picture is None or message.guild_id in self._no_pictures:
            return False
        return not self.maps.start(message.picture, message.language).done()

    def _start_pictures(self, messages: Sequence[OutgoingMessage]) -> None:
        """Start drawing every map this round will send, in the order it sends them."""
        if self.maps is None:
            return
        for message in messages:
            if message.picture is not None and message.guild_id not in self._no_pictures:
                self.maps.start(message.picture, message.language)

    async def _take_turns(self, waiting: list[_Turn], newest: int) -> int:
        """Send turn by turn: a destination sends one message and goes to the back; one
        message at a time per channel; new messages started only for `round_seconds`, or
        until deliveries newer than `newest` are queued (they may be another server's)."""
        queue = collections.deque(waiting)
        busy: set[str] = set()  # channels with a message on its way
        flying: dict[asyncio.Task[Sent], _Turn] = {}
        ends = self.monotonic() + self.round_seconds
        look = self.monotonic() + NEWER_EVERY
        sent = 0
        while queue or flying:
            if queue and self.monotonic() >= look:
                look = self.monotonic() + NEWER_EVERY
                if await self.db.call(
                    lambda store: store.outbox.queued_after(newest, shards=self.shards)
                ):
                    ends = 0.0  # finish what is on its way; the next round takes turns anew
            open_for_more = self.monotonic() < ends and not self._stopping
            for _ in range(len(queue) if open_for_more else 0):
                if len(flying) >= self.concurrency:
                    break
                turn = queue.popleft()
                key = turn.destination.channel_key
                if key in busy or self.pacer.channel_wait(key) > 0 or self._drawing(turn):
                    queue.append(turn)
                    continue
                busy.add(key)
                message = turn.messages.popleft()
                flying[asyncio.ensure_future(self._send(turn, message))] = turn
            if not flying:
                if not open_for_more:
                    break
                waits = [self.pacer.channel_wait(t.destination.channel_key) for t in queue]
                await asyncio.sleep(min(NEWER_EVERY, max(0.01, min(waits))))
                continue
            done, _ = await asyncio.wait(flying, timeout=0.05, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                turn = flying.pop(task)
                busy.discard(turn.destination.channel_key)
                outcome = task.result()
                sent += outcome is Sent.SENT
                if outcome is not Sent.STOP and turn.messages:
                    queue.append(turn)
        return sent

    async def _picture(self, message: OutgoingMessage) -> bytes | None:
        if self.maps is None or message.picture is None:
            return None
        if message.guild_id in self._no_pictures:
            return None
        return await self.maps.png(message.picture, message.language)

    async def _send(self, turn: _Turn, message: OutgoingMessage) -> Sent:
        destination = turn.destination
        ids = list(message.delivery_ids)
        checkpoint("before_send")
        try:
            receipt = await self.sender.send(message, picture=await self._picture(message))
            checkpoint("after_send")
        except Transient as exc:
            tries = max(turn.attempts.get(i, 0) for i in ids) + 1
            wait = exc.retry_after if exc.retry_after is not None else backoff(tries)
            later = ids + [i for m in turn.messages for i in m.delivery_ids]
            turn.messages.clear()
            at, reason = self.clock() + timedelta(seconds=wait), str(exc)
            await self.db.call(lambda store: store.outbox.retry_later(later, at=at, error=reason))
            log.warning(
                "delivery to %s failed (%s); %d alerts wait %.0fs",
                destination,
                reason,
                len(later),
                wait,
            )
            return Sent.STOP
        except DestinationGone as exc:
            turn.messages.clear()
            gone, now = str(exc), self.clock()
            await self.db.call(lambda store: store.outbox.mark_dead(destination, gone, now=now))
            log.warning("stopped delivering to %s: %s", destination, gone)
            return Sent.STOP
        except MessageRefused as exc:
            refused = str(exc)
            await self.db.call(
                lambda store: store.outbox.give_up(
                    ids, status=DeliveryStatus.FAILED, reason=refused
                )
            )
            log.error("Discord refused a message to %s: %s", destination, refused)
            return Sent.REFUSED
        if receipt.picture_refused and message.guild_id is not None:
            # Before the alerts are marked sent: whoever sees them sent sees the notice
            # queued (and a crash in between sends the message again under its nonce).
            await self._pictures_refused(message.guild_id, destination)
        done = self.clock()
        await self.db.call(
            lambda store: store.outbox.mark_sent(ids, now=done, message_id=receipt.message_id)
        )
        log.info(
            "delivered %d alerts to %s (message %s)", len(ids), destination, receipt.message_id
        )
        return Sent.SENT

    async def _pictures_refused(self, guild_id: int, destination: Destination) -> None:
        """Discord refused a picture there: the server's alerts go without maps from now on
        (so no alert waits on a refusal again), and its admins are told once, in the channel."""
        self._no_pictures.add(guild_id)
        now = self.clock()
        await self.db.call(pictures_refused, guild_id, destination, now=now)
        log.warning("guild %s: no Attach Files in %s; its maps are off", guild_id, destination)
