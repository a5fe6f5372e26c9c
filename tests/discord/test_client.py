"""The bot end to end: `chartbot run` (real discord.py) against the fake Discord on loopback."""

from __future__ import annotations

import base64
import signal
import urllib.parse

import pytest

from bot.store.store import Store
from tests.helpers.bot_process import BotProcess, write_bot_config
from tests.helpers.cli import run_cli
from tests.helpers.discord_helpers import (
    EPHEMERAL,
    all_delivered,
    answer,
    publish_week_2,
    set_alert_channel,
    set_maps,
    text_of,
)
from tests.helpers.fake_discord import (
    ADMIN_ID,
    ALL_PERMISSIONS,
    APPLICATION_ID,
    CHANNEL_ID,
    GUILD_ID,
    MANAGE_GUILD,
    MEMBER_ID,
    TOKEN,
)
from tests.helpers.netflix import WEEK_1, WEEK_2
from tests.helpers.oracle import rows
from tests.helpers.shared_data import needs_shared_data
from tests.helpers.waiting import wait_until


@needs_shared_data
def test_the_bot_connects_and_registers_its_commands(shared):
    fake = shared.fake
    assert fake.identified == 1
    wait_until(lambda: "global" in fake.commands, 10, "command registration")
    commands = {c["name"]: c for c in fake.commands["global"]}
    assert set(commands) == {
        "rank",
        "top",
        "subscribe",
        "unsubscribe",
        "subscriptions",
        "alerts",
        "status",
    }
    assert int(commands["alerts"]["default_member_permissions"]) == MANAGE_GUILD
    title = next(o for o in commands["rank"]["options"] if o["name"] == "title")
    assert title["autocomplete"] is True and title["required"] is True
    assert {o["name"] for o in commands["alerts"]["options"]} == {
        "channel",
        "off",
        "settings",
        "subscriptions",
    }


@needs_shared_data
def test_rank_answers_in_time_with_the_figures_and_a_picture(shared):
    fake = shared.fake
    interaction = fake.interact("rank", [{"name": "title", "type": 3, "value": "stay close"}])
    first, edit = answer(fake, interaction, 2)
    assert first["type"] == 4  # answered at once (the fake refuses answers after 3 s, as Discord)
    text = text_of(first)
    week = [
        r for r in rows(WEEK_1) if r["show_title"] == "Stay Close" and r["week"] == "2022-01-09"
    ]
    ones = sum(1 for r in week if r["weekly_rank"] == "1")
    us = next(r["weekly_rank"] for r in week if r["country_iso2"] == "US")
    assert "Stay Close" in text
    assert f"#1 in: {ones} countries" in text
    assert f"United States: #{us}" in text
    # A per-country chart: the world map in the answer's embed, the rank history below it.
    assert [name for name, _ in edit["files"]] == ["map.png", "rank.png"]
    assert all(data.startswith(b"\x89PNG") for _, data in edit["files"])
    images = [e["image"]["url"] for e in edit["embeds"]]
    assert images == ["attachment://map.png", "attachment://rank.png"]


@needs_shared_data
def test_rank_of_an_unknown_title_suggests_privately(shared):
    fake = shared.fake
    interaction = fake.interact("rank", [{"name": "title", "type": 3, "value": "Stya Clsoe Nwo"}])
    [reply] = answer(fake, interaction)
    assert reply["data"]["flags"] & EPHEMERAL
    assert "Did you mean **Stay Close**" in reply["data"]["content"]


@needs_shared_data
@pytest.mark.parametrize(
    ("typed", "first"), [("stay", "Stay Close"), ("cobra", "Cobra Kai"), ("", None)]
)
def test_autocomplete_offers_at_most_25_relevant_titles(shared, typed, first):
    fake = shared.fake
    interaction = fake.interact(
        "rank", [{"name": "title", "type": 3, "value": typed, "focused": True}], kind=4
    )
    [reply] = answer(fake, interaction)
    assert reply["type"] == 8
    choices = reply["data"]["choices"]
    assert 0 < len(choices) <= 25
    if first:
        assert choices[0]["name"] == first
        # titles holding what was typed come first, fuzzy guesses after
        holds = [typed in c["name"].casefold() for c in choices]
        assert holds == sorted(holds, reverse=True)


def test_a_channel_alert_after_a_poll(bot, fake, config):
    reply = set_alert_channel(fake)
    assert "will be posted in" in reply["data"]["content"]
    publish_week_2(config)
    wait_until(lambda: len(fake.messages_to(CHANNEL_ID)) >= 2 and all_delivered(config), 20)
    confirmation, *alerts = fake.messages_to(CHANNEL_ID)
    assert "Chart alerts for this server will be posted here" in confirmation["content"]
    assert len(alerts) == 1  # everything due at once goes in one message
    text = "\n".join(e["description"] for e in alerts[0]["embeds"])
    assert "**Brazen** is now #1 in 6 countries (+6)" in text
    assert "**Cheer** takes #1 in United States (new entry)" in text
    assert alerts[0]["allowed_mentions"] == {"parse": []}
    # The "#1 in N countries" alert brings its world map, on the embed of its chart.
    [(name, data)] = alerts[0]["files"]
    assert name == "map.png" and data.startswith(b"\x89PNG")
    [films] = [e for e in alerts[0]["embeds"] if e["title"] == "netflix · Films"]
    assert films["image"]["url"] == "attachment://map.png"


def test_a_server_can_turn_the_maps_off(bot, fake, config):
    set_alert_channel(fake)
    assert "Maps with “#1 in N countries”: off" in set_maps(fake, on=False)["data"]["content"]
    publish_week_2(config)
    wait_until(lambda: len(fake.messages_to(CHANNEL_ID)) >= 2 and all_delivered(config), 20)
    alerts = fake.messages_to(CHANNEL_ID)[1:]
    text = "\n".join(e["description"] for m in alerts for e in m["embeds"])
    assert "**Brazen** is now #1 in 6 countries (+6)" in text
    assert all(not m["files"] for m in alerts)


def test_subscribe_then_a_move_delivers_exactly_one_dm(bot, fake, config):
    interaction = fake.interact(
        "subscribe",
        [
            {"name": "title", "type": 3, "value": "Stay Close"},
            {"name": "country", "type": 3, "value": "US"},
        ],
    )
    [reply] = answer(fake, interaction)
    assert "You'll hear about **Stay Close** in United States" in reply["data"]["content"]
    publish_week_2(config)
    wait_until(lambda: fake.alert_dms(MEMBER_ID) and all_delivered(config), 20, "the DM")
    [dm] = fake.alert_dms(MEMBER_ID)
    assert "**Stay Close** falls to #3 in United States (was #2)" in dm["embeds"][0]["description"]
    assert dm["allowed_mentions"] == {"parse": []}
    listed = fake.interact("subscriptions")
    assert "Stay Close" in answer(fake, listed)[0]["data"]["content"]


def test_sync_commands_to_one_guild_then_clear_them(config, fake, monkeypatch):
    monkeypatch.setenv("CHARTBOT_DISCORD_TOKEN", TOKEN)
    ran = run_cli("sync-commands", "--guild", str(GUILD_ID), "-c", config)
    assert ran.exit_code == 0, ran.stderr
    assert "registered 7 slash commands in server" in ran.stdout
    assert len(fake.commands[str(GUILD_ID)]) == 7
    # Beside the global ones `run` registers, members would see each command twice.
    ran = run_cli("sync-commands", "--guild", str(GUILD_ID), "--clear", "-c", config)
    assert ran.exit_code == 0, ran.stderr
    assert f"removed the slash commands registered in server {GUILD_ID}" in ran.stdout
    assert fake.commands[str(GUILD_ID)] == []
    ran = run_cli("sync-commands", "--clear", "-c", config)
    assert ran.exit_code == 2 and "give --guild SERVER_ID" in ran.stderr


def test_invite_prints_the_link_with_the_permissions_the_bot_checks(config, monkeypatch):
    # A token's first part is the bot's id in base64 (the application's id too).
    token = base64.b64encode(str(APPLICATION_ID).encode()).decode().rstrip("=") + ".Gx1yZ2.s3cr3t"
    monkeypatch.setenv("CHARTBOT_DISCORD_TOKEN", token)
    ran = run_cli("invite", "-c", config)
    assert ran.exit_code == 0, ran.stderr
    link = urllib.parse.urlsplit(ran.stdout.strip())
    asked = urllib.parse.parse_qs(link.query)
    assert asked["client_id"] == [str(APPLICATION_ID)]
    assert asked["scope"] == ["bot applications.commands"]
    # View Channel, Send Messages, Embed Links, Attach Files: what /alerts channel checks.
    assert asked["permissions"] == ["52224"]
    assert token not in ran.stdout + ran.stderr
    ran = run_cli("invite", "--application-id", "123", "-c", config)
    assert "client_id=123&" in ran.stdout
    elsewhere = config.parent / "no-config-here.toml"  # the token alone is enough
    ran = run_cli("invite", "-c", elsewhere)
    assert ran.exit_code == 0 and f"client_id={APPLICATION_ID}&" in ran.stdout
    monkeypatch.setenv("CHARTBOT_DISCORD_TOKEN", "not-a-token")
    ran = run_cli("invite", "-c", config)
    assert ran.exit_code == 2 and "give --application-id ID" in ran.stderr
    assert "does not look like a bot token" in ran.stderr


def test_sigterm_shuts_down_cleanly(bot):
    assert bot.stop(signal.SIGTERM) == 0
    assert "shutting down" in bot.output()
    assert TOKEN not in bot.output()
    assert "voice will NOT be supported" not in bot.output()  # chartbot never joins voice


@needs_shared_data
def test_the_bots_own_schedule_polls_and_alerts(tmp_path, fake):
    (tmp_path / "top10.tsv").write_text(WEEK_1, encoding="utf-8")
    config = write_bot_config(tmp_path, fake, "top10.tsv", every="1s")
    process = BotProcess(config).start().wait_ready()
    try:
        process.wait_for_log("baseline recorded")
        set_alert_channel(fake)
        (tmp_path / "top10.tsv").write_text(WEEK_2, encoding="utf-8")
        process.wait_for_log("stored Films 2022-01-16, TV 2022-01-16")
        wait_until(lambda: len(fake.messages_to(CHANNEL_ID)) == 2 and all_delivered(config), 20)
        assert "Brazen" in fake.messages_to(CHANNEL_ID)[1]["embeds"][0]["description"]
    finally:
        process.stop()


@needs_shared_data
def test_top_shows_a_countrys_chart_with_movement(bot, fake, config):
    publish_week_2(config)
    interaction = fake.interact(
        "top",
        [
            {"name": "country", "type": 3, "value": "US"},
            {"name": "chart", "type": 3, "value": "TV"},
        ],
    )
    [reply] = answer(fake, interaction)
    embed = reply["data"]["embeds"][0]
    assert embed["title"].startswith("netflix · TV · ")
    assert "United States" in embed["title"]
    us = [r for r in rows(WEEK_2) if r["country_iso2"] == "US" and r["week"] == "2022-01-16"]
    first = next(r for r in us if r["category"] == "TV" and r["weekly_rank"] == "1")
    assert f"` 1` **{first['show_title']}**" in embed["description"]
    assert embed["footer"]["text"] == "chart of January 16, 2022"


def test_status_shows_each_source(bot, fake):
    [reply] = answer(fake, fake.interact("status"))
    field = reply["data"]["embeds"][0]["fields"][0]
    assert field["name"] == "netflix"
    assert "health: 🟢 ok" in field["value"] and "latest chart: January 9, 2022" in field["value"]
    assert reply["data"]["flags"] & EPHEMERAL


def test_alert_settings_change_what_alerts(bot, fake, config):
    set_alert_channel(fake)
    interaction = fake.interact(
        "alerts",
        [
            {
                "name": "settings",
                "type": 1,
                "options": [
                    {"name": "min_countries", "type": 4, "value": 7},
                    {"name": "watched_markets", "type": 3, "value": "Japan, KR"},
                ],
            }
        ],
        user_id=ADMIN_ID,
        permissions=ALL_PERMISSIONS,
    )
    [reply] = answer(fake, interaction)
    assert "from N = 7" in reply["data"]["content"]
    assert "Japan" in reply["data"]["content"] and "South Korea" in reply["data"]["content"]
    publish_week_2(config)
    wait_until(lambda: all_delivered(config), 20)
    text = "\n".join(
        e["description"] for m in fake.messages_to(CHANNEL_ID)[1:] for e in m["embeds"]
    )
    assert "Brazen is now #1" not in text  # 6 countries: under this server's minimum of 7
    assert "takes #1 in United States" not in text  # not a watched market here any more
    assert "**Mother/Android** takes #1 in South Korea (was #4)" in text
    assert (
        "**Our Beloved Summer** is #1 in South Korea for the 2nd week in a row" in text
    )  # a milestone


def test_unsubscribe_stops_the_dms(bot, fake, config):
    answer(fake, fake.interact("subscribe", [{"name": "title", "type": 3, "value": "Stay Close"}]))
    [reply] = answer(
        fake, fake.interact("unsubscribe", [{"name": "title", "type": 3, "value": "Stay Close"}])
    )
    assert "no longer follow **Stay Close**" in reply["data"]["content"]
    publish_week_2(config)
    wait_until(lambda: all_delivered(config), 20)
    assert fake.alert_dms(MEMBER_ID) == []


def test_milestones_can_be_turned_off_for_a_server(bot, fake, config):
    set_alert_channel(fake)
    settings = [{"name": "watched_markets", "type": 3, "value": "KR"}]

    def change(options: list[dict]) -> str:
        interaction = fake.interact(
            "alerts",
            [{"name": "settings", "type": 1, "options": options}],
            user_id=ADMIN_ID,
            permissions=ALL_PERMISSIONS,
        )
        return answer(fake, interaction)[0]["data"]["content"]

    assert "Milestones (streaks, worldwide #1s): on" in change(settings)
    off = change([*settings, {"name": "milestones", "type": 5, "value": False}])
    assert "Milestones (streaks, worldwide #1s): off" in off
    publish_week_2(config)
    wait_until(lambda: all_delivered(config), 20)
    text = "\n".join(
        e["description"] for m in fake.messages_to(CHANNEL_ID)[1:] for e in m["embeds"]
    )
    assert "**Mother/Android** takes #1 in South Korea (was #4)" in text
    assert "for the 2nd week in a row" not in text  # Our Beloved Summer's streak in KR: off here


def test_follow_a_title_before_it_charts(bot, fake, config):
    unknown = fake.interact("subscribe", [{"name": "title", "type": 3, "value": "Brazen"}])
    hint = answer(fake, unknown)[0]["data"]["content"]
    assert "I don't know" in hint and "before_it_charts: True" in hint
    interaction = fake.interact(
        "subscribe",
        [
            {"name": "title", "type": 3, "value": "Brazen"},
            {"name": "before_it_charts", "type": 5, "value": True},
        ],
    )
    [reply] = answer(fake, interaction)
    assert "when it first charts" in reply["data"]["content"]
    publish_week_2(config)
    wait_until(lambda: fake.alert_dms(MEMBER_ID) and all_delivered(config), 20, "the DM")
    texts = [e["description"] for dm in fake.alert_dms(MEMBER_ID) for e in dm["embeds"]]
    assert any("**Brazen** enters the charts at #1 in 6 countries" in t for t in texts), texts


def test_the_bot_builds_the_title_index_an_unfinished_import_left_out(config):
    with Store.open(config.parent / "chartbot.db") as store, store.write():
        store.db.execute("DROP INDEX ranks_by_title")  # as a first big import killed halfway
    process = BotProcess(config).start().wait_ready()
    try:
        assert "built the title index an unfinished import left out" in process.output()
    finally:
        process.stop()
    with Store.open(config.parent / "chartbot.db") as store:
        assert store.charts.has_by_title_index()
