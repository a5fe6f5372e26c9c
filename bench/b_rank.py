"""/rank through the fake Discord: 500 interactions text-only, 500 with the picture, against
a bare discord.py client answering each at once on the same fake."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import NETFLIX_NEW, Result, netflix_text, percentile
from tests.helpers.bot_process import BotProcess, write_bot_config
from tests.helpers.cli import run_cli
from tests.helpers.fake_discord import TOKEN, FakeDiscord
from tests.helpers.waiting import wait_until

COUNT = 500


def popular_titles(text: str, count: int = 20) -> list[str]:
    """The titles charted in the most weeks (each has a history to draw)."""
    weeks: dict[str, set[str]] = {}
    for line in text.split("\n")[1:]:
        fields = line.split("\t")
        weeks.setdefault(fields[5], set()).add(fields[2])
    return sorted(weeks, key=lambda t: (-len(weeks[t]), t))[:count]


TITLES = popular_titles(netflix_text(NETFLIX_NEW))


def _interactions(fake: FakeDiscord, count: int, *, image: bool) -> tuple[list[float], list[float]]:
    """Latency to the first answer, and (with image) to the picture, for each interaction."""
    answers, pictures = [], []
    for n in range(count):
        title = TITLES[n % len(TITLES)]
        interaction = fake.interact(
            "rank", [{"name": "title", "type": 3, "value": title}], user_id=1_000 + n
        )
        wait_until(lambda: fake.callbacks_of(interaction), 10, "an answer")  # noqa: B023
        answers.append(fake.answered_in(interaction))
        if image:
            token = f"token-{interaction}"

            def drawn(token: str = token) -> bool:
                return any(
                    r.method == "PATCH" and token in r.path and r.files for r in fake.requests[-20:]
                )

            wait_until(drawn, 10, "the picture")
            edit = next(
                r for r in reversed(fake.requests) if r.method == "PATCH" and token in r.path
            )
            pictures.append(edit.at - fake._sent_at[interaction])
    return answers, pictures


def _bound(fake: FakeDiscord, count: int) -> list[float]:
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.empty_bot", fake.api_base, fake.gateway_url, TOKEN],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        fake.wait_connected(30)
        wait_until(lambda: fake.identified >= 1, 30)
        answers = []
        for n in range(count):
            interaction = fake.interact("ping", [], user_id=5_000 + n)
            wait_until(lambda i=interaction: fake.callbacks_of(i), 10, "an answer")
            answers.append(fake.answered_in(interaction))
        return answers
    finally:
        process.terminate()
        process.wait(10)


def run() -> list[Result]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "top10.tsv").write_text(netflix_text(NETFLIX_NEW), encoding="utf-8")
        fake = FakeDiscord().start()
        try:
            bound = _bound(fake, COUNT)
        finally:
            fake.stop()
        bound_p99 = percentile(bound, 99)
        for image in (False, True):
            fake = FakeDiscord().start()
            try:
                config = write_bot_config(folder, fake, "top10.tsv")
                if not image:
                    config.write_text(config.read_text() + "rank_images = false\n")
                if not (folder / "chartbot.db").exists():
                    run_cli("import", folder / "top10.tsv", "--source", "netflix", "-c", config)
                bot = BotProcess(config).start().wait_ready()
                try:
                    _interactions(fake, 20, image=image)  # warm up
                    answers, pictures = _interactions(fake, COUNT, image=image)
                finally:
                    bot.stop()
            finally:
                fake.stop()
            p99 = percentile(answers, 99)
            worst = max(answers + pictures)
            if image:
                pic99 = percentile(pictures, 99)
                results.append(
                    Result(
                        name=f"/rank with the picture, {COUNT} interactions",
                        figure=pic99 * 1000,
                        unit="ms p99",
                        bound=bound_p99 * 1000,
                        bound_what="bare discord.py answer, p99",
                        ratio=None,
                        target="picture p99 ≤ 300 ms; never past 3 s",
                        met=pic99 <= 0.300 and worst < 3.0,
                        notes=(
                            f"first answer p99 {p99 * 1000:.1f} ms; picture p50 "
                            f"{percentile(pictures, 50) * 1000:.0f} ms; "
                            f"slowest {worst * 1000:.0f} ms"
                        ),
                    )
                )
            else:
                results.append(
                    Result(
                        name=f"/rank text-only, {COUNT} interactions",
                        figure=p99 * 1000,
                        unit="ms p99",
                        bound=bound_p99 * 1000,
                        bound_what="bare discord.py answer, p99",
                        ratio=None,
                        target="p99 ≤ bound + 10 ms; never past 3 s",
                        met=p99 <= bound_p99 + 0.010 and worst < 3.0,
                        notes=(
                            f"{(p99 - bound_p99) * 1000:.1f} ms above the bound; p50 "
                            f"{percentile(answers, 50) * 1000:.1f} ms (bound p50 "
                            f"{percentile(bound, 50) * 1000:.1f} ms); slowest {worst * 1000:.0f} ms"
                        ),
                    )
                )
    return results
