"""/alerts channel | off | settings: where and what a server's alert channel gets.

Manage Server only: Discord hides the commands from other members by default
(default_permissions), and each subcommand checks again, because a server's
admins can override what Discord shows.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot import countries
from bot.delivery.outbox import channel_destination
from bot.discord.client import reply
from bot.store.store import Store, utcnow

if TYPE_CHECKING:
    from bot.discord.client import ChartBot

log = logging.getLogger(__name__)

NEEDED = ("view_channel", "send_messages", "embed_links")


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
        reason = "the bot is no longer in this server"
        await self.bot.db.call(Store.forget_guild, guild.id, reason, now=utcnow())
        log.info("left guild %s: its alert channel gets nothing more", guild.id)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
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
        me = channel.guild.me
        if me is not None:
            permissions = channel.permissions_for(me)
            missing = [p.replace("_", " ") for p in NEEDED if not getattr(permissions, p)]
            if missing:
                await reply(
                    interaction,
                    f"I can't use {channel.mention}: I'm missing {', '.join(missing)} there.",
                )
                return
        try:
            await channel.send(
                "📈 Chart alerts for this server will be posted here.",
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except discord.HTTPException as exc:
            await reply(
                interaction, f"I can't post in {channel.mention} (Discord said: {exc.text})."
            )
            return
        assert interaction.guild_id is not None
        await self.bot.db.call(
            Store.set_guild_alerts,
            interaction.guild_id,
            by=interaction.user.id,
            now=utcnow(),
            channel_id=channel.id,
        )
        await self.bot.db.call(Store.revive, channel_destination(channel.id))
        log.info("guild %s: alerts go to channel %s", interaction.guild_id, channel.id)
        await reply(interaction, f"Chart alerts will be posted in {channel.mention}.")

    @app_commands.command(name="off", description="Stop posting chart alerts in this server")
    async def off(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await self.bot.db.call(
            Store.set_guild_alerts,
            interaction.guild_id,
            by=interaction.user.id,
            now=utcnow(),
            channel_id=None,
        )
        await reply(interaction, "Chart alerts are off for this server.")

    @app_commands.command(name="settings", description="What makes an alert in this server")
    @app_commands.describe(
        min_countries="Post “#1 in N countries” from this many countries on",
        watched_markets="Countries whose new #1 is an alert, e.g. “US, KR, Japan” (or “default”)",
        charts="Only these charts, e.g. “TV, Films” (or “all”)",
    )
    async def settings(
        self,
        interaction: discord.Interaction,
        min_countries: app_commands.Range[int, 1, 250] | None = None,
        watched_markets: app_commands.Range[str, 1, 300] | None = None,
        charts: app_commands.Range[str, 1, 300] | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        changes: dict[str, object] = {}
        if min_countries is not None:
            changes["min_countries"] = min_countries
        if watched_markets is not None:
            markets = _markets(watched_markets)
            if isinstance(markets, str):
                await reply(interaction, markets)
                return
            changes["watched_markets"] = markets
        if charts is not None:
            chosen = await self._charts(charts)
            if isinstance(chosen, str):
                await reply(interaction, chosen)
                return
            changes["charts"] = chosen
        if changes:
            await self.bot.db.call(
                Store.set_guild_alerts,
                interaction.guild_id,
                by=interaction.user.id,
                now=utcnow(),
                **changes,
            )
        await reply(interaction, await self._describe(interaction.guild_id))

    async def _charts(self, text: str) -> list[str] | str | None:
        if text.strip().casefold() in ("all", "any", "*"):
            return None
        known = {c.name.casefold(): c.name for c in await self.bot.db.call(Store.chart_list)}
        wanted = [part.strip() for part in text.split(",") if part.strip()]
        unknown = [w for w in wanted if w.casefold() not in known]
        if unknown:
            names = ", ".join(sorted(known.values()))
            return f"I don't know the chart(s) {', '.join(unknown)}. Charts: {names}"
        return [known[w.casefold()] for w in wanted]

    async def _describe(self, guild_id: int) -> str:
        settings = await self.bot.db.call(Store.guild_alerts_for, guild_id)
        defaults = self.bot.config.alerts
        channel = f"<#{settings.channel_id}>" if settings and settings.channel_id else "off"
        minimum = (settings.min_countries if settings else None) or defaults.min_countries
        markets = (
            settings.watched_markets
            if settings and settings.watched_markets is not None
            else defaults.watched_markets
        )
        charts = settings.charts if settings and settings.charts is not None else None
        return "\n".join(
            [
                f"Alert channel: {channel}",
                f"“#1 in N countries” from N = {minimum}",
                f"New #1 in: {', '.join(countries.label(m) for m in markets) or 'no market'}",
                f"Charts: {', '.join(charts) if charts else 'all'}",
            ]
        )


def _markets(text: str) -> list[str] | str | None:
    """'US, KR, Japan' -> ['US', 'KR', 'JP']; 'default' -> None; an error message otherwise."""
    if text.strip().casefold() in ("default", "reset"):
        return None
    if text.strip().casefold() in ("none", "no", "-"):
        return []
    parts = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
    codes = [countries.lookup(part) for part in parts]
    unknown = [part for part, code in zip(parts, codes, strict=True) if code is None]
    if unknown:
        return f"I don't know these countries: {', '.join(unknown)}."
    return list(dict.fromkeys(c for c in codes if c))


async def setup(bot: ChartBot) -> None:
    await bot.add_cog(Alerts(bot))
