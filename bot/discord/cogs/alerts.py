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
from discord.app_commands import Choice
from discord.ext import commands

from bot.alerts.render import escape
from bot.clock import utcnow
from bot.discord.answers import Answer, parse_id, reply
from bot.discord.cogs.subscriptions import subscription_choice, subscription_lines
from bot.discord.invite import CHANNEL_NEEDS, PICTURES_NEED
from bot.discord.language import answer_texts, member_texts
from bot.engine.deliveries import Destination
from bot.i18n import N_, Language, Texts, texts
from bot.i18n.commands import command_text as command
from bot.service import settings, subscriptions
from bot.service.settings import ServerSettings, SettingError, SettingProblem, SettingsChange

if TYPE_CHECKING:
    from bot.discord.client import ChartBot

log = logging.getLogger(__name__)

WELCOME = N_(
    "Thanks for adding chartbot. A member with Manage Server picks the channel for chart "
    "alerts with {channel_command}; members follow titles with {subscribe_command}."
)
LANGUAGES = [Choice(name=language.native_name, value=language.value) for language in Language]


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
        language = Language.parse(str(guild.preferred_locale.value))
        t = texts(language or self.bot.server_defaults.language)
        welcome = "📈 " + t.gettext(
            WELCOME,
            channel_command=command(t, "alerts channel"),
            subscribe_command=command(t, "subscribe"),
        )
        try:
            await channel.send(welcome, allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException:
            log.info("could not say hello in guild %s", guild.id)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.guild_id is None:
            raise app_commands.NoPrivateMessage()
        if interaction.permissions.manage_guild:
            return True
        t = member_texts(interaction, self.bot.server_defaults.language)
        only = t.gettext("Only members with the Manage Server permission can change alerts.")
        await reply(interaction, only)
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
        t = member_texts(interaction, now.language)
        me = channel.guild.me
        if me is not None:
            permissions = channel.permissions_for(me)
            needed = CHANNEL_NEEDS + ((PICTURES_NEED,) if now.pictures else ())
            missing = [p for p in needed if not getattr(permissions, p)]
            if missing == [PICTURES_NEED]:
                text = t.gettext(
                    "I can't use {channel}: I'm missing the Attach Files permission there "
                    "(or turn off the maps alerts carry: {command}).",
                    channel=channel.mention,
                    command=command(t, "alerts settings", pictures="False"),
                )
                await answer.send(content=text)
                return
            if missing:
                names = t.join([t.gettext(PERMISSION_NAMES[p]) for p in missing])
                text = t.gettext(
                    "I can't use {channel}: I'm missing these permissions there: {permissions}.",
                    channel=channel.mention,
                    permissions=names,
                )
                await answer.send(content=text)
                return
        try:
            await answer.wait(self._hello(channel, answer_texts(interaction, now, ephemeral=False)))
        except discord.HTTPException as exc:
            text = t.gettext(
                "I can't post in {channel} (Discord said: {error}).",
                channel=channel.mention,
                error=escape(exc.text),
            )
            await answer.send(content=text)
            return
        locale = interaction.guild_locale
        await answer.wait(
            self.bot.db.call(
                settings.set_channel,
                interaction.guild_id,
                channel.id,
                by=interaction.user.id,
                now=utcnow(),
                preferred=str(locale.value) if locale else None,
            )
        )
        log.info("guild %s: alerts go to channel %s", interaction.guild_id, channel.id)
        posted = t.gettext("Chart alerts will be posted in {channel}.", channel=channel.mention)
        await answer.send(content=posted)

    async def _hello(self, channel: discord.TextChannel, t: Texts) -> None:
        """The first message in a new alert channel (in the server's language): it shows the
        bot may post there. Paced like every message (the wait counts toward the
        interaction's deadline)."""
        slot = await self.bot.pacer.wait(Destination.channel(channel.id).channel_key)
        try:
            await channel.send(
                "📈 " + t.gettext("Chart alerts for this server will be posted here."),
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
        t = member_texts(interaction, self.bot.server_defaults.language)
        await answer.send(content=t.gettext("Chart alerts are off for this server."))

    @app_commands.command(name="settings", description="What makes an alert in this server")
    @app_commands.describe(
        min_countries="Post “#1 in N countries” from this many countries on",
        watched_markets="Countries whose new #1 is an alert, e.g. “US, KR, Japan” (or “default”)",
        charts="Only these charts, e.g. “TV, Films” (or “all”)",
        milestones="Streaks (“#1 for a 3rd week”) and worldwide #1s as alerts of their own",
        pictures="A world map with each “#1 in N countries” alert",
        language="The language of this server's alerts, notices and public answers",
        forecasts="“On course for #1” alerts, from forecasts that beat the baseline",
    )
    @app_commands.choices(language=LANGUAGES)
    async def settings(
        self,
        interaction: discord.Interaction,
        min_countries: app_commands.Range[int, 1, 250] | None = None,
        watched_markets: app_commands.Range[str, 1, 300] | None = None,
        charts: app_commands.Range[str, 1, 300] | None = None,
        milestones: bool | None = None,
        pictures: bool | None = None,
        language: str | None = None,
        forecasts: bool | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        answer = Answer(interaction, ephemeral=True)
        spoken = Language.parse(language) if language else None
        change = SettingsChange(
            min_countries, watched_markets, charts, milestones, pictures, spoken, forecasts
        )
        try:
            now = await answer.wait(
                self.bot.db.call(
                    settings.change_settings,
                    interaction.guild_id,
                    change,
                    self.bot.server_defaults,
                    by=interaction.user.id,
                    now=utcnow(),
                    preferred=str(locale.value) if (locale := interaction.guild_locale) else None,
                )
            )
        except SettingError as exc:
            t = member_texts(interaction, self.bot.server_defaults.language)
            await answer.send(content=setting_error(exc, t))
            return
        await answer.send(content=describe(now, member_texts(interaction, now.language)))

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
        t = member_texts(interaction, self.bot.server_defaults.language)
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
                nothing = t.gettext("There is no such subscription in this server.")
                await answer.send(content=nothing)
                return
            log.info("guild %s: an admin removed subscription %s", guild_id, removed.id)
            lines = subscription_lines([removed], t, owners=True)
            await answer.send(
                content=t.gettext("Removed: {subscription}", subscription=lines),
                allowed_mentions=discord.AllowedMentions.none(),
            )
            return
        every = await answer.wait(self.bot.reads.call(subscriptions.server_subscriptions, guild_id))
        if not every:
            await answer.send(content=t.gettext("Nobody follows a title in this server yet."))
            return
        await answer.send(
            content=subscription_lines(every, t, owners=True)[:2000],
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


# Discord's names for the permissions an alert channel needs, as its clients show them.
PERMISSION_NAMES = {
    "view_channel": N_("View Channel"),
    "send_messages": N_("Send Messages"),
    "embed_links": N_("Embed Links"),
    "attach_files": N_("Attach Files"),
    "read_message_history": N_("Read Message History"),
}


def setting_error(error: SettingError, t: Texts) -> str:
    typed = t.join([f"“{escape(w)}”" for w in error.typed])
    if error.problem is SettingProblem.UNKNOWN_COUNTRIES:
        return t.gettext("I don't know these countries: {countries}.", countries=typed)
    return t.gettext(
        "I don't know these charts: {charts}. Charts: {known}",
        charts=typed,
        known=", ".join(error.known),
    )


def describe(now: ServerSettings, t: Texts) -> str:
    on, off = t.gettext("on"), t.gettext("off")
    channel = f"<#{now.channel_id}>" if now.channel_id else off
    markets = ", ".join(t.country_label(m) for m in now.watched_markets)
    language = now.language.native_name
    if not now.language_chosen:
        language = t.gettext("{language} (the default)", language=language)
    return "\n".join(
        [
            t.gettext("Alert channel: {channel}", channel=channel),
            t.gettext("“#1 in N countries” from N = {count}", count=now.min_countries),
            t.gettext("New #1 in: {markets}", markets=markets or t.gettext("no market")),
            t.gettext("Charts: {charts}", charts=", ".join(now.charts or ()) or t.gettext("all")),
            t.gettext(
                "Milestones (streaks, worldwide #1s): {state}", state=on if now.milestones else off
            ),
            t.gettext("Maps with “#1 in N countries”: {state}", state=on if now.pictures else off),
            t.gettext("“On course for #1” forecasts: {state}", state=on if now.forecasts else off),
            t.gettext("Language: {language}", language=language),
        ]
    )


async def setup(bot: ChartBot) -> None:
    await bot.add_cog(Alerts(bot))
