"""Fan-out: 5,000 alerts to 1,000 channels and DMs, the fake Discord enforcing 50 requests
a second globally and 5 messages per 5 seconds per channel (429s past them). The bound is
the rate limit itself: the requests the delivery needs, at 50 a second."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

from bench.common import Result
from bot.engine.deliveries import Destination
from bot.engine.events import Event, NewNumberOne, NumberOneCount
from bot.store.base import utcnow
from bot.store.store import Store
from tests.bot_process import BotProcess, write_bot_config
from tests.fake_discord import CHANNEL_ID, FakeDiscord
from tests.waiting import wait_until

CHANNELS = 500
MEMBERS = 500
PER_DESTINATION = 5
TITLES = ["Squid Game", "Stay Close", "Cobra Kai", "Ozark", "The Witcher"]


def _fill(store: Store) -> int:
    """Guilds with alert channels, members with DMs, and 5 alerts for each of them: a title's
    "#1 in N countries" and its new #1 in four markets, the same week."""
    now = utcnow()
    store.sources.ensure("bench", "table", None)
    with store.write():
        chart_ids = store.charts.ids("bench", ["TV"])
        snapshot = store.sources.add_snapshot("bench", now=now, content_hash=None, outcome="new")
        groups: list[list[Event]] = []
        for week in range(100):
            period = (date(2024, 1, 7) + timedelta(weeks=week)).isoformat()
            for title in TITLES:
                base = ("bench", "TV", period, title.lower(), title, None)
                groups.append(
                    [
                        NumberOneCount(*base, count=week + 10, previous=week + 8),
                        *(
                            NewNumberOne(*base, country=c, rank=1, previous_rank=2)
                            for c in ("US", "KR", "JP", "FR")
                        ),
                    ]
                )
        events = [event for group in groups for event in group]
        added = dict(
            (event.key, event_id)
            for event_id, event in store.outbox.add_events(
                events, chart_ids=chart_ids, snapshot_id=snapshot, now=now
            )
        )
        rows = []
        for n in range(CHANNELS):
            rows += [
                (added[e.key], Destination.channel(CHANNEL_ID + 1000 + n), n)
                for e in groups[n % len(groups)]
            ]
        for n in range(MEMBERS):
            group = groups[(n * 7) % len(groups)]
            rows += [(added[e.key], Destination.dm(10_000 + n), n) for e in group]
        return store.outbox.add_deliveries(rows, now=now)


def run() -> list[Result]:
    fake = FakeDiscord().start()
    fake.limits = (50, 5)
    for n in range(CHANNELS):
        fake.add_channel(CHANNEL_ID + 1000 + n, f"alerts-{n}")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            (folder / "none.tsv").write_text("")
            config = write_bot_config(folder, fake, "none.tsv")
            config.write_text(
                config.read_text().replace('every = "1h"', 'every = "1h"\nenabled = false')
            )
            store = Store.open(folder / "chartbot.db")
            try:
                queued = _fill(store)
            finally:
                store.close()
            bot = BotProcess(config).start().wait_ready()
            try:
                wait_until(lambda: _pending(folder) == 0, 300, "the fan-out")
            finally:
                bot.stop()
    finally:
        fake.stop()
    sends = [
        r
        for r in fake.requests
        if r.method == "POST" and (r.path.endswith("/messages") or r.path == "/users/@me/channels")
    ]
    elapsed = max(r.at for r in sends) - min(r.at for r in sends)
    bound = len(sends) / 50
    lines: dict[tuple[str, str], int] = {}
    for message in fake.messages:
        for embed in message["embeds"]:
            for line in embed["description"].split("\n"):
                lines[(message["channel_id"], line)] = (
                    lines.get((message["channel_id"], line), 0) + 1
                )
    delivered = sum(lines.values())
    duplicated = sum(count - 1 for count in lines.values() if count > 1)
    ratio = bound / elapsed
    return [
        Result(
            name=f"fan-out of {queued:,} alerts to {CHANNELS + MEMBERS:,} channels and DMs",
            figure=elapsed,
            unit="s",
            bound=bound,
            bound_what=f"{len(sends):,} requests at 50/s",
            ratio=ratio,
            target="≥ 0.9× the bound, 0 lost, 0 duplicated",
            met=ratio >= 0.9 and delivered == queued and duplicated == 0,
            notes=(
                f"{len(fake.messages):,} messages (alerts batched per destination), "
                f"{delivered:,} alerts delivered, {queued - delivered} lost, {duplicated} "
                f"duplicated, {fake.limited} 429s"
            ),
        )
    ]


def _pending(folder: Path) -> int:
    with Store.open(folder / "chartbot.db") as store:
        return store.outbox.waiting()
