"""Abuse and bad input: titles that try to ping or format, members without the right,
options that make no sense, more subscriptions than allowed, SQL in a title."""

from __future__ import annotations

from tests.bot_process import BotProcess, write_bot_config
from tests.conftest import WEEK_1, WEEK_2, run_cli
from tests.discord_helpers import EPHEMERAL, all_delivered, answer, set_alert_channel
from tests.fake_discord import CHANNEL_ID, LOCKED_CHANNEL_ID, MEMBER_ID
from tests.waiting import wait_until


def test_a_title_that_says_everyone_pings_nobody(tmp_path, fake):
    hostile = WEEK_2.replace("\tBrazen\t", "\t@everyone <@&1> **Brazen**\t")
    (tmp_path / "top10.tsv").write_text(
        WEEK_1.replace("\tBrazen\t", "\t@everyone <@&1> **Brazen**\t")
    )
    config = write_bot_config(tmp_path, fake, "top10.tsv")
    run_cli("poll", "--once", "-c", config)
    process = BotProcess(config).start().wait_ready()
    try:
        set_alert_channel(fake)
        (tmp_path / "top10.tsv").write_text(hostile)
        run_cli("poll", "--once", "-c", config)
        wait_until(lambda: len(fake.messages_to(CHANNEL_ID)) >= 2 and all_delivered(config), 20)
        alert = fake.messages_to(CHANNEL_ID)[-1]
        assert alert["allowed_mentions"] == {"parse": []}
        text = alert["embeds"][0]["description"]
        assert "@\u200beveryone \\<@\u200b&1\\> \\*\\*Brazen\\*\\*" in text
        assert "@everyone" not in text
    finally:
        process.stop()


def test_alert_settings_need_manage_server(bot, fake, config):
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


def test_the_alert_channel_must_be_one_the_bot_can_post_in(bot, fake):
    reply = set_alert_channel(fake, LOCKED_CHANNEL_ID)
    assert reply["data"]["flags"] & EPHEMERAL
    assert "missing send messages" in reply["data"]["content"]
