"""/status: each source's health, last good poll and next poll; the delivery queue.

Server-only, and a server sees the kind of an error ("HTTP 500", "timed out"), never
its text: that can hold a URL with its query string, a local path or part of a body.
The operator sees everything with `chartbot status`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord import embeds
from bot.discord.answers import Answer, server_only
from bot.discord.language import member_texts
from bot.service.status import status_report

if TYPE_CHECKING:
    from bot.discord.client import ChartBot


class Status(commands.Cog):
    def __init__(self, bot: ChartBot) -> None:
        self.bot = bot

    @app_commands.command(name="status", description="How the chart sources are doing")
    @app_commands.guild_only()
    @server_only
    async def status(self, interaction: discord.Interaction) -> None:
        answer = Answer(interaction, ephemeral=True)
        report = await answer.wait(self.bot.reads.call(status_report, self.bot.config))
        t = member_texts(interaction, self.bot.server_defaults.language)
        await answer.send(embed=embeds.status_embed(report, t))


async def setup(bot: ChartBot) -> None:
    await bot.add_cog(Status(bot))
