from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.store.store import Store
from tests.bot_process import BotProcess, write_bot_config
from tests.chart_server import ChartServer
from tests.configs import write_config
from tests.fake_discord import FakeDiscord
from tests.oracle import expected_alerts

FIXTURES = Path(__file__).parent / "fixtures"
NETFLIX_WEEK_1 = FIXTURES / "netflix" / "all-weeks-countries-2022-01-12.tsv"  # up to 2022-01-09
NETFLIX_WEEK_2 = FIXTURES / "netflix" / "all-weeks-countries-2022-01-19.tsv"  # adds 2022-01-16
WEEK_1 = NETFLIX_WEEK_1.read_text(encoding="utf-8")
WEEK_2 = NETFLIX_WEEK_2.read_text(encoding="utf-8")
# What polling week 2 after week 1 must alert, with min_countries 3 and markets US, KR.
EXPECTED = expected_alerts(
    WEEK_2, "2022-01-16", "2022-01-09", min_countries=3, markets={"US", "KR"}
)


@pytest.fixture
def chart_server() -> Iterator[ChartServer]:
    server = ChartServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fresh_db(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(tmp_path / "test.db")
    try:
        yield store
    finally:
        store.close()


@dataclass
class Ran:
    exit_code: int
    stdout: str
    stderr: str


def run_cli(*args: str | Path) -> Ran:
    """The real CLI, in this process."""
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return Ran(result.exit_code, result.stdout, result.stderr)


def spawn_cli(*args: str | Path, env: dict[str, str] | None = None, **kw: Any) -> subprocess.Popen:
    """The real CLI, as its own process (for kill and concurrency tests)."""
    return subprocess.Popen(
        [sys.executable, "-m", "bot", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
        **kw,
    )


def poll_json(config: Path) -> tuple[int, list[dict], str]:
    ran = run_cli("poll", "--once", "--json", "-c", config)
    return ran.exit_code, [json.loads(line) for line in ran.stdout.splitlines()], ran.stderr


@pytest.fixture
def polled_week_1(tmp_path: Path, chart_server: ChartServer) -> Path:
    """A config whose database holds week 1 as its baseline; the server still serves week 1."""
    config = write_config(tmp_path, chart_server.serve("top10.tsv", WEEK_1))
    code, alerts, stderr = poll_json(config)
    assert (code, alerts) == (0, []), stderr
    return config


# -- the bot and the fake Discord --------------------------------------------------------


@pytest.fixture
def fake():
    server = FakeDiscord().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def config(tmp_path: Path, fake: FakeDiscord) -> Path:
    """Week 1 polled as the baseline (by a `poll --once` of its own, like cron would)."""
    (tmp_path / "top10.tsv").write_text(WEEK_1, encoding="utf-8")
    path = write_bot_config(tmp_path, fake, "top10.tsv")
    assert run_cli("poll", "--once", "-c", path).exit_code == 0
    return path


@pytest.fixture
def bot(config: Path):
    process = BotProcess(config).start().wait_ready()
    try:
        yield process
    finally:
        process.stop()


@dataclass
class SharedBot:
    """One bot for the tests of a module that only read (rank, autocomplete, refusals):
    week 1 polled, no alert channel. A test that changes anything takes its own `bot`."""

    fake: FakeDiscord
    config: Path
    process: BotProcess


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SharedBot]:
    folder = tmp_path_factory.mktemp("shared")
    fake = FakeDiscord().start()
    try:
        (folder / "top10.tsv").write_text(WEEK_1, encoding="utf-8")
        path = write_bot_config(folder, fake, "top10.tsv")
        assert run_cli("poll", "--once", "-c", path).exit_code == 0
        process = BotProcess(path).start().wait_ready()
        try:
            yield SharedBot(fake, path, process)
        finally:
            process.stop()
    finally:
        fake.stop()
