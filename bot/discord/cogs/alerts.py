"""/alerts channel | off | settings | subscriptions: a server's alert channel, what it gets,
and every member's subscriptions there.

Manage Server only: Discord hides the commands from other members by default
(default_permissions), and each subcommand checks again, because a server's
admins can override what Discord shows. Leaving a server forgets it; joining
one says what to set up.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot import countries
from bot.clock import utcnow
from bot.discord.answers import Answer, parse_id, reply
from bot.discord.cogs.subscriptions import subscription_choice, subscription_lines
from bot.discord.invite import CHANNEL_NEEDS, PICTURES_NEED
from bot.engine.deliveries import Destination
from bot.service import settings, subscriptions
from bot.service.settings import ServerSettings, SettingError, SettingsChange

if TYPE_CHECKING:
    from bot.discord.client import ChartBot

log = logging.getLogger(__name__)

WELCOME = (
    "📈 Thanks for adding chartbot. A member with Manage Server picks the channel for "
    "chart alerts with `/alerts channel`; members follow titles with `/subscribe`."
)


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class Alerts(
    commands.GroupCog, group_name="alerts", group_description="This server's chart alerts"
):
    def __init__(self, bot: ChartBot) -> None:
        self.bot = bot
        super().__init__()

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        removed = await self.bot.db.call(settings.forget_server, guild.id, now=utcnow())
        log.info("left guild %s: its settings and %d subscriptions are gone", guild.id, removed)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        # Discord lists every server the bot is in when it connects (those in an outage
        # too, as unavailable): a server the store knows that is not listed removed the
        # bot while it was not running.
        present = {guild.id for guild in self.bot.guilds}
        gone = await self.bot.db.call(
            settings.forget_servers_left, present, self.bot.shards_run, now=utcnow()
        )
        for guild_id in gone:
            log.info("guild %s removed the bot while it was away: its data is gone", guild_id)

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        channel = guild.system_channel
        if channel is None or not channel.permissions_for(guild.me).send_messages:
            return
        try:
            await channel.send(WELCOME, allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException:
            log.info("could not say hello in guild %s", guild.id)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.guild_id is None:
            raise app_commands.NoPrivateMessage()
        if interaction.permissions.manage_guild:
            return True
        await reply(
            interaction, "Only members with the Manage Server permission can change alerts."
        )
        return False

    @app_commands.command(
        name="channel", description="Post this server's chart alerts in a channel"
    )
    @app_commands.describe(channel="The text channel for alerts")
    async def channel(self, interaction: discord.Interaction, channel: discord.TextChannel) -> None:
        assert interaction.guild_id is not None
        answer = Answer(interaction, ephemeral=True)
        now = await answer.wait(
            self.bot.reads.call(
                settings.server_settings, interaction.guild_id, self.bot.server_defaults
            )
        )
        me = channel.guild.me
        if me is not None:
            permissions = channel.permissions_for(me)
            needed = CHANNEL_NEEDS + ((PICTURES_NEED,) if now.pictures else ())
            missing = [p.replace("_", " ") for p in needed if not getattr(permissions, p)]
            if missing:
                maps = (
                    " (or turn off the maps alerts carry: `/alerts settings pictures: False`)"
                    if missing == ["attach files"]
                    else ""
                )
                await answer.send(
                    content=f"I can't use {channel.mention}: I'm missing "
                    f"{', '.join(missing)} there{maps}."
                )
                return
        try:
            await answer.wait(self._hello(channel))
        except discord.HTTPException as exc:
            await answer.send(
                content=f"I can't post in {channel.mention} (Discord said: {exc.text})."
            )
            return
        await answer.wait(
            self.bot.db.call(
                settings.set_channel,
                interaction.guild_id,
                channel.id,
                by=interaction.user.id,
                now=utcnow(),
            )
        )
        log.info("guild %s: alerts go to channel %s", interaction.guild_id, channel.id)
        await answer.send(content=f"Chart alerts will be posted in {channel.mention}.")

    async def _hello(self, channel: discord.TextChannel) -> None:
        """The first message in a new alert channel: it shows the bot may post there. Paced
        like every message (the wait counts toward the interaction's deadline)."""
        slot = await self.bot.pacer.wait(Destination.channel(channel.id).channel_key)
        try:
            await channel.send(
                "📈 Chart alerts for this server will be posted here.",
                allowed_mentions=discord.AllowedMentions.none(),
            )
        finally:
            self.bot.pacer.sent(slot)

    @app_commands.command(name="off", description="Stop posting chart alerts in this server")
    async def off(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        answer = Answer(interaction, ephemeral=True)
        await answer.wait(
            self.bot.db.call(
                settings.set_channel,
                interaction.guild_id,
                None,
                by=interaction.user.id,
                now=utcnow(),
            )
        )
        await answer.send(content="Chart alerts are off for this server.")

    @app_commands.command(name="settings", description="What makes an alert in this server")
    @app_commands.describe(
        min_countries="Post “#1 in N countries” from this many countries on",
        watched_markets="Countries whose new #1 is an alert, e.g. “US, KR, Japan” (or “default”)",
        charts="Only these charts, e.g. “TV, Films” (or “all”)",
        milestones="Streaks (“#1 for a 3rd week”) and worldwide #1s as alerts of their own",
        pictures="A world map with each “#1 in N countries” alert",
    )
    async def settings(
        self,
        interaction: discord.Interaction,
        min_countries: app_commands.Range[int, 1, 250] | None = None,
        watched_markets: app_commands.Range[str, 1, 300] | None = None,
        charts: app_commands.Range[str, 1, 300] | None = None,
        milestones: bool | None = None,
        pictures: bool | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        answer = Answer(interaction, ephemeral=True)
        change = SettingsChange(min_countries, watched_markets, charts, milestones, pictures)
        try:
            now = await answer.wait(
                self.bot.db.call(
                    settings.change_settings,
                    interaction.guild_id,
                    change,
                    self.bot.server_defaults,
                    by=interaction.user.id,
                    now=utcnow(),
                )
            )
        except SettingError as exc:
            await answer.send(content=str(exc))
            return
        await answer.send(content=describe(now))

    @app_commands.command(
        name="subscriptions", description="Every member's subscriptions here; remove any"
    )
    @app_commands.describe(remove="A subscription to remove (its number)")
    async def subscriptions(
        self, interaction: discord.Interaction, remove: str | None = None
    ) -> None:
        assert interaction.guild_id is not None
        guild_id = interaction.guild_id
        answer = Answer(interaction, ephemeral=True)
        if remove is not None:
            picked = parse_id(remove)
            removed = (
                await answer.wait(
                    self.bot.db.call(
                        subscriptions.remove_any, guild_id=guild_id, subscription_id=picked
                    )
                )
                if picked is not None
                else None
            )
            if removed is None:
                await answer.send(content="There is no such subscription in this server.")
                return
            log.info("guild %s: an admin removed subscription %s", guild_id, removed.id)
            await answer.send(
                content=f"Removed: {subscription_lines([removed], owners=True)}",
                allowed_mentions=discord.AllowedMentions.none(),
            )
            return
        every = await answer.wait(self.bot.reads.call(subscriptions.server_subscriptions, guild_id))
        if not every:
            await answer.send(content="Nobody follows a title in this server yet.")
            return
        await answer.send(
            content=subscription_lines(every, owners=True)[:2000],
            allowed_mentions=discord.AllowedMentions.none(),
        )

    @subscriptions.autocomplete("remove")
    async def _every(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if not interaction.permissions.manage_guild or interaction.guild_id is None:
            return []
        guild_id = interaction.guild_id
        every = await self.bot.reads.call(subscriptions.server_subscriptions, guild_id)
        wanted = current.casefold()
        return [subscription_choice(s) for s in every if wanted in s.title.casefold()][:25]


def describe(now: ServerSettings) -> str:
    channel = f"<#{now.channel_id}>" if now.channel_id else "off"
    markets = ", ".join(countries.label(m) for m in now.watched_markets) or "no market"
    return "\n".join(
        [
            f"Alert channel: {channel}",
            f"“#1 in N countries” from N = {now.min_countries}",
            f"New #1 in: {markets}",
            f"Charts: {', '.join(now.charts) if now.charts else 'all'}",
            f"Milestones (streaks, worldwide #1s): {'on' if now.milestones else 'off'}",
            f"Maps with “#1 in N countries”: {'on' if now.pictures else 'off'}",
        ]
    )


async def setup(bot: ChartBot) -> None:
    await bot.add_cog(Alerts(bot))
