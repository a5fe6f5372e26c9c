"""A daily poll of FlixPatrol for 90 countries, two ways, against the ideal time at the
politeness chosen (one request at a time, a pause between two): its pages (a world page
and the 90 country pages it links) and its API (every country's movies and TV shows of
the day in pages of 300 rows). Each answer takes 100 ms on loopback, as over a network."""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import Result
from bot.config import APPLE_STOREFRONTS, config_from_dict
from bot.pipeline import poll_source
from bot.service.polling import alert_policy, configured_sources
from bot.sources.fetch import http_session
from bot.store.thread import StoreThread
from tests.helpers.chart_server import ChartServer
from tests.helpers.flixpatrol_api import KEY, ApiRow, FakeFlixPatrol
from tests.helpers.flixpatrol_pages import country_page, country_path, world_page

COUNTRIES = [c.upper() for c in APPLE_STOREFRONTS[:90]]
DELAY = 0.1  # seconds an answer takes
PAUSE = 0.2  # seconds between two requests (the politeness; 2 s by default)
ROUNDS = 3
KEY_ENV = "CHARTBOT_BENCH_FLIXPATROL_KEY"


def titles(country: str, kind: str) -> list[str]:
    offset = sum(map(ord, country))
    return [f"{kind} {(offset + n) % 40}" for n in range(10)]


def run() -> list[Result]:
    return [_pages(), _api()]


def _pages() -> Result:
    server = ChartServer().start()
    day = datetime.now(UTC).date()
    try:
        by_country = {
            c: {"Movies": titles(c, "Movie")[0], "TV Shows": titles(c, "Show")[0]}
            for c in COUNTRIES
        }
        lists = {"Movies": [(f"Movie {n}", 900 - n) for n in range(10)]}
        world = world_page("Netflix", "netflix", day, lists, by_country)
        server.serve("top10/netflix/", world, content_type="text/html", delay=DELAY)
        for code in COUNTRIES:
            sections = {"Movies": titles(code, "Movie"), "TV Shows": titles(code, "Show")}
            page = country_page("Netflix", code, day, sections)
            path = country_path("netflix", code, day).lstrip("/")
            server.serve(path, page, content_type="text/html", delay=DELAY)
        source = {
            "name": "netflix",
            "kind": "flixpatrol",
            "url": server.url("top10/netflix/"),
            "countries": COUNTRIES,
            "pause": f"{PAUSE}s",
        }
        ours = _median_poll(source)
        fetched = len(server.requests) // ROUNDS
    finally:
        server.stop()
    ideal = fetched * DELAY + (fetched - 1) * PAUSE
    return Result(
        name=f"daily poll of FlixPatrol's pages: the world page and {len(COUNTRIES)} countries'",
        figure=ours,
        unit="s",
        bound=ideal,
        bound_what=f"{fetched} requests × 100 ms + {fetched - 1} pauses × {PAUSE:g} s",
        ratio=ours / ideal,
        target="≤ 1.2×",
        met=ours / ideal <= 1.2,
        notes=f"median of {ROUNDS} polls into a fresh store; most requests at once: "
        f"{server.max_in_flight}",
    )


def _api() -> Result:
    api = FakeFlixPatrol().start()
    os.environ[KEY_ENV] = KEY
    day = datetime.now(UTC).date()
    try:
        api.delay = DELAY
        api.rows = [
            ApiRow(day, code, kind, rank, title)
            for code in COUNTRIES
            for kind, titled in ((2, "Movie"), (3, "Show"))
            for rank, title in enumerate(titles(code, titled), 1)
        ]
        source = {
            "name": "netflix",
            "kind": "flixpatrol",
            "platform": "netflix",
            "api_key_env": KEY_ENV,
            "api_base": api.base,
            "pause": f"{PAUSE}s",
            "backfill_days": 0,
        }
        ours = _median_poll(source)
        asked = len(api.asked) // ROUNDS
    finally:
        api.stop()
        os.environ.pop(KEY_ENV, None)
    ideal = asked * DELAY + (asked - 1) * PAUSE
    rows = len(api.rows)
    return Result(
        name=f"daily poll of FlixPatrol's API: {len(COUNTRIES)} countries, movies and TV",
        figure=ours,
        unit="s",
        bound=ideal,
        bound_what=f"{asked} requests ({rows:,} rows in pages of 300, and the quota) × 100 ms "
        f"+ pauses × {PAUSE:g} s",
        ratio=ours / ideal,
        target="≤ 1.2×",
        met=ours / ideal <= 1.2,
        notes=f"median of {ROUNDS} polls into a fresh store",
    )


def _median_poll(source: dict[str, Any]) -> float:
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for attempt in range(ROUNDS):
            folder = Path(tmp) / f"daily-{attempt}"
            folder.mkdir()
            config = config_from_dict(
                {"database": {"path": str(folder / "chartbot.db")}, "sources": [source]},
                source="bench",
                base_dir=folder,
            )
            times.append(asyncio.run(_poll(config)))
    return statistics.median(times)


async def _poll(config: Any) -> float:
    db = await StoreThread(config.database_path).open()
    [source] = configured_sources(config)
    try:
        async with http_session() as session:
            start = time.perf_counter()
            outcome = await poll_source(source, db, session=session, policy=alert_policy(config))
            elapsed = time.perf_counter() - start
    finally:
        await db.close()
    if outcome.failed:
        raise RuntimeError(outcome.summary)
    return elapsed
