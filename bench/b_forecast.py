"""Forecasts' costs, measured side by side.

1. `/rank` text-only through the fake Discord on the Netflix per-country store, with its
   forecasts stored (the chances a chart shows, read and said with each answer) against
   the same store without them: alternating rounds, p99 of each side's answers.
2. `forecast_big` (on request: `python -m bench forecast_big`): the refresh the bot runs
   after a poll (`chartbot forecast --store`), in a process of its own, on the
   26-million-row Spotify store that `python -m bench big` builds (or the store whose
   config $CHARTBOT_BIG_CONFIG names): its time and peak RSS, twice (the first scores
   the rolling backtest, the second reuses that score as the bot does). The stored
   scores of that store are deleted first, so that the first run does score. Memory is
   judged as the issue words it, "extra": the peak above what the same process holds
   once its modules are imported (both are printed).
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
from pathlib import Path

from bench.b_big import DATA, measured
from bench.b_rank import _interactions
from bench.common import NETFLIX_NEW, MissingData, Result, netflix_text, percentile
from tests.helpers.bot_process import BotProcess, write_bot_config
from tests.helpers.cli import run_cli
from tests.helpers.fake_discord import FakeDiscord

ROUNDS = 4  # alternating: with, without, with, without
COUNT = 250  # interactions a round


def _round(fake: FakeDiscord, config: Path) -> list[float]:
    bot = BotProcess(config).start().wait_ready()
    try:
        _interactions(fake, 20, image=False)  # warm up
        answers, _ = _interactions(fake, COUNT, image=False)
        return answers
    finally:
        bot.stop()


def rank_with_forecasts() -> Result:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "top10.tsv").write_text(netflix_text(NETFLIX_NEW), encoding="utf-8")
        fake = FakeDiscord().start()
        try:
            config = write_bot_config(folder, fake, "top10.tsv")
            config.write_text(config.read_text() + "rank_images = false\n")
            run_cli("import", folder / "top10.tsv", "--source", "netflix", "-c", config)
            made = run_cli("forecast", "--store", "--source", "netflix", "-c", config)
            database = folder / "chartbot.db"
            with sqlite3.connect(database) as db:
                saved = {
                    table: db.execute(f"SELECT * FROM {table}").fetchall()
                    for table in ("forecasts", "forecast_charts", "forecast_bins")
                }
            sides: dict[bool, list[float]] = {True: [], False: []}
            for n in range(ROUNDS):
                with_forecasts = n % 2 == 0
                with sqlite3.connect(database) as db:
                    for table, rows in saved.items():
                        db.execute(f"DELETE FROM {table}")
                        if with_forecasts and rows:
                            marks = ",".join("?" * len(rows[0]))
                            db.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
                sides[with_forecasts] += _round(fake, config)
        finally:
            fake.stop()
    with_p99, without_p99 = percentile(sides[True], 99), percentile(sides[False], 99)
    medians = [percentile(sides[side], 50) * 1000 for side in (True, False)]
    said = made.stdout.strip().splitlines()[0] if made.stdout.strip() else made.stderr
    return Result(
        name=f"/rank text with forecasts stored, {COUNT * ROUNDS // 2} interactions a side",
        figure=with_p99 * 1000,
        unit="ms p99",
        bound=without_p99 * 1000,
        bound_what="the same store without forecasts, p99",
        ratio=None,
        target="≤ +10 ms p99",
        met=with_p99 - without_p99 <= 0.010,
        notes=(
            f"{(with_p99 - without_p99) * 1000:+.1f} ms; p50 {medians[0]:.1f} against "
            f"{medians[1]:.1f} ms; {len(saved['forecasts']):,} chances stored; {said}"
        ),
    )


def run() -> list[Result]:
    return [rank_with_forecasts()]


def big_config() -> Path:
    named = os.environ.get("CHARTBOT_BIG_CONFIG")
    config = Path(named) if named else DATA / "ours" / "config.toml"
    database = config.parent / "chartbot.db"
    if not config.is_file() or not database.is_file():
        raise MissingData(f"no 26-million-row store at {database}: `python -m bench big` builds it")
    return config


def refresh_on_big_store() -> list[Result]:
    config = big_config()
    command = [sys.executable, "-m", "bot", "forecast", "--store", "--source", "spotify"]
    # The memory the same process holds before it reads anything (Python, the CLI,
    # scikit-learn): the "extra memory" is the refresh's own, above it.
    _, before, _, _ = measured(
        [sys.executable, "-c", "import bot.cli, sklearn.ensemble, sklearn.isotonic"]
    )
    # The first run scores each chart's rolling backtest afresh: a score stored by an
    # earlier run is recent, and would be reused.
    with sqlite3.connect(config.parent / "chartbot.db") as db:
        db.execute("DELETE FROM forecast_charts")
    results = []
    for what in ("scoring its rolling backtest", "its score reused"):
        seconds, peak, code, errors = measured([*command, "-c", str(config)])
        if code != 0:
            raise RuntimeError(f"forecast --store failed ({code}): {errors[-500:]}")
        results.append(
            Result(
                name=f"forecast after a poll, 26-million-row Spotify store ({what})",
                figure=seconds,
                unit="s",
                bound=None,
                bound_what="",
                ratio=None,
                target="≤ 120 s and ≤ 300 MB extra memory, in a process of its own",
                met=seconds <= 120 and peak - before <= 300,
                notes=(
                    f"peak RSS {peak:.0f} MB (the whole process), {peak - before:.0f} MB "
                    f"above the {before:.0f} MB it holds once its modules are imported"
                ),
            )
        )
    return results
