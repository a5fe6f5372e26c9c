"""/subscribe, /unsubscribe, /subscriptions: a member follows the titles they care about."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot import countries
from bot.alerts.render import escape
from bot.discord import autocomplete
from bot.discord.client import reply
from bot.engine.titles import title_key
from bot.store.store import Store, utcnow

if TYPE_CHECKING:
    from bot.discord.client import ChartBot

log = logging.getLogger(__name__)

MAX_PER_MEMBER = 25
MAX_PER_GUILD = 2000


class Subscriptions(commands.Cog):
    def __init__(self, bot: ChartBot) -> None:
        self.bot = bot

    @app_commands.command(name="subscribe", description="Get told when a title moves")
    @app_commands.describe(
        title="The title: start typing and pick one",
        country="Only this country (default: the server's watched markets)",
        where="By direct message, or with a mention in this channel",
    )
    @app_commands.choices(
        where=[
            app_commands.Choice(name="direct message", value="dm"),
            app_commands.Choice(name="here, with a mention", value="here"),
        ]
    )
    @app_commands.autocomplete(title=autocomplete.titles, country=autocomplete.countries_choices)
    @app_commands.guild_only()
    async def subscribe(
        self,
        interaction: discord.Interaction,
        title: app_commands.Range[str, 1, 200],
        country: app_commands.Range[str, 1, 60] | None = None,
        where: app_commands.Choice[str] | None = None,
    ) -> None:
        asked = await autocomplete.title_and_country(interaction, title, country)
        if asked is None:
            return
        found, code = asked
        via = where.value if where else "dm"
        channel_id = interaction.channel_id if via == "here" else None
        if via == "here" and not _can_post(interaction):
            await reply(interaction, "I can't post in this channel; pick `direct message` instead.")
            return
        mine, guild_total = await self.bot.db.call(
            Store.subscription_counts, interaction.user.id, interaction.guild_id
        )
        followed = await self.bot.db.call(
            Store.user_subscriptions, interaction.user.id, interaction.guild_id
        )
        key = title_key(found.name, found.artist)
        is_new = all(s.title_key != key for s in followed)
        if is_new and mine >= MAX_PER_MEMBER:
            await reply(
                interaction, f"You follow {mine} titles already, the most I keep per member."
            )
            return
        if is_new and guild_total >= MAX_PER_GUILD:
            await reply(interaction, "This server has reached its limit of subscriptions.")
            return
        await self.bot.db.call(
            Store.add_subscription,
            user_id=interaction.user.id,
            title_id=found.id,
            guild_id=interaction.guild_id,
            via=via,
            channel_id=channel_id,
            country=code,
            now=utcnow(),
        )
        scope = f"in {countries.name(code)}" if code else "in this server's watched markets"
        how = "by direct message" if via == "dm" else "with a mention here"
        await reply(
            interaction,
            f"You'll hear about **{escape(found.label)}** {scope} {how} whenever it moves.",
        )

    @app_commands.command(name="unsubscribe", description="Stop following a title")
    @app_commands.describe(title="One of the titles you follow")
    @app_commands.guild_only()
    async def unsubscribe(
        self, interaction: discord.Interaction, title: app_commands.Range[str, 1, 200]
    ) -> None:
        match = autocomplete.find_title(self.bot, title)
        removed = match.title is not None and await self.bot.db.call(
            Store.remove_subscription,
            user_id=interaction.user.id,
            title_id=match.title.id,
            guild_id=interaction.guild_id,
        )
        if removed and match.title is not None:
            await reply(interaction, f"You no longer follow **{escape(match.title.label)}**.")
        else:
            await reply(interaction, "You don't follow that title here.")

    @unsubscribe.autocomplete("title")
    async def _followed(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        followed = await self.bot.db.call(
            Store.user_subscriptions, interaction.user.id, interaction.guild_id
        )
        wanted = current.casefold()
        return [
            app_commands.Choice(name=s.title[:100], value=s.title[:100])
            for s in followed
            if wanted in s.title.casefold()
        ][: autocomplete.MAX_CHOICES]

    @app_commands.command(name="subscriptions", description="The titles you follow here")
    @app_commands.guild_only()
    async def subscriptions(self, interaction: discord.Interaction) -> None:
        followed = await self.bot.db.call(
            Store.user_subscriptions, interaction.user.id, interaction.guild_id
        )
        if not followed:
            await reply(interaction, "You don't follow any title here yet: try `/subscribe`.")
            return
        lines = []
        for s in followed:
            scope = countries.name(s.country) if s.country else "watched markets"
            how = "DM" if s.via == "dm" else f"<#{s.channel_id}>"
            lines.append(f"• **{escape(s.title)}** · {scope} · {how}")
        await reply(interaction, "\n".join(lines)[:2000])


def _can_post(interaction: discord.Interaction) -> bool:
    permissions = interaction.app_permissions
    return permissions.send_messages and permissions.embed_links and permissions.view_channel


async def setup(bot: ChartBot) -> None:
    await bot.add_cog(Subscriptions(bot))
