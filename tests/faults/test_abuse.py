"""Abuse and bad input: titles that try to ping or format, members without the right,
options that make no sense, more subscriptions than allowed, SQL in a title."""

from __future__ import annotations

import json

import pytest

from bot.clock import utcnow
from bot.engine.routing import Via
from bot.store.store import Store
from tests.helpers.bot_process import BotProcess, write_bot_config
from tests.helpers.cli import poll_json, run_cli
from tests.helpers.configs import write_config
from tests.helpers.discord_helpers import (
    EPHEMERAL,
    all_delivered,
    answer,
    publish_week_2,
    set_alert_channel,
)
from tests.helpers.fake_discord import (
    ADMIN_ID,
    ALL_PERMISSIONS,
    CHANNEL_ID,
    GUILD_ID,
    LOCKED_CHANNEL_ID,
    MEMBER_ID,
)
from tests.helpers.netflix import WEEK_1, WEEK_2
from tests.helpers.shared_data import needs_shared_data
from tests.helpers.waiting import wait_until

RANKER = 700_000_000_000_000_042  # a member of its own: the cooldown test spends its /ranks


@needs_shared_data
def test_a_title_that_says_everyone_pings_nobody(tmp_path, fake):
    hostile = WEEK_2.replace("\tBrazen\t", "\t@everyone <@&1> **Brazen**\t")
    (tmp_path / "top10.tsv").write_text(
        WEEK_1.replace("\tBrazen\t", "\t@everyone <@&1> **Brazen**\t")
    )
    config = write_bot_config(tmp_path, fake, "top10.tsv")
    run_cli("poll", "-c", config)
    process = BotProcess(config).start().wait_ready()
    try:
        set_alert_channel(fake)
        (tmp_path / "top10.tsv").write_text(hostile)
        run_cli("poll", "-c", config)
        wait_until(lambda: len(fake.messages_to(CHANNEL_ID)) >= 2 and all_delivered(config), 20)
        alert = fake.messages_to(CHANNEL_ID)[-1]
        assert alert["allowed_mentions"] == {"parse": []}
        text = alert["embeds"][0]["description"]
        assert "@\u200beveryone \\<@\u200b&1\\> \\*\\*Brazen\\*\\*" in text
        assert "@everyone" not in text
    finally:
        process.stop()


@needs_shared_data
def test_alert_settings_need_manage_server(shared):
    fake = shared.fake
    interaction = fake.interact(
        "alerts",
        [
            {
                "name": "channel",
                "type": 1,
                "options": [{"name": "channel", "type": 7, "value": str(CHANNEL_ID)}],
            }
        ],
        user_id=MEMBER_ID,
    )
    [reply] = answer(fake, interaction)
    assert reply["data"]["flags"] & EPHEMERAL
    assert "Manage Server" in reply["data"]["content"]
    assert fake.messages_to(CHANNEL_ID) == []


@needs_shared_data
def test_the_alert_channel_must_be_one_the_bot_can_post_in(shared):
    fake = shared.fake
    reply = set_alert_channel(fake, LOCKED_CHANNEL_ID)
    assert reply["data"]["flags"] & EPHEMERAL
    assert "missing these permissions there: Send Messages" in reply["data"]["content"]


@needs_shared_data
def test_rank_has_a_per_member_cooldown(shared):
    fake = shared.fake
    replies = []
    for _ in range(6):
        interaction = fake.interact(
            "rank", [{"name": "title", "type": 3, "value": "Cobra Kai"}], user_id=RANKER
        )
        replies.append(answer(fake, interaction)[0])
    assert [r["data"].get("flags", 0) & EPHEMERAL for r in replies[:5]] == [0] * 5
    assert replies[5]["data"]["flags"] & EPHEMERAL
    assert "Slow down a little" in replies[5]["data"]["content"]
    # another member is not slowed down by this one
    other = fake.interact(
        "rank", [{"name": "title", "type": 3, "value": "Cobra Kai"}], user_id=ADMIN_ID
    )
    assert not answer(fake, other)[0]["data"].get("flags", 0) & EPHEMERAL


def test_a_member_can_follow_only_so_many_titles(bot, fake, config):
    store = Store.open(config.parent / "chartbot.db")
    try:
        titles = store.titles.candidates()[:25]
        for title in titles:
            store.guilds.add_subscription(
                user_id=MEMBER_ID, title=title.id, guild_id=GUILD_ID, via=Via.DM, now=utcnow()
            )
        spare = store.titles.candidates()[30]
    finally:
        store.close()
    [reply] = answer(
        fake, fake.interact("subscribe", [{"name": "title", "type": 3, "value": spare.name}])
    )
    assert reply["data"]["flags"] & EPHEMERAL
    assert "You follow 25 titles already" in reply["data"]["content"]


@needs_shared_data
@pytest.mark.parametrize(
    ("command", "options", "says"),
    [
        (
            "rank",
            [("title", "Cobra Kai"), ("country", "Narnia")],
            "I don't know a country called “Narnia”",
        ),
        (
            "subscribe",
            [("title", "zzzzzz qqqq")],
            "I don't know a title called **zzzzzz qqqq** yet",
        ),
        (
            "subscribe",
            [("title", "Cobra Kai"), ("country", "Atlantis")],
            "I don't know a country called",
        ),
        (
            "top",
            [("chart", "Cartoons")],
            "I don't know that chart. Charts: netflix · Films, netflix · TV",
        ),
        ("unsubscribe", [("title", "Cobra Kai")], "You don't follow that title here"),
    ],
)
def test_options_that_make_no_sense_get_a_helpful_private_answer(shared, command, options, says):
    fake = shared.fake
    reply = answer(
        fake, fake.interact(command, [{"name": n, "type": 3, "value": v} for n, v in options])
    )[0]
    assert reply["data"]["flags"] & EPHEMERAL
    assert says in reply["data"]["content"]


@needs_shared_data
def test_alert_settings_refuse_unknown_countries_and_charts(shared):
    fake = shared.fake

    def settings(**values: str) -> str:
        options = [{"name": k, "type": 3, "value": v} for k, v in values.items()]
        interaction = fake.interact(
            "alerts",
            [{"name": "settings", "type": 1, "options": options}],
            user_id=ADMIN_ID,
            permissions=ALL_PERMISSIONS,
        )
        return answer(fake, interaction)[0]["data"]["content"]

    assert "I don't know these countries: “Narnia”" in settings(watched_markets="US, Narnia")
    assert "I don't know these charts: “Cartoons”" in settings(charts="Cartoons")


def test_a_dm_subscription_reaches_only_the_member_who_asked(bot, fake, config):
    answer(
        fake,
        fake.interact(
            "subscribe",
            [
                {"name": "title", "type": 3, "value": "Stay Close"},
                {"name": "country", "type": 3, "value": "US"},
            ],
        ),
    )
    publish_week_2(config)
    wait_until(lambda: all_delivered(config) and fake.alert_dms(MEMBER_ID), 20)
    assert fake.dms_to(ADMIN_ID) == []
    assert set(fake.dm_channels) == {MEMBER_ID}


@needs_shared_data
def test_sql_in_a_title_is_just_a_title(tmp_path, chart_server):
    nasty = "Robert'); DROP TABLE ranks; --"
    config = write_config(
        tmp_path, chart_server.serve("top10.tsv", WEEK_1.replace("\tCobra Kai\t", f"\t{nasty}\t"))
    )
    assert poll_json(config)[0] == 0
    chart_server.serve("top10.tsv", WEEK_2.replace("\tCobra Kai\t", f"\t{nasty}\t"))
    assert poll_json(config)[0] == 0
    data = json.loads(run_cli("rank", nasty, "--json", "-c", config).stdout)
    assert data["title"] == nasty and data["charts"][0]["ranks"]
    store = Store.open(config.parent / "chartbot.db")
    try:
        assert store.db["ranks"].count > 1000  # the table is still there, whole
    finally:
        store.close()
