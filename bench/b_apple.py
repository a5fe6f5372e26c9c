"""One poll of a per-country JSON source: 150 countries, each answered after 100 ms by a
loopback server. The bound is the ideal time for the configured connection limit."""

from __future__ import annotations

import asyncio
import math
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import Result
from bot.config import APPLE_STOREFRONTS, config_from_dict
from bot.pipeline import poll_source
from bot.service.polling import alert_policy, configured_sources
from bot.store.thread import StoreThread
from tests.helpers.apple_feeds import SONGS, feed
from tests.helpers.chart_server import ChartServer

DELAY = 0.1
CONCURRENCY = 8


def run() -> list[Result]:
    server = ChartServer().start()
    countries = APPLE_STOREFRONTS[:150]
    try:
        for index, country in enumerate(countries):
            order = [(index + i) % len(SONGS) for i in range(len(SONGS))]
            server.serve(
                f"api/v2/{country}/music/most-played/10/songs.json",
                feed(country, order, "Thu, 16 Nov 2023 18:24:49 +0000"),
                content_type="application/json",
                delay=DELAY,
            )
        times = []
        with tempfile.TemporaryDirectory() as tmp:
            for attempt in range(4):
                folder = Path(tmp) / f"apple-{attempt}"
                folder.mkdir()
                config = config_from_dict(
                    {
                        "database": {"path": str(folder / "chartbot.db")},
                        "sources": [
                            {
                                "name": "apple",
                                "kind": "apple_rss",
                                "countries": list(countries),
                                "limit": 10,
                                "url": server.url(
                                    "api/v2/{country}/music/most-played/{limit}/songs.json"
                                ),
                                "concurrency": CONCURRENCY,
                            }
                        ],
                    },
                    source="bench",
                    base_dir=folder,
                )
                times.append(asyncio.run(_poll(config)))
        ours = statistics.median(times[1:])  # the first round warms up
    finally:
        server.stop()
    ideal = math.ceil(len(countries) / CONCURRENCY) * DELAY
    ratio = ours / ideal
    return [
        Result(
            name=f"poll {len(countries)} JSON feeds, 100 ms each, {CONCURRENCY} at once",
            figure=ours,
            unit="s",
            bound=ideal,
            bound_what=f"ceil({len(countries)}/{CONCURRENCY}) × 100 ms",
            ratio=ratio,
            target="≤ 1.3×",
            met=ratio <= 1.3,
            notes=f"most requests in flight at once: {server.max_in_flight}",
        )
    ]


async def _poll(config) -> float:  # type: ignore[no-untyped-def]
    from bot.sources.fetch import http_session

    db = await StoreThread(config.database_path).open()
    [source] = configured_sources(config)
    async with http_session() as session:
        start = time.perf_counter()
        outcome = await poll_source(source, db, session=session, policy=alert_policy(config))
        elapsed = time.perf_counter() - start
    await db.close()
    if outcome.failed:
        raise RuntimeError(outcome.summary)
    return elapsed
