"""/rank while the bot's own poll reads and stores a rewrite of a whole 5-year history, next
to /rank with the bot idle: commands read beside the writer (WAL), never behind it."""

from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path

from bench.common import Result, percentile, years_of_history
from tests.helpers.bot_process import BotProcess, write_bot_config
from tests.helpers.cli import run_cli
from tests.helpers.fake_discord import FakeDiscord
from tests.helpers.waiting import wait_until

IDLE = 300


def rewritten(text: str) -> str:
    """The same history with every title respelled (Netflix has renamed things across its
    whole history before): every stored week is rewritten, none is new."""
    header, *rows = text.split("\n")
    out = [header]
    for row in rows:
        fields = row.split("\t")
        fields[5] = fields[5] + " "  # the same title, another spelling: every digest changes
        out.append("\t".join(fields))
    return "\n".join(out)


class Asker:
    """Asks /rank, one interaction after another, and keeps each answer's latency."""

    def __init__(self, fake: FakeDiscord, titles: list[str]) -> None:
        self.fake = fake
        self.titles = titles
        self.answers: list[tuple[float, float]] = []  # (asked at, seconds to the answer)
        self._stop = threading.Event()
        self._n = 0

    def ask(self) -> None:
        self._n += 1
        interaction = self.fake.interact(
            "rank",
            [{"name": "title", "type": 3, "value": self.titles[self._n % len(self.titles)]}],
            user_id=10_000 + self._n,
        )
        asked = time.monotonic()
        wait_until(lambda: self.fake.callbacks_of(interaction), 10, "an answer")
        answered = self.fake.answered_in(interaction)
        assert answered is not None
        self.answers.append((asked, answered))

    def run_until_stopped(self) -> None:
        while not self._stop.is_set():
            self.ask()

    def stop(self) -> None:
        self._stop.set()


def run() -> list[Result]:
    older, _ = years_of_history()
    titles = sorted({row.split("\t")[5] for row in older.split("\n")[1:400]})[:20]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / "top10.tsv"
        source.write_text(older, encoding="utf-8")
        fake = FakeDiscord().start()
        try:
            config = write_bot_config(folder, fake, "top10.tsv", every="2s")
            text = config.read_text().replace("[discord]", "[discord]\nrank_images = false", 1)
            config.write_text(text)
            run_cli("import", source, "--source", "netflix", "-c", config)
            bot = BotProcess(config).start().wait_ready()
            try:
                bot.wait_for_log("poll netflix", timeout=120)  # the first (whole) read
                asker = Asker(fake, titles)
                for _ in range(20):
                    asker.ask()  # warm up
                asker.answers.clear()
                for _ in range(IDLE):
                    asker.ask()
                idle = [seconds for _, seconds in asker.answers]
                asker.answers.clear()
                polls_before = bot.output().count("past periods rewritten")
                source.write_text(rewritten(older), encoding="utf-8")
                started = time.monotonic()
                thread = threading.Thread(target=asker.run_until_stopped, daemon=True)
                thread.start()
                wait_until(
                    lambda: bot.output().count("past periods rewritten") > polls_before,
                    300,
                    "the rewrite stored",
                )
                poll_seconds = time.monotonic() - started
                asker.stop()
                thread.join(30)
            finally:
                bot.stop()
        finally:
            fake.stop()
    during = [seconds for asked, seconds in asker.answers if asked <= started + poll_seconds]
    idle_p99 = percentile(idle, 99)
    worst = max(during)
    return [
        Result(
            name="/rank while the bot's poll stores a 5-year history rewrite (slowest answer)",
            figure=worst * 1000,
            unit="ms",
            bound=idle_p99 * 1000,
            bound_what=f"/rank idle, p99 of {IDLE}",
            ratio=None,
            target="slowest during the poll ≤ idle p99 + 50 ms",
            met=worst <= idle_p99 + 0.050,
            notes=(
                f"{len(during)} answers during the {poll_seconds:.1f} s poll; their p50 "
                f"{percentile(during, 50) * 1000:.1f} ms, p99 {percentile(during, 99) * 1000:.1f} "
                f"ms; idle p50 {percentile(idle, 50) * 1000:.1f} ms"
            ),
        )
    ]
