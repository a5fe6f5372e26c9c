"""Servers that changed while the bot was not looking: one that removed the bot while it
was down is forgotten when the bot connects again."""

from __future__ import annotations

from bot.clock import utcnow
from bot.engine.routing import Via
from bot.store.store import Store
from tests.helpers.bot_process import BotProcess
from tests.helpers.fake_discord import ADMIN_ID, CHANNEL_ID, GUILD_ID, MEMBER_ID

GONE_GUILD, GONE_CHANNEL = 777 << 22, 778


def test_a_server_that_removed_the_bot_while_it_was_down_is_forgotten(config, fake):
    with Store.open(config.parent / "chartbot.db") as store:
        title = store.titles.by_key("Stay Close")
        assert title is not None
        for guild, channel in ((GUILD_ID, CHANNEL_ID), (GONE_GUILD, GONE_CHANNEL)):
            store.guilds.set_alerts(guild, by=ADMIN_ID, now=utcnow(), channel_id=channel)
            store.guilds.add_subscription(
                user_id=MEMBER_ID, title=title.id, guild_id=guild, via=Via.DM, now=utcnow()
            )
    bot = BotProcess(config).start().wait_ready()
    try:
        bot.wait_for_log(f"guild {GONE_GUILD} removed the bot while it was away")
    finally:
        bot.stop()
    with Store.open(config.parent / "chartbot.db") as store:
        assert store.guilds.alerts_for(GONE_GUILD) is None
        assert store.guilds.guild_subscriptions(GONE_GUILD) == []
        kept = store.guilds.alerts_for(GUILD_ID)  # the server it is still in keeps its own
        assert kept is not None and kept.channel_id == CHANNEL_ID
        assert len(store.guilds.guild_subscriptions(GUILD_ID)) == 1
