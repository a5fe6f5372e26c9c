"""Who gets which event: the routing written into the outbox with the events.

Pure: events, guild settings and subscriptions in, (event, destination) pairs
out. Destinations are strings so that one destination's deliveries can be
batched into one message:

- ``terminal``: the alert lines `chartbot poll --once` prints;
- ``channel:<channel id>``: a guild's alert channel;
- ``dm:<user id>``: a subscriber, by direct message;
- ``mention:<channel id>:<user id>``: a subscriber, mentioned in a channel.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from bot.engine.events import (
    AlertPolicy,
    CountryEvent,
    Entered,
    Event,
    Moved,
    NewNumberOne,
    NumberOneCount,
)

TERMINAL = "terminal"


@dataclass(frozen=True, slots=True)
class GuildAlerts:
    """A guild's alert settings; None fields fall back to the config's defaults."""

    guild_id: int
    channel_id: int | None
    min_countries: int | None = None
    watched_markets: tuple[str, ...] | None = None
    charts: tuple[str, ...] | None = None

    def policy(self, default: AlertPolicy) -> AlertPolicy:
        return replace(
            default,
            min_countries=self.min_countries or default.min_countries,
            watched_markets=(
                frozenset(self.watched_markets)
                if self.watched_markets is not None
                else default.watched_markets
            ),
            charts=frozenset(self.charts) if self.charts is not None else default.charts,
        )


@dataclass(frozen=True, slots=True)
class Subscription:
    id: int
    guild_id: int | None
    user_id: int
    title_key: str
    title: str
    country: str | None  # None: the guild's watched markets
    via: str  # "dm" | "here"
    channel_id: int | None

    @property
    def destination(self) -> str:
        if self.via == "here" and self.channel_id:
            return f"mention:{self.channel_id}:{self.user_id}"
        return f"dm:{self.user_id}"


def channel_destination(channel_id: int) -> str:
    return f"channel:{channel_id}"


def route(
    events: Sequence[tuple[int, Event]],
    *,
    default: AlertPolicy,
    guilds: Iterable[GuildAlerts] = (),
    subscriptions: Iterable[Subscription] = (),
    terminal: bool = False,
) -> list[tuple[int, str, int | None]]:
    """(event id, destination, guild id) for every delivery the events call for."""
    deliveries: list[tuple[int, str, int | None]] = []
    if terminal:
        deliveries += [(i, TERMINAL, None) for i, e in events if default.is_channel_alert(e)]
    for guild in guilds:
        if guild.channel_id is None:
            continue
        policy = guild.policy(default)
        destination = channel_destination(guild.channel_id)
        deliveries += [
            (i, destination, guild.guild_id) for i, e in events if policy.is_channel_alert(e)
        ]
    markets = {g.guild_id: g.policy(default).watched_markets for g in guilds}
    redundant = _redundant_moves(events)
    for sub in subscriptions:
        watched = (
            {sub.country} if sub.country else markets.get(sub.guild_id, default.watched_markets)
        )
        for event_id, event in events:
            if event.title_key != sub.title_key or event_id in redundant:
                continue
            if isinstance(event, NumberOneCount) or (
                isinstance(event, CountryEvent) and event.country in watched
            ):
                deliveries.append((event_id, sub.destination, sub.guild_id))
    return deliveries


def _redundant_moves(events: Sequence[tuple[int, Event]]) -> set[int]:
    """Climbs and entries that a 'takes #1' event for the same title and country already says."""
    new_number_ones = {
        (e.chart, e.title_key, e.country) for _, e in events if isinstance(e, NewNumberOne)
    }
    return {
        event_id
        for event_id, e in events
        if isinstance(e, Moved | Entered) and (e.chart, e.title_key, e.country) in new_number_ones
    }
