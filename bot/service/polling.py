"""Polling: one source under the config's policies, every source once (the CLI), and the
terminal alerts a poll leaves in the outbox."""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import aiohttp

from bot.clock import utcnow
from bot.config import Config
from bot.engine.deliveries import Destination
from bot.engine.events import AlertPolicy, Event
from bot.engine.stored import SourceState
from bot.pipeline import PollOutcome, poll_source
from bot.sources.base import Source
from bot.sources.fetch import http_session
from bot.sources.registry import build_source
from bot.store.store import Store
from bot.store.thread import StoreThread

log = logging.getLogger(__name__)


MERGE_PENDING = (
    "stored titles are spelled as separate titles that [titles] merge joins: "
    "`chartbot merge-titles --dry-run` says which, `chartbot merge-titles` joins them"
)


def alert_policy(config: Config) -> AlertPolicy:
    return AlertPolicy(
        min_countries=config.alerts.min_countries,
        watched_markets=frozenset(config.alerts.watched_markets),
        milestones=config.alerts.milestones,
    )


def configured_sources(config: Config) -> list[Source]:
    """The sources to poll: enabled, and with somewhere to poll (not imports-only)."""
    aliases = config.title_aliases()
    built = [build_source(s, config.base_dir, aliases) for s in config.sources if s.enabled]
    return [source for source in built if source.location]


async def poll_one(
    config: Config,
    source: Source,
    db: StoreThread,
    *,
    session: aiohttp.ClientSession,
    terminal: bool = False,
) -> PollOutcome:
    """One poll of one source under the config's alert and health policies."""
    return await poll_source(
        source,
        db,
        session=session,
        policy=alert_policy(config),
        terminal=terminal,
        health=config.health_policy(),
    )


async def poll_once(config: Config, *, terminal: bool = False) -> list[PollOutcome]:
    """Poll every enabled source once, concurrently; one outcome per source."""
    sources = configured_sources(config)
    db = await StoreThread(config.database_path, config.busy_timeout).open()
    try:
        async with http_session() as session:
            polls = (
                poll_one(config, source, db, session=session, terminal=terminal)
                for source in sources
            )
            return list(await asyncio.gather(*polls))
    finally:
        await db.close()


@contextmanager
def terminal_lock(database: Path) -> Iterator[None]:
    """One process at a time prints terminal alerts; the lock dies with its holder. The
    lock file is owner-only, as the database is."""
    opened = os.open(f"{database}.terminal.lock", os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600)
    with open(opened, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def emit_terminal_alerts(store: Store, emit: Callable[[Event, str], None]) -> int:
    """Hand each pending terminal alert to `emit` (with its source as people read it),
    then mark it sent; oldest first.

    An alert is emitted only once its poll has committed, and marked right after
    it is written, so a run killed in between prints it again at most once.
    """
    assert store.path is not None
    count = 0
    with terminal_lock(store.path):
        for delivery in store.outbox.pending(destination=Destination.terminal(), limit=1_000_000):
            assert delivery.event is not None  # notices never go to the terminal
            emit(delivery.event, delivery.label)
            store.outbox.mark_sent([delivery.id], now=utcnow())
            count += 1
    return count


def source_states(store: Store) -> list[SourceState]:
    return store.sources.states()


def sources_to_score(store: Store) -> list[str]:
    """The sources whose chances stay hidden until their charts are scored again (scored
    before the store kept how the chances fared): the bot forecasts them as it starts."""
    return store.forecasts.unscored_sources()


def note_next_poll(store: Store, name: str, when: datetime | None) -> None:
    """When a source is polled next (for /status and `chartbot status`)."""
    store.sources.set_next_poll(name, when)
