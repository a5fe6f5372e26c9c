"""/rank and /top: where a title stands, and a country's chart."""

from __future__ import annotations

import asyncio
import io
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot import countries
from bot.discord import autocomplete, embeds
from bot.discord.answers import Answer, reply
from bot.discord.language import answer_texts, member_texts
from bot.engine.model import WORLDWIDE
from bot.engine.standings import ChartStanding
from bot.engine.titles import Candidate
from bot.i18n import Texts
from bot.pictures.drawing import Drawings, HistoryPicture, MapPicture, Picture
from bot.service import lookup
from bot.service.settings import ServerSettings, server_settings

if TYPE_CHECKING:
    from bot.discord.client import ChartBot

log = logging.getLogger(__name__)


async def pictures_for(
    drawings: Drawings,
    standing: ChartStanding,
    every_period: ChartStanding | None,
    title: Candidate,
    markets: list[str],
    t: Texts,
) -> tuple[list[discord.File], list[discord.Embed]]:
    """The pictures of a /rank answer (drawn side by side in the drawing processes): the
    world map on a per-country chart, of the standing the words say, then the rank history
    (`every_period`: the same chart with its every period, read apart); the first goes in
    the answer's embed, the other in an embed of its own."""
    language = t.language
    pictures: list[tuple[str, Picture]] = []
    ranks = {c: r for c, r in standing.ranks.items() if c != WORLDWIDE}
    if standing.chart_countries > 3:
        chart = standing.heading
        picture = MapPicture(title.label, chart, standing.period, ranks, standing.depth, language)
        pictures.append(("map.png", picture))
    history = every_period or standing
    pictures.append(("rank.png", HistoryPicture(history, title.label, markets, language)))
    drawn = await asyncio.gather(*(drawings.png(picture) for _, picture in pictures))
    shown = [(name, data) for (name, _), data in zip(pictures, drawn, strict=True) if data]
    files = [discord.File(io.BytesIO(data), filename=name) for name, data in shown]
    more = [discord.Embed().set_image(url=f"attachment://{name}") for name, _ in shown[1:]]
    return files, more


class Charts(commands.Cog):
    def __init__(self, bot: ChartBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        # The running bot starts a drawing process ahead of the first picture.
        drawn = self.bot.config.discord.rank_images or self.bot.config.discord.alert_pictures
        if self.bot.runtime and drawn:
            self.bot.drawings.warm()

    async def settings_for(self, guild_id: int | None) -> ServerSettings:
        return await self.bot.reads.call(server_settings, guild_id, self.bot.server_defaults)

    @app_commands.command(name="rank", description="Where a title stands on the charts")
    @app_commands.describe(
        title="The title: start typing and pick one",
        country="A country to show besides the server's watched markets",
    )
    @app_commands.autocomplete(title=autocomplete.titles, country=autocomplete.countries_choices)
    @app_commands.checks.cooldown(5, 30.0, key=lambda i: i.user.id)
    async def rank(
        self,
        interaction: discord.Interaction,
        title: app_commands.Range[str, 1, 200],
        country: app_commands.Range[str, 1, 60] | None = None,
    ) -> None:
        asked = await autocomplete.title_and_country(interaction, title, country)
        if asked is None:
            return
        found, code = asked
        assert found is not None  # an unknown title was answered already
        answer = Answer(interaction, ephemeral=False)
        settings, standings = await answer.wait(
            self.bot.reads.call(
                lookup.rank_answer, interaction.guild_id, self.bot.server_defaults, found.id
            )
        )
        t = answer_texts(interaction, settings, ephemeral=False)
        markets = list(settings.watched_markets)
        if code and code not in markets:
            markets.append(code)
        embed = embeds.rank_embed(found, standings, markets, t)
        await answer.send(embed=embed)
        if not self.bot.config.discord.rank_images or not standings:
            return
        # The answer's words read the title's latest periods; its history picture reads
        # every period of its first chart.
        every_period = await self.bot.reads.call(
            lookup.full_standing, found.id, standings[0].chart_id
        )
        files, embeds_shown = await pictures_for(
            self.bot.drawings, standings[0], every_period, found, markets, t
        )
        if not files:
            return
        embed.set_image(url=f"attachment://{files[0].filename}")
        try:
            await interaction.edit_original_response(
                embeds=[embed, *embeds_shown], attachments=files
            )
        except discord.HTTPException:
            log.warning("could not add the picture to a /rank answer", exc_info=True)

    @app_commands.command(name="top", description="A country's current chart")
    @app_commands.describe(
        country="The country (default: the server's first watched market)",
        chart="Which chart (default: the most recent one)",
    )
    @app_commands.autocomplete(country=autocomplete.countries_choices, chart=autocomplete.charts)
    async def top(
        self,
        interaction: discord.Interaction,
        country: app_commands.Range[str, 1, 60] | None = None,
        chart: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        answer = Answer(interaction, ephemeral=False)
        settings = await answer.wait(self.settings_for(interaction.guild_id))
        private = member_texts(interaction, settings.language)  # for what only they see
        code = countries.lookup(country) if country else (settings.watched_markets or ("US",))[0]
        if code is None:
            await reply(interaction, autocomplete.unknown_country(country or "", private))
            return
        known = await answer.wait(self.bot.reads.call(lookup.chart_listing))
        if not known:
            await reply(interaction, private.gettext("No chart has been polled yet."))
            return
        picked = lookup.pick_chart(known, chart)
        if picked is None:
            names = ", ".join(c.heading for c in known[:10])
            await reply(
                interaction,
                private.gettext("I don't know that chart. Charts: {names}", names=names),
            )
            return
        shown = await answer.wait(self.bot.reads.call(lookup.country_chart, picked, code))
        t = answer_texts(interaction, settings, ephemeral=False)
        await answer.send(embed=embeds.top_embed(shown.chart, code, shown.lines, shown.previous, t))


async def setup(bot: ChartBot) -> None:
    await bot.add_cog(Charts(bot))
