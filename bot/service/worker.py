"""A poll in a process of its own: what the bot runs on its schedule.

Parsing a big file and storing it is Python work that would hold the bot's interpreter
(the GIL) for long stretches; in a process of its own it never delays a command's
answer. The bot hands the child its own configuration (pickled on the child's stdin, the
Discord token left out), so parent and child agree on the database and the sources
whatever happened to the file since the bot started; `python -I -m bot.service.worker
SOURCE` polls that source once, exactly as `chartbot poll` would, and prints how
it went as one JSON line. The alerts it queues are in the outbox, which the bot delivers.

A child that dies, hangs or says nothing is the source's failure, counted like a failed
fetch (backoff, the admins told once, paused after too many), not a silent retry.
"""

from __future__ import annotations

import asyncio
import json
import logging
import pickle
import sys
from dataclasses import asdict, dataclass
from typing import Any

from bot import children, logs
from bot.clock import utcnow
from bot.config import Config
from bot.engine.health import HealthPolicy
from bot.engine.source_types import Failure, FailureKind, SourceHealth
from bot.pipeline.outcome import PollOutcome, PollStatus
from bot.pipeline.records import record_failed
from bot.service.polling import configured_sources, poll_one
from bot.sources.base import Source
from bot.sources.fetch import http_session
from bot.store.store import Store
from bot.store.thread import StoreThread

log = logging.getLogger(__name__)

STARTED = "chartbot poll worker"  # the marker line the outcome follows


@dataclass(frozen=True, slots=True)
class Lost:
    """The poll process ended without saying how the poll went: why, for the operator."""

    reason: str


def outcome_to_json(outcome: PollOutcome) -> str:
    data = asdict(outcome)
    data["new_periods"] = [list(key) for key in outcome.new_periods]
    return json.dumps(data, ensure_ascii=False)


def outcome_from_json(text: str) -> PollOutcome:
    data: dict[str, Any] = json.loads(text)
    data["status"] = PollStatus(data["status"])
    data["health"] = SourceHealth(data["health"])
    data["new_periods"] = [tuple(key) for key in data["new_periods"]]
    return PollOutcome(**data)


async def scheduled_poll(config: Config, source: Source, db: StoreThread) -> PollOutcome:
    """The bot's poll of one source, in a process of its own. A process that ends without
    an outcome is recorded as the source's failure, under the config's health rules."""
    done = await poll_in_process(config, source.name, timeout=poll_timeout(source))
    if isinstance(done, PollOutcome):
        return done
    log.warning("source %s: %s", source.name, done.reason)
    return await db.call(_record_lost, source, done, config.health_policy())


def _record_lost(store: Store, source: Source, lost: Lost, health: HealthPolicy) -> PollOutcome:
    store.sources.ensure(source.identity)  # it may never have been polled
    latest = store.charts.latest_periods(source.name)
    failure = Failure(FailureKind.PROCESS_LOST, lost.reason)
    return record_failed(store, source.name, failure, latest, health=health, now=utcnow())


def poll_timeout(source: Source) -> float:
    """Past this, a poll process is stopped: its fetch has a deadline, its commit not."""
    return source.config.timeout.total_seconds() * 4 + 600


async def poll_in_process(config: Config, source: str, *, timeout: float) -> PollOutcome | Lost:
    """Poll one source in a child process (isolated, without the Discord token); its
    outcome, or what became of the process."""
    said, reason = await children.run_job(
        config, "bot.service.worker", source, marker=STARTED, timeout=timeout
    )
    return outcome_from_json(said) if said is not None else Lost(f"the poll {reason}")


async def _poll(config: Config, name: str) -> PollOutcome:
    named = [s for s in configured_sources(config) if s.name == name]
    if not named:
        reason = f"the configuration has no source named {name!r}"
        return PollOutcome(name, PollStatus.FAILED, f"{name}: {reason}", error=reason)
    [source] = named
    db = await StoreThread(config.database_path, config.busy_timeout).open()
    try:
        async with http_session() as session:
            return await poll_one(config, source, db, session=session)
    finally:
        await db.close()


def main(argv: list[str]) -> int:
    [name] = argv
    config: Config = pickle.load(sys.stdin.buffer)
    logs.setup("WARNING")
    print(STARTED, flush=True)
    print(outcome_to_json(asyncio.run(_poll(config, name))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
