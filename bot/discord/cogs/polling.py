"""Polling on a schedule: one APScheduler job per source, on the bot's own event loop.

Each job has max_instances=1 (a slow poll is never doubled), coalesce (missed
runs collapse into one), jitter (sources do not all fire at once) and a
misfire grace time. After a restart a source is polled at once only if its
interval has passed since its last attempt.
"""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from discord.ext import commands

from bot.clock import utcnow
from bot.engine.health import HealthPolicy, retry_in
from bot.engine.source_types import SourceHealth
from bot.engine.stored import SourceState
from bot.service import polling
from bot.service.forecaster import refresh_in_process
from bot.service.polling import MERGE_PENDING, configured_sources
from bot.service.titles import title_merges
from bot.service.worker import scheduled_poll

if TYPE_CHECKING:
    from bot.discord.client import ChartBot

log = logging.getLogger(__name__)

RESUME_JOB = "resume-recovered"
FORECAST_TIMEOUT = 1800.0  # seconds: a forecast past this is stopped (2 minutes is the goal)


def first_run(
    state: SourceState | None, every: timedelta, now: datetime, health: HealthPolicy
) -> datetime:
    """When a source's first poll after start should happen: its interval (or, while it
    is failing, its backoff) after its last attempt, or now."""
    soon = now + timedelta(seconds=random.uniform(0, 2))
    if state is None or state.last_attempt_at is None:
        return soon
    wait = retry_in(health, state.failures, every) if state.failures else every
    return max(state.last_attempt_at + wait, soon)


class Polling(commands.Cog):
    def __init__(self, bot: ChartBot) -> None:
        self.bot = bot
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.sources = {s.name: s for s in configured_sources(bot.config)}
        self.health = bot.config.health_policy()
        self.forecasting: dict[str, asyncio.Task[None]] = {}
        self.forecast_again: set[str] = set()

    async def cog_load(self) -> None:
        config = self.bot.config
        if config.titles.merge:
            pending = await self.bot.reads.call(title_merges, config, apply=False)
            if pending:
                log.warning(MERGE_PENDING)
        states = {s.name: s for s in await self.bot.reads.call(polling.source_states)}
        now = utcnow()
        for name, source in self.sources.items():
            every = source.config.every
            seconds = every.total_seconds()
            state = states.get(name)
            paused = state is not None and state.status is SourceHealth.DISABLED
            if paused and state is not None:
                log.warning(
                    "source %s is paused after repeated failures: %s", name, state.last_error
                )
            self.scheduler.add_job(
                self.poll,
                IntervalTrigger(seconds=seconds, jitter=min(300, int(seconds * 0.05))),
                args=[name],
                id=name,
                name=f"poll {name}",
                max_instances=1,
                coalesce=True,
                misfire_grace_time=max(30, int(seconds / 2)),
                next_run_time=None if paused else first_run(state, every, now, self.health),
            )
        self.scheduler.add_job(
            self.resume_recovered,
            IntervalTrigger(seconds=self.bot.config.discord.outbox_check.total_seconds()),
            id=RESUME_JOB,
            name="resume sources that work again",
            max_instances=1,
            coalesce=True,
        )
        self.scheduler.start()
        for name in self.sources:
            await self._note_next_poll(name)
        log.info("polling %d sources", len(self.sources))
        if config.forecast.after_polls:
            for name in await self.bot.reads.call(polling.sources_to_score):
                if name in self.sources:
                    log.info("forecast %s: scoring its charts again after the upgrade", name)
                    self._forecast_soon(name)

    async def resume_recovered(self) -> None:
        """A source paused after too many failures is polled on its schedule again once it
        works again by hand (`chartbot poll`, an import, in another process)."""
        paused = [
            name
            for name in self.sources
            if (job := self.scheduler.get_job(name)) is not None and job.next_run_time is None
        ]
        if not paused:
            return
        states = await self.bot.reads.call(polling.source_states)
        for state in states:
            job = self.scheduler.get_job(state.name)
            if state.name in paused and job and state.status is not SourceHealth.DISABLED:
                job.resume()
                log.info("source %s works again: polled on its schedule from now on", state.name)
                await self._note_next_poll(state.name)

    async def cog_unload(self) -> None:
        # A poll under way is one transaction: stopping here loses or repeats nothing.
        self.scheduler.shutdown(wait=False)
        for task in list(self.forecasting.values()):
            task.cancel()

    async def _note_next_poll(self, name: str) -> None:
        """The store says when a source is polled next (for /status and `chartbot status`)."""
        job = self.scheduler.get_job(name)
        when: datetime | None = job.next_run_time if job is not None else None
        await self.bot.db.call(polling.note_next_poll, name, when)

    async def poll(self, name: str) -> None:
        source = self.sources[name]
        outcome = await scheduled_poll(self.bot.config, source, self.bot.db)
        (log.warning if outcome.failed else log.info)("poll %s", outcome.summary)
        for warning in outcome.warnings:
            log.warning("source %s: %s", name, warning)
        job = self.scheduler.get_job(name)
        if outcome.health is SourceHealth.DISABLED and job is not None:
            job.pause()
        elif outcome.failed and job is not None:
            # Back off: sooner than the interval at first, then less and less often.
            wait = retry_in(self.health, outcome.failures, source.config.every)
            job.modify(next_run_time=utcnow() + wait)
        await self._note_next_poll(name)
        if outcome.deliveries:
            self.bot.deliveries_waiting.set()
        if outcome.new_periods:
            await self.bot.refresh_titles()
            if self.bot.config.forecast.after_polls:
                self._forecast_soon(name)

    def _forecast_soon(self, name: str) -> None:
        """Forecast the source again in a process of its own (bot/service/forecaster.py),
        one at a time per source: a new period while one runs is forecast after it."""
        if name in self.forecasting:
            self.forecast_again.add(name)
            return
        task = asyncio.create_task(self._forecast(name), name=f"forecast {name}")
        self.forecasting[name] = task

    async def _forecast(self, name: str) -> None:
        try:
            while True:
                self.forecast_again.discard(name)
                said = await refresh_in_process(self.bot.config, name, timeout=FORECAST_TIMEOUT)
                log.info("forecast %s", said)
                self.bot.deliveries_waiting.set()
                if name not in self.forecast_again:
                    return
        finally:
            del self.forecasting[name]


async def setup(bot: ChartBot) -> None:
    await bot.add_cog(Polling(bot))
