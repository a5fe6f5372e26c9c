"""Following titles: limits checked with the insert, titles followed before they chart
stored only with an accepted subscription, and the chart's own spelling winning."""

from __future__ import annotations

import pytest

from bot.clock import utcnow
from bot.engine.deliveries import Destination
from bot.engine.model import ChartRow
from bot.engine.routing import Subscribed, SubscriptionLimits, Via
from bot.engine.titles import Candidate
from bot.service import subscriptions
from bot.service.subscriptions import SubscribeRequest

LIMITS = SubscriptionLimits(per_member=2, per_server=3, per_channel=1)
GUILD, OTHER_GUILD, MEMBER, OTHER_MEMBER, CHANNEL = 1, 2, 10, 11, 100


def charted(store, *rows: tuple[str, str | None]) -> dict[str, Candidate]:
    """Titles as a chart stores them (listed)."""
    with store.write():
        store.titles.ids_of(rows)
    return {c.name: c for c in store.titles.candidates()}


def early(store, typed: str, *, user: int = MEMBER, guild: int = GUILD, via=Via.DM):
    title = subscriptions.title_before_it_charts(typed)
    request = SubscribeRequest(
        user_id=user, guild_id=guild, title=title, via=via, channel_id=CHANNEL
    )
    return subscriptions.subscribe(store, request, LIMITS, now=utcnow())


def title_rows(store) -> int:
    return store.db.execute("SELECT count(*) FROM titles").fetchone()[0]


def test_a_refused_follow_before_it_charts_leaves_no_title_behind(fresh_db):
    store = fresh_db
    assert early(store, "First") is Subscribed.ADDED
    assert early(store, "Second") is Subscribed.ADDED
    before = title_rows(store)
    # At the member's limit, a loop of names no chart has: each refused, none stored.
    results = {early(store, f"Made up title {n}") for n in range(50)}
    assert results == {Subscribed.MEMBER_FULL}
    assert title_rows(store) == before == 2
    # Titles followed early are offered to nobody (autocomplete, "did you mean", /rank).
    assert store.titles.candidates() == []


def test_the_server_limit_holds_for_titles_followed_early(fresh_db):
    store = fresh_db
    for user in range(3):
        assert early(store, f"Title {user}", user=user) is Subscribed.ADDED
    assert early(store, "One more", user=99) is Subscribed.SERVER_FULL
    assert store.titles.by_key("One more") is None


def test_an_uncharted_title_nobody_follows_any_more_is_removed(fresh_db):
    store = fresh_db
    assert early(store, "Brazen") is Subscribed.ADDED
    assert early(store, "Brazen", user=OTHER_MEMBER, guild=OTHER_GUILD) is Subscribed.ADDED
    [mine] = store.guilds.user_subscriptions(MEMBER, GUILD)
    subscriptions.unsubscribe(store, user_id=MEMBER, guild_id=GUILD, subscription_id=mine.id)
    assert store.titles.by_key("Brazen") is not None  # still followed in the other server
    removed = store.guilds.forget(OTHER_GUILD, "the bot left", now=utcnow())
    assert removed == 1
    assert store.titles.by_key("Brazen") is None


def test_a_charted_title_stays_when_nobody_follows_it(fresh_db):
    store = fresh_db
    charted(store, ("Squid Game", None))
    found = store.titles.by_key("Squid Game")
    request = SubscribeRequest(user_id=MEMBER, guild_id=GUILD, title=found, via=Via.DM)
    assert subscriptions.subscribe(store, request, LIMITS, now=utcnow()) is Subscribed.ADDED
    [sub] = store.guilds.user_subscriptions(MEMBER, GUILD)
    subscriptions.unsubscribe(store, user_id=MEMBER, guild_id=GUILD, subscription_id=sub.id)
    assert store.titles.by_key("Squid Game") == found


@pytest.mark.parametrize(
    ("typed", "chart", "shown"),
    [
        # Same key as the real title: the member's emoji spelling must not stay.
        (
            "Squid🖕Game🖕The🖕Challenge",
            ("Squid Game: The Challenge", None),
            "Squid Game: The Challenge",
        ),
        (
            "SQUID GAME THE CHALLENGE",
            ("Squid Game: The Challenge", None),
            "Squid Game: The Challenge",
        ),
        ("seven — JUNG KOOK", ("Seven", "Jung Kook"), "Seven — Jung Kook"),
    ],
    ids=["emoji", "capitals", "song-and-artist"],
)
def test_the_charts_spelling_replaces_a_members_when_it_first_charts(fresh_db, typed, chart, shown):
    store = fresh_db
    assert early(store, typed) is Subscribed.ADDED
    listed = charted(store, chart)
    [title] = listed.values()
    assert title.label == shown
    assert store.guilds.user_subscriptions(MEMBER, GUILD)[0].title == chart[0]


def test_a_mention_is_delivered_again_after_a_kick_and_a_new_subscribe(fresh_db):
    store = fresh_db
    titles = charted(store, ("Squid Game", None))
    mention = Destination.mention(CHANNEL, MEMBER)
    store.outbox.mark_dead(mention, "HTTP 403 Missing Access", now=utcnow())
    request = SubscribeRequest(
        user_id=MEMBER,
        guild_id=GUILD,
        title=titles["Squid Game"],
        via=Via.HERE,
        channel_id=CHANNEL,
    )
    assert subscriptions.subscribe(store, request, LIMITS, now=utcnow()) is Subscribed.ADDED
    assert mention not in store.outbox.dead_destinations()


def test_setting_the_channel_again_revives_the_mentions_in_it(fresh_db):
    from bot.service.settings import set_channel

    store = fresh_db
    dead = [Destination.channel(CHANNEL), Destination.mention(CHANNEL, MEMBER)]
    elsewhere = Destination.mention(CHANNEL + 1, MEMBER)
    for destination in [*dead, elsewhere]:
        store.outbox.mark_dead(destination, "HTTP 403 Missing Access", now=utcnow())
    set_channel(store, GUILD, CHANNEL, by=OTHER_MEMBER, now=utcnow())
    assert set(store.outbox.dead_destinations()) == {elsewhere}


@pytest.mark.parametrize(
    "typed", ["", "   ", "!!!", "x" * 101], ids=["empty", "spaces", "punctuation", "too-long"]
)
def test_a_name_that_follows_nothing_is_refused(typed):
    with pytest.raises(subscriptions.NotATitle):
        subscriptions.title_before_it_charts(typed)


def test_a_chart_row_finds_the_title_by_row_too(fresh_db):
    store = fresh_db
    early(store, "Brazen")
    with store.write():
        ids = store.titles.ids([ChartRow("TV", "2022-01-16", "US", 1, "Brazen")])
    assert store.titles.by_key("Brazen").id == ids["brazen"]
