"""Where alerts go and how far each delivery is: destinations and outbox rows as values."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.engine.events import Event
from bot.engine.notices import Notice
from bot.languages import Language

_SHARDS = re.compile(r"(\d+)(?:-(\d+))?/(\d+)")


@dataclass(frozen=True, slots=True)
class Shards:
    """The gateway shards one process of the bot runs: `first` to `last` of `count`.

    Discord puts a server on shard (server id >> 22) % count. The process runs the
    servers of its shards: their commands, their channel alerts and mentions; and the
    DMs of the members whose id falls on its shards the same way, so that each DM has
    one process and every process a like share. The one with shard 0 (the lead) also
    polls the sources, so that each poll is done once however many processes share the
    store. Discord's request budget is the bot's, not a process's: the processes take
    their requests from one budget (bot/delivery/pacing.py `SharedBudget`). (The
    outbox query applies the rule: bot/store/outbox.py `_share`.)
    """

    first: int
    last: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shards:
        """'0-9/40' (shards 0 to 9 of 40) or '3/40' (shard 3 alone)."""
        found = _SHARDS.fullmatch(text.strip())
        if found is None:
            raise ValueError(f"shards {text!r}: write FIRST-LAST/COUNT, such as 0-9/40")
        first, last = int(found[1]), int(found[2] or found[1])
        count = int(found[3])
        if not 0 <= first <= last < count:
            raise ValueError(
                f"shards {text!r}: {first}-{last} must be within 0-{count - 1}, first to last"
            )
        return cls(first, last, count)

    def __str__(self) -> str:
        return f"{self.first}-{self.last}/{self.count}"

    @property
    def ids(self) -> list[int]:
        return list(range(self.first, self.last + 1))

    def runs(self, guild_id: int) -> bool:
        """Is this server on one of these shards (as Discord places servers)?"""
        return self.first <= (guild_id >> 22) % self.count <= self.last

    @property
    def lead(self) -> bool:
        """Does this process poll (and register the commands)?"""
        return self.first == 0


class DestinationKind(StrEnum):
    TERMINAL = "terminal"  # the alert lines `chartbot poll` prints
    CHANNEL = "channel"  # a server's alert channel
    DM = "dm"  # a subscriber, by direct message
    MENTION = "mention"  # a subscriber, mentioned in a channel


@dataclass(frozen=True, slots=True, order=True)
class Destination:
    """Where a delivery goes. Stored as text ("channel:123", "mention:123:456"); this is
    the one place that text is made and read."""

    kind: DestinationKind
    channel_id: int | None = None  # channel and mention
    user_id: int | None = None  # dm and mention

    @classmethod
    def terminal(cls) -> Destination:
        return cls(DestinationKind.TERMINAL)

    @classmethod
    def channel(cls, channel_id: int) -> Destination:
        return cls(DestinationKind.CHANNEL, channel_id=channel_id)

    @classmethod
    def dm(cls, user_id: int) -> Destination:
        return cls(DestinationKind.DM, user_id=user_id)

    @classmethod
    def mention(cls, channel_id: int, user_id: int) -> Destination:
        return cls(DestinationKind.MENTION, channel_id=channel_id, user_id=user_id)

    @classmethod
    def parse(cls, text: str) -> Destination:
        kind, *ids = text.split(":")
        match DestinationKind(kind), [int(i) for i in ids]:
            case DestinationKind.TERMINAL, []:
                return cls.terminal()
            case DestinationKind.CHANNEL, [channel_id]:
                return cls.channel(channel_id)
            case DestinationKind.DM, [user_id]:
                return cls.dm(user_id)
            case DestinationKind.MENTION, [channel_id, user_id]:
                return cls.mention(channel_id, user_id)
        raise ValueError(f"not a destination: {text!r}")

    def __str__(self) -> str:
        ids = [i for i in (self.channel_id, self.user_id) if i is not None]
        return ":".join([self.kind.value, *map(str, ids)])

    @staticmethod
    def mentions_in(channel_id: int) -> str:
        """A LIKE pattern for the stored text of every mention destination in a channel."""
        return f"{DestinationKind.MENTION.value}:{channel_id}:%"

    @property
    def channel_key(self) -> str:
        """What Discord paces as one channel: an alert channel and mentions in it are one."""
        if self.channel_id is not None:
            return f"channel:{self.channel_id}"
        return str(self)


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed: a message may be on its way
    SENT = "sent"
    FAILED = "failed"  # Discord refused the message itself
    DROPPED = "dropped"  # the destination is gone


@dataclass(frozen=True, slots=True)
class PendingDelivery:
    id: int
    event_id: int | None
    destination: Destination
    guild_id: int | None
    attempts: int
    event: Event | None  # None for a notice
    notice: Notice | None = None
    status: DeliveryStatus = DeliveryStatus.PENDING
    batch_key: str | None = None
    next_attempt_at: datetime | None = None
    source_label: str | None = None  # how people read the event's source's name
    language: Language | None = None  # the destination's (None: the config's default)

    @property
    def label(self) -> str:
        """The event's source as people read it ("Netflix"), or chartbot's own for a notice."""
        if self.event is None:
            return "chartbot"
        return self.source_label or self.event.source
