"""Delivery: runs the dispatcher from the bot's start to its shutdown."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from discord.ext import commands

from bot.delivery.dispatcher import Dispatcher
from bot.delivery.pictures import AlertMaps
from bot.discord.sender import DiscordSender

if TYPE_CHECKING:
    from bot.discord.client import ChartBot

log = logging.getLogger(__name__)

STOP_GRACE = 15.0  # seconds a message on its way may take to finish at shutdown


class Delivery(commands.Cog):
    def __init__(self, bot: ChartBot) -> None:
        self.bot = bot
        self.dispatcher = Dispatcher(
            bot.db,
            DiscordSender(bot, bot.pacer),
            wake=bot.deliveries_waiting,
            idle=bot.config.discord.outbox_check.total_seconds(),
            maps=AlertMaps(bot.reads, bot.drawings) if bot.config.discord.alert_pictures else None,
            shards=bot.shards_run,
            language=bot.config.alerts.language,
        )
        self.task: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        self.task = asyncio.create_task(self._run(), name="dispatcher")

    async def _run(self) -> None:
        await self.bot.wait_until_ready()
        await self.dispatcher.run()

    async def cog_unload(self) -> None:
        self.dispatcher.stop()
        if self.task is None:
            return
        try:
            await asyncio.wait_for(self.task, STOP_GRACE)
        except (TimeoutError, asyncio.CancelledError):
            log.warning("the dispatcher did not stop in time; claimed alerts resume next start")


async def setup(bot: ChartBot) -> None:
    await bot.add_cog(Delivery(bot))
