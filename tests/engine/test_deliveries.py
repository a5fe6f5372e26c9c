"""Destinations and shards (bot/engine/deliveries.py): stored as text and read back, broken
ones refused."""

from __future__ import annotations

import pytest

from bot.engine.deliveries import (
    Destination,
    Shards,
)


@pytest.mark.parametrize(
    "destination",
    [
        Destination.terminal(),
        Destination.channel(5),
        Destination.dm(7),
        Destination.mention(5, 7),
    ],
    ids=str,
)
def test_destinations_are_stored_as_text_and_read_back(destination):
    assert Destination.parse(str(destination)) == destination


def test_a_channel_and_the_mentions_in_it_are_one_channel_to_pace():
    assert Destination.channel(5).channel_key == Destination.mention(5, 7).channel_key
    assert Destination.dm(5).channel_key != Destination.channel(5).channel_key


@pytest.mark.parametrize("text", ["channel", "dm:x", "mention:1", "fax:1"])
def test_broken_destinations_are_refused(text):
    with pytest.raises(ValueError):
        Destination.parse(text)


@pytest.mark.parametrize(
    ("text", "shards"),
    [("0-9/40", Shards(0, 9, 40)), ("7/16", Shards(7, 7, 16)), (" 1-1/2 ", Shards(1, 1, 2))],
)
def test_shards_are_read_as_discord_counts_them(text, shards):
    assert Shards.parse(text) == shards and Shards.parse(str(shards)) == shards


@pytest.mark.parametrize(
    ("text", "says"),
    [("0-9", "write FIRST-LAST/COUNT"), ("5-2/8", "first to last"), ("0-8/8", "within 0-7")],
)
def test_shards_out_of_order_or_range_are_refused(text, says):
    with pytest.raises(ValueError, match=says):
        Shards.parse(text)
