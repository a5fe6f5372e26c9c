"""Discord-side faults, injected for real through the fake Discord: server errors, outages,
gateway drops, rate limits, deleted channels, closed DMs, and bots killed mid-delivery."""

from __future__ import annotations

import json
import signal

import pytest

from bot.clock import utcnow
from bot.engine.deliveries import Destination
from bot.engine.notices import TextNotice
from bot.engine.routing import Via
from bot.faults import ENV
from bot.store.store import Store
from tests.helpers.bot_process import BotProcess
from tests.helpers.discord_helpers import (
    all_delivered,
    answer,
    deliveries,
    publish_week_2,
    set_alert_channel,
    set_maps,
)
from tests.helpers.fake_discord import (
    ATTACH_FILES,
    CHANNEL_ID,
    GUILD_ID,
    MEMBER_ID,
    Fault,
)
from tests.helpers.waiting import wait_until


@pytest.mark.parametrize("point", ["before_send", "after_send"])
def test_a_restart_mid_delivery_duplicates_nothing(config, fake, point):
    first = BotProcess(config, env={ENV: point}).start().wait_ready()
    set_alert_channel(fake)
    publish_week_2(config)
    assert first.wait_exit() == -signal.SIGKILL
    again = BotProcess(config).start().wait_ready()
    try:
        wait_until(lambda: all_delivered(config), 20, "delivery after the restart")
        alerts = fake.messages_to(CHANNEL_ID)[1:]
        assert len(alerts) == 1
        assert "**Brazen** is now #1 in 6 countries (+6)" in alerts[0]["embeds"][0]["description"]
        if point == "after_send":
            # the message was made before the crash: the resend carried the same nonce
            sends = [r for r in fake.requests if r.path == f"/channels/{CHANNEL_ID}/messages"]
            assert len({json.dumps(r.json["nonce"]) for r in sends[1:]}) == 1
    finally:
        again.stop()


def test_an_alert_queued_after_a_lost_answer_is_shown_once_beside_the_first(bot, fake, config):
    """Discord makes the message but its answer is lost (a 503 after the message was made):
    the retry must find that message by its nonce, and an alert queued meanwhile for the
    same channel must go in a message of its own, not under the first one's nonce."""
    set_alert_channel(fake)
    lost = Fault("POST", f"/channels/{CHANNEL_ID}/messages", 503, made=True)
    fake.faults.append(lost)
    publish_week_2(config)
    wait_until(lambda: lost.count == 0, 20, "the message whose answer is lost")
    with Store.open(config.parent / "chartbot.db") as store, store.write():  # before the retry
        store.outbox.add_notice(TextNotice("⚠️ Chart source **later** is failing"), now=utcnow())
    wait_until(lambda: all_delivered(config), 30, "the retry")
    texts = [e["description"] for m in fake.messages_to(CHANNEL_ID)[1:] for e in m["embeds"]]
    assert sum("**Brazen** is now #1 in 6 countries (+6)" in t for t in texts) == 1
    assert sum("Chart source **later** is failing" in t for t in texts) == 1


NO_FILES_CHANNEL = 810_000_000_000_000_077


def test_an_alert_channel_without_attach_files_is_refused_while_maps_are_on(config, fake):
    fake.add_channel(NO_FILES_CHANNEL, "no-files", deny=ATTACH_FILES)
    bot = BotProcess(config).start().wait_ready()
    try:
        refused = set_alert_channel(fake, NO_FILES_CHANNEL)
        assert "I'm missing the Attach Files permission there" in refused["data"]["content"]
        assert "/alerts settings pictures: False" in refused["data"]["content"]
        set_maps(fake, on=False)
        accepted = set_alert_channel(fake, NO_FILES_CHANNEL)
        assert "Chart alerts will be posted in" in accepted["data"]["content"]
    finally:
        bot.stop()


def test_a_map_the_channel_refuses_goes_without_it_and_the_admins_hear_once(bot, fake, config):
    set_alert_channel(fake)
    fake.deny_bot(CHANNEL_ID, ATTACH_FILES)  # taken away after the channel was set
    publish_week_2(config)
    wait_until(lambda: all_delivered(config), 20)
    posted = fake.messages_to(CHANNEL_ID)[1:]
    texts = [e["description"] for m in posted for e in m["embeds"]]
    assert sum("**Brazen** is now #1 in 6 countries (+6)" in t for t in texts) == 1
    assert sum("I can't attach pictures in" in t for t in texts) == 1
    assert not any(m["files"] for m in posted)
    with Store.open(config.parent / "chartbot.db") as store:
        settings = store.guilds.alerts_for(GUILD_ID)
        assert settings is not None and settings.pictures is False
        assert Destination.channel(CHANNEL_ID) not in store.outbox.dead_destinations()


def test_rate_limits_are_waited_out(bot, fake, config):
    set_alert_channel(fake)
    fake.faults.append(
        Fault("POST", f"/channels/{CHANNEL_ID}/messages", 429, count=2, retry_after=0.3)
    )
    fake.faults.append(
        Fault(
            "POST", f"/channels/{CHANNEL_ID}/messages", 429, count=1, retry_after=0.2, global_=True
        )
    )
    publish_week_2(config)
    wait_until(lambda: all_delivered(config), 20)
    assert len(fake.messages_to(CHANNEL_ID)) == 2
    statuses = [r.status for r in fake.hits("POST", f"/channels/{CHANNEL_ID}/messages")]
    assert statuses.count(429) == 3 and statuses[-1] == 200


def test_a_deleted_channel_stops_its_deliveries_only(bot, fake, config):
    set_alert_channel(fake)
    subscribe = fake.interact("subscribe", [{"name": "title", "type": 3, "value": "Stay Close"}])
    answer(fake, subscribe)
    fake.deleted_channels.add(CHANNEL_ID)
    publish_week_2(config)
    wait_until(lambda: all_delivered(config) and fake.alert_dms(MEMBER_ID), 20)
    counts = deliveries(config)
    assert counts.get("dropped", 0) >= 1
    store = Store.open(config.parent / "chartbot.db")
    try:
        assert (
            "Unknown Channel" in store.outbox.dead_destinations()[Destination.channel(CHANNEL_ID)]
        )
    finally:
        store.close()
    assert len(fake.alert_dms(MEMBER_ID)) == 1


def test_closed_dms_are_recorded_and_others_still_delivered(bot, fake, config):
    set_alert_channel(fake)
    answer(fake, fake.interact("subscribe", [{"name": "title", "type": 3, "value": "Stay Close"}]))
    fake.closed_dms.add(MEMBER_ID)
    publish_week_2(config)
    wait_until(lambda: all_delivered(config) and len(fake.messages_to(CHANNEL_ID)) == 2, 20)
    store = Store.open(config.parent / "chartbot.db")
    try:
        assert (
            "Cannot send messages to this user"
            in store.outbox.dead_destinations()[Destination.dm(MEMBER_ID)]
        )
    finally:
        store.close()


def test_server_errors_are_retried_until_delivered(bot, fake, config):
    set_alert_channel(fake)
    fake.faults.append(Fault("POST", f"/channels/{CHANNEL_ID}/messages", 503, count=1))
    publish_week_2(config)
    wait_until(lambda: all_delivered(config), 30)
    assert len(fake.messages_to(CHANNEL_ID)) == 2


def test_a_gateway_disconnect_is_survived(bot, fake, config):
    set_alert_channel(fake)
    fake.disconnect_gateway()
    fake.wait_connected(30)
    publish_week_2(config)
    wait_until(lambda: all_delivered(config) and len(fake.messages_to(CHANNEL_ID)) == 2, 30)
    assert fake.resumed + fake.identified >= 2


def subscribe(fake, user_id: int, title: str, country: str = "US") -> None:
    reply = answer(
        fake,
        fake.interact(
            "subscribe",
            [
                {"name": "title", "type": 3, "value": title},
                {"name": "country", "type": 3, "value": country},
            ],
            user_id=user_id,
        ),
    )
    assert "You'll hear about" in reply[0]["data"]["content"]


def lines_of(messages: list[dict]) -> list[str]:
    return [line for m in messages for e in m["embeds"] for line in e["description"].split("\n")]


def test_an_outage_loses_nothing_and_keeps_each_destinations_order(bot, fake, config):
    set_alert_channel(fake)
    subscribe(fake, MEMBER_ID, "Stay Close")
    subscribe(fake, MEMBER_ID, "Cobra Kai")
    fake.outage = True
    publish_week_2(config)
    wait_until(lambda: len([r for r in fake.requests if r.status == 503]) >= 2, 20, "failed sends")
    assert fake.alert_dms(MEMBER_ID) == [] and len(fake.messages_to(CHANNEL_ID)) == 1
    fake.outage = False
    wait_until(lambda: all_delivered(config), 60, "delivery after the outage")
    dms = fake.alert_dms(MEMBER_ID)
    assert len(dms) == 2  # one message per title
    nonces = [int(m["nonce"].removeprefix("cb")) for m in dms]
    assert nonces == sorted(nonces)  # in the order they were queued
    assert len(fake.messages_to(CHANNEL_ID)) == 2  # the confirmation, then the alerts
    lines = lines_of(dms) + lines_of(fake.messages_to(CHANNEL_ID)[1:])
    assert len(lines) == len(set(lines))
    assert set(deliveries(config)) == {"sent"}


def test_a_fan_out_stays_under_discords_limits(bot, fake, config):
    fake.limits = (50, 5)
    set_alert_channel(fake)
    store = Store.open(config.parent / "chartbot.db")
    try:
        title = store.titles.by_key("Stay Close")
        assert title is not None
        for user_id in range(1, 121):
            store.guilds.add_subscription(
                user_id=user_id,
                title=title.id,
                guild_id=1,
                via=Via.DM,
                country="US",
                now=utcnow(),
            )
    finally:
        store.close()
    publish_week_2(config)
    wait_until(lambda: all_delivered(config), 90, "the fan-out")
    # Paced, not pushed back. The fake counts a request when its event loop gets to it, so
    # a stall of the test process (the whole suite on two cores) can bunch requests that
    # left the bot evenly into one of its seconds: a handful of 429s, seen twice in full
    # runs. Unpaced (49 a second raised to 1,000), this fan-out got 62.
    assert fake.limited <= 3, fake.limited_by
    for user_id in range(1, 121):
        assert len(fake.alert_dms(user_id)) == 1
    assert deliveries(config)["sent"] >= 121


def test_a_kicked_bot_stops_posting_in_that_server_only(bot, fake, config):
    set_alert_channel(fake)
    subscribe(fake, MEMBER_ID, "Stay Close")
    fake.remove_bot_from_guild()
    bot.wait_for_log("left guild")
    publish_week_2(config)
    wait_until(lambda: all_delivered(config), 30)
    assert len(fake.messages_to(CHANNEL_ID)) == 1  # only the confirmation from before
    assert fake.alert_dms(MEMBER_ID) == []  # its members' subscriptions went with it
    store = Store.open(config.parent / "chartbot.db")
    try:
        reason = store.outbox.dead_destinations()[Destination.channel(CHANNEL_ID)]
    finally:
        store.close()
    assert reason == "the bot is no longer in this server"
    # Its settings went too: the new week routes nothing to the server it left.
    assert set(deliveries(config)) <= {"sent"}
