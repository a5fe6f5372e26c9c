"""Source health: ok -> failing (backoff) -> paused, and the admins told once each way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.alerts.notices import notice_text
from bot.clock import utcnow
from bot.engine.health import HealthPolicy, after_failure, retry_in
from bot.engine.notices import notice_from_json
from bot.i18n import Language, texts
from bot.store.store import Store
from tests.helpers.bot_process import BotProcess, write_bot_config
from tests.helpers.chart_server import ChartServer
from tests.helpers.cli import poll_json, run_cli
from tests.helpers.configs import write_config
from tests.helpers.discord_helpers import all_delivered, answer, set_alert_channel
from tests.helpers.fake_discord import CHANNEL_ID, FakeDiscord
from tests.helpers.netflix import WEEK_1, WEEK_2
from tests.helpers.shared_data import needs_shared_data
from tests.helpers.waiting import wait_until

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("failures", "since", "notified", "status", "notify"),
    [
        (1, timedelta(0), False, "failing", False),
        (2, timedelta(minutes=30), False, "failing", False),
        (3, timedelta(hours=1), False, "failing", True),  # failing for long: tell once
        (4, timedelta(hours=2), True, "failing", False),  # ... and not again
        (20, timedelta(hours=5), True, "disabled", False),
        (20, timedelta(minutes=5), False, "disabled", True),  # paused: worth saying at once
    ],
)
def test_after_a_failure(failures, since, notified, status, notify):
    decided = after_failure(
        HealthPolicy(), failures=failures, failing_since=T0, notified=notified, now=T0 + since
    )
    assert (decided.status, decided.notify) == (status, notify)


def test_retries_back_off_up_to_the_interval():
    policy = HealthPolicy(retry_first=timedelta(minutes=1))
    every = timedelta(hours=6)
    waits = [retry_in(policy, n, every).total_seconds() for n in range(1, 12)]
    assert 50 < waits[0] < 70 and 100 < waits[1] < 140  # 1 min, then 2 min, with jitter
    assert all(w <= every.total_seconds() * 1.15 for w in waits)
    assert waits[-1] > 0.8 * every.total_seconds()  # capped at the interval


def health_config(folder: Path, url: str, **health: str) -> Path:
    config = write_config(folder, url)
    settings = "\n".join(f"{k} = {v}" for k, v in health.items())
    config.write_text(config.read_text() + f"\n[health]\n{settings}\n")
    return config


def notices(config: Path) -> list[str]:
    store = Store.open(config.parent / "chartbot.db")
    try:
        return [
            notice_text(notice_from_json(row[0]), texts(Language.EN))
            for row in store.db.execute(
                "SELECT notice FROM deliveries WHERE notice IS NOT NULL ORDER BY id"
            )
        ]
    finally:
        store.close()


def give_a_guild_an_alert_channel(config: Path) -> None:
    store = Store.open(config.parent / "chartbot.db")
    try:
        store.guilds.set_alerts(1, by=None, now=utcnow(), channel_id=CHANNEL_ID)
    finally:
        store.close()


@needs_shared_data
def test_one_notice_when_failing_and_one_when_recovered(tmp_path, chart_server: ChartServer):
    config = health_config(
        tmp_path, chart_server.serve("top10.tsv", WEEK_1), notify_after='"0s"', disable_after="0"
    )
    assert poll_json(config)[0] == 0
    give_a_guild_an_alert_channel(config)
    chart_server.serve("top10.tsv", "", status=503)
    for _ in range(4):
        assert poll_json(config)[0] == 1
    [failing] = notices(config)
    assert "Chart source **netflix** has been failing since" in failing
    assert "HTTP 503" in failing
    chart_server.serve("top10.tsv", WEEK_2)
    assert poll_json(config)[0] == 0
    chart_server.serve("top10.tsv", "", status=503)
    assert notices(config) == [failing, "✅ Chart source **netflix** works again."]


@needs_shared_data
def test_a_source_failing_again_and_again_is_paused(tmp_path, chart_server: ChartServer):
    config = health_config(
        tmp_path, chart_server.serve("top10.tsv", "", status=500), disable_after="3"
    )
    outcomes = [poll_json(config) for _ in range(3)]
    assert [code for code, _, _ in outcomes] == [1, 1, 1]
    assert "paused after too many failures" in outcomes[-1][2]
    status = run_cli("status", "-c", config)
    assert "disabled (3 failures since" in status.stdout
    # A poll by hand tries it again; a success brings it back.
    chart_server.serve("top10.tsv", WEEK_1)
    assert poll_json(config)[0] == 0
    assert "ok" in run_cli("status", "-c", config).stdout


@needs_shared_data
def test_the_bot_retries_sooner_then_pauses_and_says_so_once(
    tmp_path, fake: FakeDiscord, chart_server
):
    url = chart_server.serve("top10.tsv", WEEK_1)
    config = write_bot_config(tmp_path, fake, url)
    config.write_text(
        config.read_text()
        + '\n[health]\nnotify_after = "1h"\nretry_first = "1s"\ndisable_after = 3\n'
    )
    assert run_cli("poll", "-c", config).exit_code == 0
    chart_server.serve("top10.tsv", "", status=500)
    assert run_cli("poll", "-c", config).exit_code == 1  # failing: 1 of 3
    # Failing for less than notify_after: the admins hear of it once, when it is paused.
    bot = BotProcess(config).start().wait_ready()
    try:
        set_alert_channel(fake)
        # Its interval is an hour, yet the failures come seconds apart: retries back off from 1 s.
        bot.wait_for_log("paused after too many failures", timeout=30)
        assert bot.output().count("poll netflix: HTTP 500") == 2
        wait_until(lambda: len(fake.messages_to(CHANNEL_ID)) == 2 and all_delivered(config), 20)
        notice = fake.messages_to(CHANNEL_ID)[1]["embeds"][0]["description"]
        assert "has been failing since" in notice and "paused until it is polled by hand" in notice
        [status] = answer(fake, fake.interact("status"))
        assert "health: 🔴 disabled" in status["data"]["embeds"][0]["fields"][0]["value"]
        # Recovery, by hand: the bot delivers the one "works again".
        chart_server.serve("top10.tsv", WEEK_2)
        assert run_cli("poll", "-c", config).exit_code == 0
        wait_until(lambda: len(fake.messages_to(CHANNEL_ID)) >= 3 and all_delivered(config), 20)
        texts = [e["description"] for m in fake.messages_to(CHANNEL_ID)[2:] for e in m["embeds"]]
        assert sum("works again" in t for t in texts) == 1
        assert bot.output().count("poll netflix: HTTP 500") == 2  # paused: no more polls
        # The bot sees it works again and polls it on its schedule from then on.
        bot.wait_for_log("source netflix works again: polled on its schedule")
        wait_until(lambda: "next poll" in run_cli("status", "-c", config).stdout, 10)
    finally:
        bot.stop()
