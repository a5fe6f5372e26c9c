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
from bot.actions import title_standings
from bot.discord import autocomplete, embeds, plot
from bot.discord.client import reply
from bot.store.store import Store

if TYPE_CHECKING:
    from bot.discord.client import ChartBot

log = logging.getLogger(__name__)

# Past this, the answer is deferred ("thinking…") so Discord's 3 s window is never missed.
DEFER_AFTER = 1.5


class Charts(commands.Cog):
    def __init__(self, bot: ChartBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        # Off the event loop and ahead of the first /rank: importing matplotlib is slow.
        asyncio.get_running_loop().run_in_executor(None, plot.warm_up)

    async def markets_for(self, guild_id: int | None) -> list[str]:
        if guild_id is not None:
            settings = await self.bot.db.call(Store.guild_alerts_for, guild_id)
            if settings and settings.watched_markets is not None:
                return list(settings.watched_markets)
        return list(self.bot.config.alerts.watched_markets)

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
        markets = await self.markets_for(interaction.guild_id)
        if code and code not in markets:
            markets.append(code)
        lookup = asyncio.ensure_future(self.bot.db.call(title_standings, found.id))
        done, _ = await asyncio.wait({lookup}, timeout=DEFER_AFTER)
        if not done:
            await interaction.response.defer(thinking=True)
        standings = await lookup
        embed = embeds.rank_embed(found, standings, markets)
        if interaction.response.is_done():
            await interaction.followup.send(embed=embed)
        else:
            await interaction.response.send_message(embed=embed)
        if not self.bot.config.discord.rank_images or not standings:
            return
        if len(standings[0].history) < 2:
            return  # nothing to draw yet
        png = await asyncio.to_thread(plot.rank_history_png, standings[0], found.label, markets)
        embed.set_image(url="attachment://rank.png")
        await interaction.edit_original_response(
            embed=embed, attachments=[discord.File(io.BytesIO(png), filename="rank.png")]
        )

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
        code = (
            countries.lookup(country)
            if country
            else (await self.markets_for(interaction.guild_id) or ["US"])[0]
        )
        if code is None:
            await reply(interaction, f"I don't know a country called “{country}”.")
            return
        known = await self.bot.db.call(Store.chart_list)
        if not known:
            await reply(interaction, "No chart has been polled yet.")
            return
        picked = _pick_chart(known, chart)
        if picked is None:
            names = ", ".join(f"{c.source} · {c.name}" for c in known[:10])
            await reply(interaction, f"I don't know that chart. Charts: {names}")
            return
        lines = await self.bot.db.call(Store.country_chart, picked.id, picked.latest, code)
        previous = (
            await self.bot.db.call(Store.country_chart, picked.id, picked.previous, code)
            if picked.previous
            else []
        )
        await interaction.response.send_message(
            embed=embeds.top_embed(picked, code, lines, previous)
        )


def _pick_chart(known: list, wanted: str | None):  # type: ignore[no-untyped-def]
    if not wanted:
        return known[0]
    for chart in known:
        if wanted == str(chart.id) or wanted.casefold() in (
            chart.name.casefold(),
            f"{chart.source} · {chart.name}".casefold(),
            f"{chart.source} {chart.name}".casefold(),
        ):
            return chart
    return None


async def setup(bot: ChartBot) -> None:
    await bot.add_cog(Charts(bot))
