"""/status: each source's health, last good poll and next poll; the delivery queue."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord import embeds
from bot.store.store import Store

if TYPE_CHECKING:
    from bot.discord.client import ChartBot


def _gather(store: Store, names: list[str]) -> tuple[list, int]:
    states = {s.name: s for s in store.source_states()}
    rows = []
    for name in names:
        latest = store.latest_periods(name)
        rows.append((name, states.get(name), max(latest.values()) if latest else None))
    counts = store.delivery_counts()
    return rows, counts.get("pending", 0) + counts.get("sending", 0)


class Status(commands.Cog):
    def __init__(self, bot: ChartBot) -> None:
        self.bot = bot

    def next_poll(self, name: str) -> datetime | None:
        polling = self.bot.get_cog("Polling")
        return polling.next_poll(name) if polling is not None else None  # type: ignore[attr-defined]

    @app_commands.command(name="status", description="How the chart sources are doing")
    async def status(self, interaction: discord.Interaction) -> None:
        names = [s.name for s in self.bot.config.sources]
        rows, pending = await self.bot.db.call(_gather, names)
        table = [(name, state, latest, self.next_poll(name)) for name, state, latest in rows]
        await interaction.response.send_message(
            embed=embeds.status_embed(table, pending), ephemeral=True
        )


async def setup(bot: ChartBot) -> None:
    await bot.add_cog(Status(bot))
