"""The fixtures the tests share: loopback servers, fresh stores, configs with a baseline
polled, and bots running against the fake Discord. Helpers live in tests/helpers/."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.store.store import Store
from tests.helpers.bot_process import BotProcess, write_bot_config
from tests.helpers.chart_server import ChartServer
from tests.helpers.cli import poll_json, run_cli
from tests.helpers.configs import write_config
from tests.helpers.fake_discord import FakeDiscord
from tests.helpers.netflix import WEEK_1
from tests.helpers.shared_data import ABSENT


def needs_netflix() -> None:
    """Skip a test whose fixture reads Netflix's real files when they are not here."""
    if not WEEK_1:
        pytest.skip(ABSENT)


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


@pytest.fixture
def polled_week_1(tmp_path: Path, chart_server: ChartServer) -> Path:
    """A config whose database holds week 1 as its baseline; the server still serves week 1."""
    needs_netflix()
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
    """Week 1 polled as the baseline (by a `poll` of its own, like cron would)."""
    needs_netflix()
    (tmp_path / "top10.tsv").write_text(WEEK_1, encoding="utf-8")
    path = write_bot_config(tmp_path, fake, "top10.tsv")
    assert run_cli("poll", "-c", path).exit_code == 0
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
    needs_netflix()
    folder = tmp_path_factory.mktemp("shared")
    fake = FakeDiscord().start()
    try:
        (folder / "top10.tsv").write_text(WEEK_1, encoding="utf-8")
        path = write_bot_config(folder, fake, "top10.tsv")
        assert run_cli("poll", "-c", path).exit_code == 0
        process = BotProcess(path).start().wait_ready()
        try:
            yield SharedBot(fake, path, process)
        finally:
            process.stop()
    finally:
        fake.stop()
