"""Who gets which event: the routing written into the outbox with the events.

Pure: events, guild settings and subscriptions in, (event, destination) pairs
out: the terminal (`chartbot poll`), a guild's alert channel, a
subscriber by DM, or a subscriber mentioned in a channel (bot/engine/deliveries.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import Enum, StrEnum

from bot.engine.deliveries import Destination
from bot.engine.events import (
    AlertPolicy,
    CountryEvent,
    Entered,
    Event,
    FirstCharted,
    Moved,
    NewNumberOne,
    NumberOneCount,
    OnCourse,
    WorldwideNumberOne,
)
from bot.languages import Language

Routed = tuple[int, Destination, int | None]  # (event id, destination, guild id)


@dataclass(frozen=True, slots=True)
class GuildAlerts:
    """A guild's alert settings; None fields fall back to the config's defaults."""

    guild_id: int
    channel_id: int | None
    min_countries: int | None = None
    watched_markets: tuple[str, ...] | None = None
    charts: tuple[str, ...] | None = None
    milestones: bool | None = None
    pictures: bool | None = None  # a map with a #1-count alert; None: the config's
    language: Language | None = None  # None: the config's
    forecasts: bool | None = None  # on-course alerts; None: the config's

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
            milestones=default.milestones if self.milestones is None else self.milestones,
            forecasts=default.forecasts if self.forecasts is None else self.forecasts,
        )


class Via(StrEnum):
    """How a subscriber hears: by direct message, or mentioned in the channel they chose."""

    DM = "dm"
    HERE = "here"


@dataclass(frozen=True, slots=True)
class Subscription:
    id: int
    guild_id: int | None
    user_id: int
    title_key: str
    title: str
    artist: str | None
    country: str | None  # None: the guild's watched markets
    via: Via
    channel_id: int | None

    @property
    def destination(self) -> Destination:
        if self.via is Via.HERE and self.channel_id:
            return Destination.mention(self.channel_id, self.user_id)
        return Destination.dm(self.user_id)


def route(
    events: Sequence[tuple[int, Event]],
    *,
    default: AlertPolicy,
    guilds: Iterable[GuildAlerts] = (),
    subscriptions: Iterable[Subscription] = (),
    terminal: bool = False,
) -> list[Routed]:
    """(event id, destination, guild id) for every delivery the events call for."""
    deliveries: list[Routed] = []
    if terminal:
        to = Destination.terminal()
        deliveries += [(i, to, None) for i, e in events if default.is_channel_alert(e)]
    for guild in guilds:
        if guild.channel_id is None:
            continue
        policy = guild.policy(default)
        destination = Destination.channel(guild.channel_id)
        deliveries += [
            (i, destination, guild.guild_id) for i, e in events if policy.is_channel_alert(e)
        ]
    policies: dict[int | None, AlertPolicy] = {g.guild_id: g.policy(default) for g in guilds}
    redundant = _redundant_moves(events)
    for sub in subscriptions:
        policy = policies.get(sub.guild_id, default)
        watched = {sub.country} if sub.country else policy.watched_markets
        for event_id, event in events:
            if event.title_key != sub.title_key or event_id in redundant:
                continue
            if isinstance(event, OnCourse) and not policy.forecasts:
                continue  # forecasts reach a server's members only where it opted in
            if isinstance(event, NumberOneCount | WorldwideNumberOne | FirstCharted) or (
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


@dataclass(frozen=True, slots=True)
class SubscriptionLimits:
    """How many subscriptions a member, a server, and mentions in one channel may have."""

    per_member: int
    per_server: int
    per_channel: int  # mention subscriptions in one channel ("here")


class Subscribed(Enum):
    """What came of a subscribe: checked and written in one transaction, so a burst of
    requests can never pass a limit."""

    ADDED = "added"
    CHANGED = "changed"  # already followed: how or where changed
    MEMBER_FULL = "member full"
    SERVER_FULL = "server full"
    CHANNEL_FULL = "channel full"
