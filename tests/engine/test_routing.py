"""Routing (bot/engine/routing.py): each event to the channels and members it belongs to,
once."""

from __future__ import annotations

from bot.engine.deliveries import (
    Destination,
)
from bot.engine.events import AlertPolicy, NewNumberOne
from bot.engine.routing import GuildAlerts, Subscription, Via, route
from tests.helpers.events import count, moved


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
