"""Memory of the running bot with 1,000 guilds, 50,000 subscriptions and 5 years of weekly
history for 94 countries, through a poll of a new week and a few hundred interactions."""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import Result, years_of_history
from bot.clock import utcnow
from bot.store.store import Store
from tests.helpers.bot_process import BotProcess, write_bot_config
from tests.helpers.cli import run_cli
from tests.helpers.fake_discord import CHANNEL_ID, FakeDiscord
from tests.helpers.waiting import wait_until

GUILDS = 1000
SUBSCRIPTIONS = 50_000


def drawing_processes(pid: int) -> list[int]:
    """The bot's drawing processes (bot/pictures/drawing.py), by their pids."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            command = (stat.parent / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
        if parent == pid and b"bot.pictures.drawing" in command:
            found.append(int(stat.parent.name))
    return found


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} for {pid}")


def _people(database: Path) -> None:
    store = Store.open(database)
    try:
        rng = random.Random(3)
        titles = [c.id for c in store.titles.candidates()]
        now = utcnow().isoformat()
        with store.write():
            store.db.conn.executemany(
                "INSERT INTO guild_settings (guild_id, channel_id, updated_at) VALUES (?, ?, ?)",
                [(g, CHANNEL_ID, now) for g in range(1, GUILDS + 1)],
            )
            store.db.conn.executemany(
                "INSERT OR IGNORE INTO subscriptions (guild_id, user_id, title_id, country, via,"
                " created_at) VALUES (?, ?, ?, 'US', 'dm', ?)",
                [
                    (rng.randint(1, GUILDS), n, rng.choice(titles), now)
                    for n in range(1, SUBSCRIPTIONS + 1)
                ],
            )
    finally:
        store.close()


def run() -> list[Result]:
    older, newer = years_of_history()
    weeks = len({line.split("\t")[2] for line in older.split("\n")[1:]})
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / "all-weeks-countries.tsv"
        source.write_text(older, encoding="utf-8")
        fake = FakeDiscord().start()
        try:
            config = write_bot_config(folder, fake, "all-weeks-countries.tsv", every="5s")
            started = time.perf_counter()
            ran = run_cli("import", source, "--source", "netflix", "-c", config)
            imported = time.perf_counter() - started
            assert ran.exit_code == 0, ran.stderr
            _people(folder / "chartbot.db")
            bot = BotProcess(config).start().wait_ready()
            pid = bot.process.pid  # type: ignore[union-attr]
            try:
                samples = [rss_mb(pid)]
                source.write_text(newer, encoding="utf-8")
                bot.wait_for_log("stored Films", timeout=120)
                samples.append(rss_mb(pid))
                rng = random.Random(1)
                for n in range(300):
                    typed = rng.choice(["stay", "cobra", "the", "emily (3", "squid", "ozark"])
                    interaction = fake.interact(
                        "rank",
                        [{"name": "title", "type": 3, "value": typed, "focused": True}],
                        kind=4,
                        user_id=20_000 + n,
                    )
                    wait_until(lambda i=interaction: fake.callbacks_of(i), 10)
                    if n % 3 == 0:
                        asked = fake.interact(
                            "rank",
                            [{"name": "title", "type": 3, "value": typed}],
                            user_id=30_000 + n,
                        )
                        wait_until(lambda i=asked: fake.callbacks_of(i), 10)
                    samples.append(rss_mb(pid))
                steady = []
                pause = time.perf_counter()
                while time.perf_counter() - pause < 8:  # sample the idle bot twice a second
                    steady.append(rss_mb(pid))
                    time.sleep(0.5)
                peak = rss_mb(pid, "VmHWM")
                mapped = rss_mb(pid, "RssFile")
                drawing = [rss_mb(child) for child in drawing_processes(pid)]
            finally:
                bot.stop()
        finally:
            fake.stop()
    figure = statistics.median(steady)
    return [
        Result(
            name=(
                f"memory: {GUILDS:,} guilds, {SUBSCRIPTIONS:,} subscriptions, "
                f"{weeks} weeks × 94 countries"
            ),
            figure=figure,
            unit="MB RSS",
            bound=None,
            bound_what="",
            ratio=None,
            target="steady RSS ≤ 150 MB",
            met=figure <= 150,
            notes=(
                f"after start {samples[0]:.0f} MB, after polling the new week {samples[1]:.0f} MB, "
                f"peak {peak:.0f} MB; at the end {mapped:.0f} MB of the RSS were file pages "
                f"(shared libraries); importing the {weeks} weeks took {imported:.0f} s; "
                f"beside it {len(drawing)} drawing processes of "
                f"{', '.join(f'{mb:.0f}' for mb in drawing)} MB"
            ),
        )
    ]
