"""/subscribe, /unsubscribe, /subscriptions: a member follows the titles they care about."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.alerts.render import escape
from bot.clock import utcnow
from bot.discord import autocomplete
from bot.discord.answers import Answer, parse_id, server_only
from bot.discord.language import member_texts
from bot.engine.deliveries import Destination
from bot.engine.routing import Subscribed, Subscription, SubscriptionLimits, Via
from bot.engine.titles import Candidate, TitleName, title_key
from bot.i18n import N_, Language, Texts
from bot.i18n.commands import CommandText
from bot.i18n.commands import command_text as command
from bot.service import subscriptions
from bot.service.subscriptions import Refused, SubscribeRequest

if TYPE_CHECKING:
    from bot.discord.client import ChartBot

log = logging.getLogger(__name__)

SAID = {
    Subscribed.SERVER_FULL: N_("This server has reached its limit of subscriptions."),
    Subscribed.CHANNEL_FULL: N_(
        "This channel has as many mention subscriptions as it may ({limit}): pick {choice} instead."
    ),
    Refused.MEMBER_CANNOT_POST: N_(
        "You can't send messages in this channel, so I won't mention you here: pick {choice} "
        "instead."
    ),
    Refused.BOT_CANNOT_POST: N_("I can't post in this channel; pick {choice} instead."),
}
DIRECT_MESSAGE = N_("direct message")
HERE_WITH_A_MENTION = N_("here, with a mention")


def refusal(result: Subscribed | Refused, limits: SubscriptionLimits, t: Texts) -> str:
    """Why a /subscribe was not taken, in the member's language."""
    if result is Subscribed.MEMBER_FULL:
        return t.ngettext(
            "You follow {count} title already, the most I keep per member.",
            "You follow {count} titles already, the most I keep per member.",
            limits.per_member,
        )
    choice = f"`{t.pgettext(CommandText.CHOICE.value, DIRECT_MESSAGE)}`"
    return t.gettext(SAID[result], limit=t.number(limits.per_channel), choice=choice)


def subscription_choice(sub: Subscription) -> app_commands.Choice[str]:
    """A subscription as an autocomplete choice: its label shown, its id as the value."""
    label = f"{sub.title} — {sub.artist}" if sub.artist else sub.title
    return app_commands.Choice(name=label[: autocomplete.MAX_NAME], value=str(sub.id))


BEFORE_IT_CHARTS = N_(
    "Not on a chart yet? Add {option} to follow it by its exact name; you'll hear when it "
    "first charts."
)


class Subscriptions(commands.Cog):
    def __init__(self, bot: ChartBot) -> None:
        self.bot = bot

    @app_commands.command(name="subscribe", description="Get told when a title moves")
    @app_commands.describe(
        title="The title: start typing and pick one",
        country="Only this country (default: the server's watched markets)",
        where="By direct message, or with a mention in this channel",
        before_it_charts="Follow a title no chart has yet, by its exact name",
    )
    @app_commands.choices(
        where=[
            app_commands.Choice(name=DIRECT_MESSAGE, value=Via.DM.value),
            app_commands.Choice(name=HERE_WITH_A_MENTION, value=Via.HERE.value),
        ]
    )
    @app_commands.autocomplete(title=autocomplete.titles, country=autocomplete.countries_choices)
    @app_commands.guild_only()
    @server_only
    @app_commands.checks.cooldown(5, 30.0, key=lambda i: i.user.id)
    async def subscribe(
        self,
        interaction: discord.Interaction,
        title: app_commands.Range[str, 1, 200],
        country: app_commands.Range[str, 1, 60] | None = None,
        where: app_commands.Choice[str] | None = None,
        before_it_charts: bool = False,
    ) -> None:
        t = member_texts(interaction, self.bot.server_defaults.language)
        option = f"`{t.pgettext(CommandText.OPTION.value, 'before_it_charts')}: True`"
        asked = await autocomplete.title_and_country(
            interaction,
            title,
            country,
            unknown_ok=before_it_charts,
            hint=" " + t.gettext(BEFORE_IT_CHARTS, option=option),
        )
        if asked is None:
            return
        known, code = asked
        assert interaction.guild_id is not None
        via = Via(where.value) if where else Via.DM
        answer = Answer(interaction, ephemeral=True)
        found: Candidate | TitleName
        if known is None:
            try:
                found = subscriptions.title_before_it_charts(title)
            except subscriptions.NotATitle:
                longest = t.number(TitleName.MAX_LENGTH)
                exact = t.gettext(
                    "Give the title's exact name (up to {count} characters) to follow it.",
                    count=longest,
                )
                await answer.send(content=exact)
                return
        else:
            found = known
        if via is Via.DM and not await answer.wait(self._dms_open(interaction, found.label, t)):
            mention = f"`{t.pgettext(CommandText.CHOICE.value, HERE_WITH_A_MENTION)}`"
            closed = t.gettext(
                "I can't send you direct messages (your DMs are closed to this server's apps): "
                "open them and try again, or pick {choice}.",
                choice=mention,
            )
            await answer.send(content=closed)
            return
        request = SubscribeRequest(
            user_id=interaction.user.id,
            guild_id=interaction.guild_id,
            title=found,
            via=via,
            country=code,
            channel_id=interaction.channel_id,
            member_can_post=_member_can_post(interaction.permissions),
            bot_can_post=_bot_can_post(interaction.app_permissions),
            language=Language.parse(str(interaction.locale.value)),
            server_locale=str(interaction.guild_locale.value) if interaction.guild_locale else None,
        )
        limits = subscriptions.limits_of(self.bot.config.limits)
        result = await answer.wait(
            self.bot.db.call(subscriptions.subscribe, request, limits, now=utcnow())
        )
        if result is Subscribed.MEMBER_FULL or result in SAID:
            await answer.send(content=refusal(result, limits, t))
            return
        await answer.send(content=subscribed(t, f"**{escape(found.label)}**", code, via, known))

    async def _dms_open(self, interaction: discord.Interaction, label: str, t: Texts) -> bool:
        """Whether the member's DMs reach them: tried with a confirmation DM."""
        await self.bot.pacer.request()  # opening the DM channel
        slot = await self.bot.pacer.wait(Destination.dm(interaction.user.id).channel_key)
        try:
            strong = "**" + escape(label) + "**"
            await interaction.user.send(
                "📈 " + t.gettext("This is where I'll tell you when {title} moves.", title=strong),
                allowed_mentions=discord.AllowedMentions.none(),
            )
            self.bot.pacer.sent(slot)
        except discord.Forbidden:
            return False
        except discord.HTTPException:
            log.warning("could not check a member's DMs", exc_info=True)
        return True

    @app_commands.command(name="unsubscribe", description="Stop following a title")
    @app_commands.describe(title="One of the titles you follow")
    @app_commands.guild_only()
    @server_only
    @app_commands.checks.cooldown(5, 30.0, key=lambda i: i.user.id)
    async def unsubscribe(
        self, interaction: discord.Interaction, title: app_commands.Range[str, 1, 200]
    ) -> None:
        assert interaction.guild_id is not None
        answer = Answer(interaction, ephemeral=True)
        picked = await answer.wait(self._pick(interaction, title))
        removed = (
            None
            if picked is None
            else await answer.wait(
                self.bot.db.call(
                    subscriptions.unsubscribe,
                    user_id=interaction.user.id,
                    guild_id=interaction.guild_id,
                    subscription_id=picked,
                )
            )
        )
        t = member_texts(interaction, self.bot.server_defaults.language)
        if removed is None:
            await answer.send(content=t.gettext("You don't follow that title here."))
            return
        label = f"{removed.title} — {removed.artist}" if removed.artist else removed.title
        gone = t.gettext("You no longer follow {title}.", title="**" + escape(label) + "**")
        await answer.send(content=gone)

    async def _pick(self, interaction: discord.Interaction, value: str) -> int | None:
        """The subscription a member picked (its id), or the one whose title they typed."""
        picked = parse_id(value)
        if picked is not None:
            return picked
        followed = await self.bot.reads.call(
            subscriptions.followed, interaction.user.id, interaction.guild_id
        )
        match = await autocomplete.find_title(self.bot, value)
        if match.title is None:
            return None
        key = title_key(match.title.name, match.title.artist)
        return next((sub.id for sub in followed if sub.title_key == key), None)

    @unsubscribe.autocomplete("title")
    async def _followed(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        followed = await self.bot.reads.call(
            subscriptions.followed, interaction.user.id, interaction.guild_id
        )
        wanted = current.casefold()
        return [
            subscription_choice(s)
            for s in followed
            if wanted in s.title.casefold() or wanted in (s.artist or "").casefold()
        ][: autocomplete.MAX_CHOICES]

    @app_commands.command(name="subscriptions", description="The titles you follow here")
    @app_commands.guild_only()
    @server_only
    async def subscriptions(self, interaction: discord.Interaction) -> None:
        answer = Answer(interaction, ephemeral=True)
        followed = await answer.wait(
            self.bot.reads.call(subscriptions.followed, interaction.user.id, interaction.guild_id)
        )
        t = member_texts(interaction, self.bot.server_defaults.language)
        if not followed:
            none_yet = t.gettext(
                "You don't follow any title here yet: try {command}.",
                command=command(t, "subscribe"),
            )
            await answer.send(content=none_yet)
            return
        await answer.send(content=subscription_lines(followed, t)[:2000])


def subscribed(t: Texts, title: str, code: str | None, via: Via, known: Candidate | None) -> str:
    """'You'll hear about **X** in South Korea by direct message whenever it moves.'"""
    if code is not None:
        return t.gettext(SUBSCRIBED_IN[(via, known is None)], title=title, country=t.country(code))
    return t.gettext(SUBSCRIBED[(via, known is None)], title=title)


# By (how, followed before it charts).
SUBSCRIBED_IN = {
    (Via.DM, False): N_(
        "You'll hear about {title} in {country} by direct message whenever it moves."
    ),
    (Via.HERE, False): N_(
        "You'll hear about {title} in {country} with a mention here whenever it moves."
    ),
    (Via.DM, True): N_(
        "You'll hear about {title} in {country} by direct message when it first charts and "
        "whenever it moves."
    ),
    (Via.HERE, True): N_(
        "You'll hear about {title} in {country} with a mention here when it first charts and "
        "whenever it moves."
    ),
}
SUBSCRIBED = {
    (Via.DM, False): N_(
        "You'll hear about {title} in this server's watched markets by direct message "
        "whenever it moves."
    ),
    (Via.HERE, False): N_(
        "You'll hear about {title} in this server's watched markets with a mention here "
        "whenever it moves."
    ),
    (Via.DM, True): N_(
        "You'll hear about {title} in this server's watched markets by direct message when "
        "it first charts and whenever it moves."
    ),
    (Via.HERE, True): N_(
        "You'll hear about {title} in this server's watched markets with a mention here when "
        "it first charts and whenever it moves."
    ),
}


def subscription_lines(followed: list[Subscription], t: Texts, *, owners: bool = False) -> str:
    lines = []
    for s in followed:
        scope = t.country(s.country) if s.country else t.gettext("watched markets")
        how = t.gettext("DM") if s.via is Via.DM else f"<#{s.channel_id}>"
        who = f"<@{s.user_id}> · " if owners else ""
        label = f"{s.title} — {s.artist}" if s.artist else s.title
        lines.append(f"`{s.id}` {who}**{escape(label)}** · {scope} · {how}")
    return "\n".join(lines)


def _member_can_post(permissions: discord.Permissions) -> bool:
    return permissions.view_channel and permissions.send_messages


def _bot_can_post(permissions: discord.Permissions) -> bool:
    return _member_can_post(permissions) and permissions.embed_links


async def setup(bot: ChartBot) -> None:
    await bot.add_cog(Subscriptions(bot))
