"""The bot's polls run in a process of its own: the real child process, a real file
source, a real SQLite file; what it stored and how it went come back, and a child that
dies or hangs is the source's failure."""

from __future__ import annotations

import asyncio
import subprocess

import pytest

from bot import children
from bot.config import TOKEN_ENV, load_config
from bot.engine.source_types import SourceHealth
from bot.faults import ENV
from bot.pipeline.outcome import PollStatus
from bot.service.polling import configured_sources
from bot.service.worker import (
    Lost,
    outcome_from_json,
    outcome_to_json,
    poll_in_process,
    scheduled_poll,
)
from bot.store.store import Store
from bot.store.thread import StoreThread
from tests.helpers.configs import write_config
from tests.helpers.netflix import NETFLIX_WEEK_1, NETFLIX_WEEK_2
from tests.helpers.shared_data import needs_shared_data


@needs_shared_data
def test_a_poll_in_its_own_process_stores_and_reports(tmp_path):
    path = write_config(tmp_path, str(NETFLIX_WEEK_1))
    first = asyncio.run(poll_in_process(load_config(path), "netflix", timeout=120))
    assert not isinstance(first, Lost) and first.status is PollStatus.BASELINE, first
    assert first.rows > 0

    path.write_text(path.read_text().replace(str(NETFLIX_WEEK_1), str(NETFLIX_WEEK_2)))
    second = asyncio.run(poll_in_process(load_config(path), "netflix", timeout=120))
    assert not isinstance(second, Lost) and second.status is PollStatus.NEW, second
    assert second.events > 0 and second.deliveries == 0  # no servers yet: nothing to route
    assert {period for _, period in second.new_periods} == {"2022-01-16"}
    with Store.open(tmp_path / "chartbot.db") as store:
        assert max(store.charts.latest_periods("netflix").values()) == "2022-01-16"
    assert outcome_from_json(outcome_to_json(second)) == second


@needs_shared_data
def test_the_child_polls_with_the_bots_config_not_the_file_as_edited_since(tmp_path):
    path = write_config(tmp_path, str(NETFLIX_WEEK_1))
    config = load_config(path)  # as the bot read it when it started
    text = path.read_text().replace('path = "chartbot.db"', 'path = "elsewhere.db"')
    path.write_text(text.replace("[sources", "[broken\n[sources", 1))  # and then broken
    outcome = asyncio.run(poll_in_process(config, "netflix", timeout=120))
    assert not isinstance(outcome, Lost) and outcome.status is PollStatus.BASELINE, outcome
    assert (tmp_path / "chartbot.db").exists() and not (tmp_path / "elsewhere.db").exists()


def poll_scheduled(config) -> tuple:
    [source] = configured_sources(config)

    async def run():
        db = await StoreThread(config.database_path).open()
        try:
            outcome = await scheduled_poll(config, source, db)
            return outcome, await db.call(lambda store: store.sources.state("netflix"))
        finally:
            await db.close()

    return asyncio.run(run())


@needs_shared_data
def test_a_poll_process_that_dies_is_the_sources_failure(tmp_path, monkeypatch):
    config = load_config(write_config(tmp_path, str(NETFLIX_WEEK_1)))
    monkeypatch.setenv(ENV, "before_commit")  # the child kills itself (SIGKILL) there
    outcome, state = poll_scheduled(config)
    assert outcome.failed and "the poll process ended (-9)" in outcome.summary
    assert (state.status, state.failures) == (SourceHealth.FAILING, 1)
    assert "the poll process ended (-9)" in state.last_error
    monkeypatch.delenv(ENV)
    outcome, state = poll_scheduled(config)  # the next one works: counted as recovered
    assert outcome.status is PollStatus.BASELINE and state.status is SourceHealth.OK


@needs_shared_data
def test_a_poll_process_that_hangs_is_stopped_and_counted(tmp_path, monkeypatch):
    config = load_config(write_config(tmp_path, str(NETFLIX_WEEK_1)))
    monkeypatch.setattr("bot.service.worker.poll_timeout", lambda source: 0.05)
    outcome, state = poll_scheduled(config)
    assert outcome.failed and "took longer than 0s and was stopped" in outcome.summary
    assert (state.status, state.failures) == (SourceHealth.FAILING, 1)


@needs_shared_data
def test_a_source_gone_from_the_config_is_a_failed_poll_that_says_so(tmp_path):
    config = load_config(write_config(tmp_path, str(NETFLIX_WEEK_1)))
    outcome = asyncio.run(poll_in_process(config, "renamed", timeout=120))
    assert not isinstance(outcome, Lost) and outcome.failed
    assert "no source named 'renamed'" in outcome.summary


@pytest.mark.parametrize("shadow", ["json.py", "bot.py", "pickle.py"])
def test_a_child_ignores_the_working_folder_and_never_sees_the_token(tmp_path, shadow):
    (tmp_path / shadow).write_text("raise SystemExit('the working folder was imported')\n")
    probe = f"import os, json, pickle, bot; print(os.environ.get({TOKEN_ENV!r}))"
    ran = subprocess.run(
        children.command("-c", probe),
        cwd=tmp_path,
        env={**children.environment(), "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert (ran.returncode, ran.stdout.strip()) == (0, "None"), ran.stderr


def test_the_token_is_not_in_a_childs_environment_or_config(tmp_path, monkeypatch):
    monkeypatch.setenv(TOKEN_ENV, "secret-token")
    assert TOKEN_ENV not in children.environment()
    text = write_config(tmp_path, "x.tsv").read_text() + '[discord]\ntoken = "secret-token"\n'
    (tmp_path / "config.toml").write_text(text)
    config = load_config(tmp_path / "config.toml")
    assert config.discord.token == "secret-token"
    assert children.without_secrets(config).discord.token is None
