"""A bot in 100,000 servers: 40 gateway shards (Discord's 2,500 servers a shard) run by 4
`chartbot run --shards` processes on one store with 1,000,000 subscriptions, and a poll
whose alerts go to 20,000 destinations (18,000 servers' alert channels, 2,000 members'
DMs) under Discord's limits, which the fake Discord enforces with 429s.

Not part of `python -m bench` (about 12 minutes): `python -m bench servers`. Figures:
the time from the processes' start to every shard ready, each process's steady RSS, and
the delivery against its bound, the requests it needs at Discord's 50 a second.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from bench.b_fanout import delivery_of
from bench.b_memory import rss_mb
from bench.common import Result, needs
from bot.clock import utcnow
from bot.store.store import Store
from tests.helpers.bot_process import BotProcess, write_bot_config
from tests.helpers.cli import run_cli
from tests.helpers.fake_discord import FakeDiscord
from tests.helpers.netflix import NETFLIX_WEEK_1, WEEK_1, WEEK_2
from tests.helpers.waiting import wait_until

SCALE = float(os.environ.get("CHARTBOT_SERVERS_SCALE", "1"))  # 0.05 for a quick look
GUILDS = int(100_000 * SCALE)
SHARDS = max(2, GUILDS // 2_500)
PROCESSES = 4 if SHARDS >= 4 else 2
SUBSCRIPTIONS = int(1_000_000 * SCALE)
CHANNELS = int(18_000 * SCALE)  # servers with an alert channel
DM_MEMBERS = int(2_000 * SCALE)  # members following a title that moves, by DM
FIRST_GUILD = 800_000_000_000_000_000
FIRST_CHANNEL = 820_000_000_000_000_000
FIRST_MEMBER = 600_000_000_000_000_000


def _ids(count: int, first: int, seed: int) -> list[int]:
    """Snowflakes spread over every shard, as real servers' are."""
    rng = random.Random(seed)
    return sorted({first + (rng.randrange(1 << 30) << 22) + n for n in range(count)})


def _people(database: Path, guilds: list[int], channels: list[int]) -> None:
    """Every server's settings (CHANNELS of them with an alert channel); DM_MEMBERS members
    following Stay Close (it moves in the new week); the other subscriptions on titles
    followed before they chart (they never send anything)."""
    rng = random.Random(5)
    now = utcnow().isoformat()
    with Store.open(database) as store, store.write():
        store.db.conn.executemany(
            "INSERT INTO guild_settings (guild_id, channel_id, updated_at) VALUES (?, ?, ?)",
            [(g, channels[n] if n < CHANNELS else None, now) for n, g in enumerate(guilds)],
        )
        followed = store.titles.by_key("Stay Close")
        assert followed is not None
        members = _ids(DM_MEMBERS, FIRST_MEMBER, 9)
        rows = [(guilds[n % len(guilds)], m, followed.id, "dm") for n, m in enumerate(members)]
        store.db.conn.executemany(
            "INSERT INTO titles (key, name) VALUES (?, ?)",
            [(f"upcoming show {n}", f"Upcoming Show {n}") for n in range(1_000)],
        )
        upcoming = [
            i for (i,) in store.db.execute("SELECT id FROM titles WHERE key LIKE 'upcoming%'")
        ]
        while len(rows) < SUBSCRIPTIONS:
            rows.append((rng.choice(guilds), FIRST_MEMBER + len(rows), rng.choice(upcoming), "dm"))
        store.db.conn.executemany(
            "INSERT OR IGNORE INTO subscriptions (guild_id, user_id, title_id, via, created_at)"
            f" VALUES (?, ?, ?, ?, '{now}')",
            rows,
        )


def run() -> list[Result]:
    needs(NETFLIX_WEEK_1)
    fake = FakeDiscord(shards=SHARDS).start()
    guilds = _ids(GUILDS, FIRST_GUILD, 3)
    channels = [FIRST_CHANNEL + n for n in range(len(guilds))]
    for guild, channel in zip(guilds, channels, strict=True):
        fake.add_guild(guild, channel)
    fake.limits = (50, 5)  # Discord's: 50 requests a second, 5 messages per 5 s a channel
    processes: list[BotProcess] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            (folder / "top10.tsv").write_text(WEEK_1, encoding="utf-8")
            config = write_bot_config(folder, fake, "top10.tsv")
            assert run_cli("poll", "-c", config).exit_code == 0
            _people(folder / "chartbot.db", guilds, channels)
            per = SHARDS // PROCESSES
            started = time.perf_counter()
            for n in range(PROCESSES):
                shards = f"{n * per}-{(n + 1) * per - 1}/{SHARDS}"
                processes.append(BotProcess(config, args=("--shards", shards)).start())
            for process in processes:
                process.wait_for_log("connected as chartbot", timeout=900)
            ready = time.perf_counter() - started
            at_ready = [rss_mb(p.process.pid) for p in processes]  # type: ignore[union-attr]
            (folder / "top10.tsv").write_text(WEEK_2, encoding="utf-8")
            before = len(fake.requests)
            polled = run_cli("poll", "-c", config)
            assert polled.exit_code == 0, polled.stderr
            with Store.open(folder / "chartbot.db") as store:
                queued = store.outbox.waiting()
                destinations = store.db.execute(
                    "SELECT count(DISTINCT destination) FROM deliveries WHERE status != 'sent'"
                    " AND destination != 'terminal'"
                ).fetchone()[0]
            wait_until(lambda: _waiting(folder) == 0, 3600, "every delivery")
            steady = [[] for _ in processes]
            pause = time.perf_counter()
            while time.perf_counter() - pause < 5:
                for n, p in enumerate(processes):
                    steady[n].append(rss_mb(p.process.pid))  # type: ignore[union-attr]
                time.sleep(0.5)
            for process in processes:
                process.stop()
    finally:
        for process in processes:
            if process.process is not None and process.process.poll() is None:
                process.stop()
        fake.stop()
    sent = delivery_of(fake, since=before)
    rss = [statistics.median(s) for s in steady]
    return [
        Result(
            name=f"{GUILDS:,} servers on {SHARDS} shards in {PROCESSES} processes: start to ready",
            figure=ready,
            unit="s",
            bound=None,
            bound_what="",
            ratio=None,
            target="every shard ready",
            met=True,
            notes=f"RSS at ready {', '.join(f'{r:.0f}' for r in at_ready)} MB",
        ),
        sent.result(
            f"a poll's alerts to {destinations:,} destinations ({queued:,} deliveries)",
            queued,
            fake,
            after=f" ({', '.join(sorted({w for w, _ in fake.limited_by}))})",
            least=0.9,  # processes sharing one budget pace at 47 a second (SHARED_PER_SECOND)
        ),
        Result(
            name=f"steady RSS of each process ({SUBSCRIPTIONS:,} subscriptions in the store)",
            figure=max(rss),
            unit="MB",
            bound=None,
            bound_what="",
            ratio=None,
            target="≤ 300 MB a process",
            met=max(rss) <= 300,
            notes=", ".join(f"{r:.0f}" for r in rss) + " MB",
        ),
    ]


def _waiting(folder: Path) -> int:
    with Store.open(folder / "chartbot.db") as store:
        return store.outbox.waiting()
