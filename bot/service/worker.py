"""A poll in a process of its own: what the bot runs on its schedule.

Parsing a big file and storing it is Python work that would hold the bot's interpreter
(the GIL) for long stretches; in a process of its own it never delays a command's
answer. `python -m bot.service.worker CONFIG SOURCE` polls one source once, exactly
as `chartbot poll --once` would, and prints how it went as one JSON line, which
`poll_in_process` reads back. The alerts it queues are in the outbox, which the bot
delivers.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import aiohttp

from bot import logs
from bot.config import Config, load_config
from bot.engine.sources import SourceHealth
from bot.pipeline.outcome import PollOutcome, PollStatus
from bot.service.polling import configured_sources, poll_one
from bot.sources.base import Source
from bot.sources.fetch import http_session
from bot.store.thread import StoreThread

log = logging.getLogger(__name__)

STARTED = "chartbot poll worker"  # the marker line the outcome follows


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


async def scheduled_poll(
    config: Config, source: Source, db: StoreThread, *, session: aiohttp.ClientSession
) -> PollOutcome:
    """The bot's poll of one source: in a process of its own when the config came from a
    file the child can read again, else (a config built in memory) in this one."""
    if config.file is None:
        return await poll_one(config, source, db, session=session)
    return await poll_in_process(config.file, source.name, timeout=poll_timeout(source))


def poll_timeout(source: Source) -> float:
    """Past this, a poll process is stopped: its fetch has a deadline, its commit not."""
    return source.config.timeout.total_seconds() * 4 + 600


async def poll_in_process(config_file: Path, source: str, *, timeout: float) -> PollOutcome:
    """Poll one source in a child process; its outcome, or a failure saying what happened."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.service.worker",
        str(config_file),
        source,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        return _lost(source, f"the poll took longer than {timeout:.0f}s and was stopped")
    lines = out.decode("utf-8", "replace").splitlines()
    if STARTED in lines and lines[-1] != STARTED:
        return outcome_from_json(lines[-1])
    reason = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
    return _lost(source, f"the poll process ended ({process.returncode}): {reason[0]}")


def _lost(source: str, reason: str) -> PollOutcome:
    log.warning("source %s: %s", source, reason)
    return PollOutcome(source, PollStatus.FAILED, f"{source}: {reason}", error=reason)


async def _poll(config_file: Path, name: str) -> PollOutcome:
    config = load_config(config_file)
    named = [s for s in configured_sources(config) if s.name == name]
    if not named:
        # The config changed under the bot (a source renamed or removed): say so.
        return _lost(name, f"{config_file} has no source named {name!r} any more")
    [source] = named
    db = await StoreThread(config.database_path, config.busy_timeout).open()
    try:
        async with http_session() as session:
            return await poll_one(config, source, db, session=session)
    finally:
        await db.close()


def main(argv: list[str]) -> int:
    config_file, name = Path(argv[0]), argv[1]
    logs.setup("WARNING")
    print(STARTED, flush=True)
    print(outcome_to_json(asyncio.run(_poll(config_file, name))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
