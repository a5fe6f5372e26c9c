"""Forecasts in the running bot (real discord.py against the fake Discord): a poll that
stores a new day starts a forecast in a process of its own; the server that turned
forecasts on gets the on-course alert, `/rank` shows the chances, and `/status` keeps
the record once the call's days are stored. Real data: the US daily top 10, cut on
2021-11-05, then 2021-11-06 (Love Hard #2, 53% within 3 days), then 2021-11-10 (it
took #1 on the 7th)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.forecast.test_backing import as_before_the_tallies
from tests.forecast.test_backtest_cli import cut
from tests.helpers.bot_process import BotProcess
from tests.helpers.cli import run_cli
from tests.helpers.configs import US_DAILY, write_text_config
from tests.helpers.discord_helpers import admin_command, all_delivered, answer, set_alert_channel
from tests.helpers.fake_discord import CHANNEL_ID, FakeDiscord
from tests.helpers.shared_data import needs_shared_data, shared
from tests.helpers.waiting import wait_until

HISTORY = ("history", "netflix-us-daily-top-10-2020-04-01--2021-12-31.csv")


def bot_config(folder: Path, url: Path, fake: FakeDiscord) -> Path:
    return write_text_config(
        folder,
        US_DAILY.format(url=url)
        + 'every = "1s"\n'
        + "\n[forecast]\nalert_at = 0.45\n"
        + f'\n[discord]\napi_base = "{fake.api_base}"\ngateway_url = "{fake.gateway_url}"\n'
        + 'guild_ready_timeout = "50ms"\noutbox_check = "200ms"\n',
    )


def said_in_channel(fake: FakeDiscord) -> str:
    return "\n".join(
        e.get("description") or "" for m in fake.messages_to(CHANNEL_ID) for e in m["embeds"]
    )


@needs_shared_data
def test_a_poll_brings_an_on_course_alert_chances_in_rank_and_a_record_in_status(tmp_path, fake):
    history = shared(*HISTORY)
    url = cut(history, tmp_path / "file", "2021-11-05")
    config = bot_config(tmp_path, url, fake)
    assert run_cli("import", "--source", "usdaily", "-c", config).exit_code == 0
    process = BotProcess(config).start().wait_ready()
    try:
        set_alert_channel(fake)
        turned = admin_command(fake, "settings", {"name": "forecasts", "type": 5, "value": True})
        assert "“On course for #1” forecasts: on" in answer(fake, turned)[0]["data"]["content"]

        url.write_bytes(cut(history, tmp_path / "day", "2021-11-06").read_bytes())
        process.wait_for_log("forecast usdaily: 10 chances after 2021-11-06", timeout=120)
        wait_until(lambda: "on course" in said_in_channel(fake) and all_delivered(config), 20)
        alert = "**Love Hard** is on course for #1 in United States (53% within 3 days)"
        assert alert in said_in_channel(fake)

        rank = fake.interact("rank", [{"name": "title", "type": 3, "value": "Love Hard"}])
        [reply] = answer(fake, rank)
        fields = [f["value"] for e in reply["data"]["embeds"] for f in e.get("fields", [])]
        assert any("#1 tomorrow: 40% · within 3 days: 53%" in value for value in fields), fields
        # and how chances like them fared in the chart's backtest of its last 60 days; the
        # alert said the same of its chance within 3 days
        [backed] = [v for v in fields if "chances like these came true" in v]
        found = re.search(
            r"came true: \d+% of \d+ · (\d+% of \d+) \(backtest, last 60 days\)", backed
        )
        assert found is not None, backed
        tail = f" · chances like this came true: {found.group(1)} (backtest, last 60 days)"
        assert alert + tail in said_in_channel(fake)

        url.write_bytes(cut(history, tmp_path / "days", "2021-11-10").read_bytes())
        process.wait_for_log("1 resolved", timeout=120)
        [status] = answer(fake, fake.interact("status"))
        record = [f for f in status["data"]["embeds"][0]["fields"] if f["name"] == "Forecasts"]
        assert record[0]["value"] == (
            "on-course calls: 1, came true: 1, expected from their probabilities: 0.5"
        )
    finally:
        process.stop()


@needs_shared_data
def test_a_bot_started_on_a_store_scored_before_the_tallies_scores_it_again(tmp_path, fake):
    url = cut(shared(*HISTORY), tmp_path / "file", "2021-11-06")
    config = bot_config(tmp_path, url, fake)
    assert run_cli("import", "--source", "usdaily", "-c", config).exit_code == 0
    assert run_cli("forecast", "--store", "--source", "usdaily", "-c", config).exit_code == 0
    as_before_the_tallies(config)
    process = BotProcess(config).start().wait_ready()
    try:
        # Nothing new to poll: the forecast comes from the start, and the chances are back.
        process.wait_for_log("scoring its charts again after the upgrade", timeout=30)
        process.wait_for_log("forecast usdaily: 10 chances after 2021-11-06", timeout=120)
        rank = fake.interact("rank", [{"name": "title", "type": 3, "value": "Love Hard"}])
        fields = [f["value"] for e in answer(fake, rank)[0]["data"]["embeds"] for f in e["fields"]]
        assert any("chances like these came true" in value for value in fields), fields
    finally:
        process.stop()
