"""The bot's polls run in a process of their own: the real child process, a real file
source, a real SQLite file; what it stored and how it went come back."""

from __future__ import annotations

import asyncio

from bot.pipeline.outcome import PollStatus
from bot.service.worker import outcome_from_json, outcome_to_json, poll_in_process
from bot.store.store import Store
from tests.conftest import NETFLIX_WEEK_1, NETFLIX_WEEK_2, write_config


def test_a_poll_in_its_own_process_stores_and_reports(tmp_path):
    config = write_config(tmp_path, str(NETFLIX_WEEK_1))
    first = asyncio.run(poll_in_process(config, "netflix", timeout=120))
    assert first.status is PollStatus.BASELINE, first.summary
    assert first.rows > 0

    config.write_text(config.read_text().replace(str(NETFLIX_WEEK_1), str(NETFLIX_WEEK_2)))
    second = asyncio.run(poll_in_process(config, "netflix", timeout=120))
    assert second.status is PollStatus.NEW, second.summary
    assert second.events > 0 and second.deliveries == 0  # no servers yet: nothing to route
    assert {period for _, period in second.new_periods} == {"2022-01-16"}
    store = Store.open(tmp_path / "chartbot.db")
    try:
        assert max(store.charts.latest_periods("netflix").values()) == "2022-01-16"
    finally:
        store.close()
    assert outcome_from_json(outcome_to_json(second)) == second


def test_a_source_gone_from_the_config_is_a_failed_poll_that_says_so(tmp_path):
    config = write_config(tmp_path, str(NETFLIX_WEEK_1))
    outcome = asyncio.run(poll_in_process(config, "renamed", timeout=120))
    assert outcome.failed
    assert "no source named 'renamed'" in outcome.summary


def test_a_poll_process_that_dies_is_a_failed_poll_with_its_last_words(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("[database\n")  # the config broke after the bot started
    outcome = asyncio.run(poll_in_process(config, "netflix", timeout=120))
    assert outcome.failed
    assert "the poll process ended (1)" in outcome.summary
    assert "invalid TOML" in outcome.summary
