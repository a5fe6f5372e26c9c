"""Forecasts kept in the store, as the bot keeps them after a poll (`chartbot forecast
--store` runs the same refresh): on the real US daily top 10, cut on 2021-11-06, the
model gives Love Hard (#2 that day) a 53% chance of #1 within 3 days. With `alert_at`
at 0.45, that is an on-course call: to the server that opted in and its subscriber, not
to the one that did not; never twice; scored once the days after it are stored (Love
Hard was #1 on 2021-11-07)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.engine.routing import Via
from bot.service.settings import ServerDefaults, SettingsChange, change_settings, set_channel
from bot.store.store import Store
from tests.forecast.test_backtest_cli import cut
from tests.helpers.cli import run_cli
from tests.helpers.configs import US_DAILY, write_text_config
from tests.helpers.shared_data import needs_shared_data, shared

NOW = datetime(2021, 11, 7, 12, tzinfo=UTC)
OPTED_IN, NOT_OPTED_IN = 1, 2
FORECASTS = """
[forecast]
alert_at = 0.45
"""


def store_of(config: Path) -> Store:
    return Store.open(config.parent / "chartbot.db")


def deliveries(config: Path) -> list[tuple[str, str]]:
    with store_of(config) as store:
        return store.db.execute(
            """SELECT d.destination, e.kind FROM deliveries d JOIN events e ON e.id = d.event_id
               WHERE e.kind = 'on_course' ORDER BY d.destination"""
        ).fetchall()


def servers(config: Path) -> None:
    """One server opted in to forecasts, one not; a member of each follows Love Hard."""
    defaults = ServerDefaults(10, ("US",), True, False)
    with store_of(config) as store:
        for guild, channel in ((OPTED_IN, 10), (NOT_OPTED_IN, 20)):
            set_channel(store, guild, channel, by=1, now=NOW)
            member = 100 + guild
            title = store.titles.by_key("Love Hard")
            assert title is not None
            store.guilds.add_subscription(
                user_id=member, title=title.id, guild_id=guild, via=Via.DM, now=NOW
            )
        change_settings(store, OPTED_IN, SettingsChange(forecasts=True), defaults, by=1, now=NOW)


@pytest.fixture
def history() -> Path:
    found = shared("history", "netflix-us-daily-top-10-2020-04-01--2021-12-31.csv")
    if not found.is_file():
        pytest.skip("../shared/data is absent")
    return found


@needs_shared_data
def test_an_on_course_call_is_sent_once_where_asked_then_scored(history, tmp_path):
    first = cut(history, tmp_path / "first", "2021-11-06")
    config = write_text_config(tmp_path, US_DAILY.format(url=first) + FORECASTS)
    assert run_cli("import", "--source", "usdaily", "-c", config).exit_code == 0
    servers(config)

    ran = run_cli("forecast", "--store", "--source", "usdaily", "-c", config)
    assert ran.exit_code == 0, ran.stderr
    assert "10 chances after 2021-11-06, shown for Top 10 US" in ran.stdout
    assert "on course: Top 10 US US: Love Hard 53%" in ran.stdout
    # The server that opted in and its member; nothing to the other server or its member.
    assert deliveries(config) == [("channel:10", "on_course"), ("dm:101", "on_course")]

    # /rank (here `chartbot rank`) shows the chances where the chart's backtest has skill.
    ranked = run_cli("rank", "Love Hard", "-c", config)
    assert "#1 tomorrow: 40% · within 3 days: 53%" in ranked.stdout
    japanese = run_cli("rank", "Love Hard", "--lang", "ja", "-c", config)
    assert "明日1位：40% · 3日以内：53%" in japanese.stdout

    # Forecast again with nothing new: the call is carried, not made again.
    again = run_cli("forecast", "--store", "--source", "usdaily", "-c", config)
    assert "0 on-course calls" in again.stdout
    assert len(deliveries(config)) == 2

    # Three more days stored (Love Hard took #1 on the 7th): the call is scored.
    later = cut(history, tmp_path / "later", "2021-11-10")
    first.write_bytes(later.read_bytes())
    assert run_cli("import", "--source", "usdaily", "-c", config).exit_code == 0
    scored = run_cli("forecast", "--store", "--source", "usdaily", "-c", config)
    assert "1 resolved" in scored.stdout, scored.stdout
    status = json.loads(run_cli("status", "--json", "-c", config).stdout)
    record = status["on_course_calls"]
    # The model's chance for Love Hard on 2021-11-06, as the call gave it.
    assert record == {
        "calls": 1,
        "resolved": 1,
        "came_true": 1,
        "expected": pytest.approx(0.526, abs=0.001),
    }
    said = run_cli("status", "-c", config).stdout
    assert "on-course calls: 1, came true: 1, expected from their probabilities: 0.5" in said


@needs_shared_data
def test_a_chart_whose_backtest_has_no_skill_shows_no_chance_and_calls_nothing(history, tmp_path):
    # Learning from only the last 120 days, the model does not beat the current rank
    # within 3 days over the 60 days before 2021-11-07 (−0.007): no chance is shown.
    first = cut(history, tmp_path / "first", "2021-11-07")
    short = FORECASTS + "window = 120\n"
    config = write_text_config(tmp_path, US_DAILY.format(url=first) + short)
    assert run_cli("import", "--source", "usdaily", "-c", config).exit_code == 0
    ran = run_cli("forecast", "--store", "--source", "usdaily", "-c", config)
    assert "Top 10 US hidden: no skill over the current-rank baseline" in ran.stdout
    assert "0 on-course calls" in ran.stdout
    assert "within 3 days" not in run_cli("rank", "Love Hard", "-c", config).stdout
