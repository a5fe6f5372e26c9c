"""Polls killed with SIGKILL, and polls racing each other, on one SQLite file:
every alert comes out once, none lost, none twice."""

from __future__ import annotations

import json
import random
import signal
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from bot.alerts.notices import notice_text
from bot.delivery.messages import alert_line
from bot.engine.deliveries import DeliveryStatus, Destination, PendingDelivery
from bot.faults import ENV
from bot.i18n import Language, texts
from bot.store.store import Store
from tests.helpers.bot_process import BotProcess
from tests.helpers.chart_server import ChartServer
from tests.helpers.cli import poll_json, spawn_cli
from tests.helpers.configs import write_config
from tests.helpers.discord_helpers import all_delivered, answer, publish_week_2, set_alert_channel
from tests.helpers.fake_discord import ADMIN_ID, MEMBER_ID, FakeDiscord
from tests.helpers.netflix import EXPECTED, WEEK_1, WEEK_2
from tests.helpers.oracle import as_tuples
from tests.helpers.shared_data import needs_shared_data
from tests.helpers.waiting import wait_until

EN = texts(Language.EN)


def alerts_of(stdout: str) -> list[tuple]:
    found = [json.loads(line) for line in stdout.splitlines()]
    return [next(iter(as_tuples([a]))) for a in found]


def finish(process, timeout: float = 60) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


@needs_shared_data
@pytest.mark.parametrize("point", ["before_commit", "in_commit", "after_commit"])
def test_a_poll_killed_at_any_step_loses_and_repeats_nothing(
    point, polled_week_1: Path, chart_server: ChartServer
):
    chart_server.serve("top10.tsv", WEEK_2)
    code, first, _ = finish(spawn_cli("poll", "--json", "-c", polled_week_1, env={ENV: point}))
    assert code == -signal.SIGKILL
    code, second, err = finish(spawn_cli("poll", "--json", "-c", polled_week_1))
    assert code == 0, err
    printed = alerts_of(first) + alerts_of(second)
    assert len(printed) == len(set(printed)) == len(EXPECTED)
    assert set(printed) == EXPECTED


@needs_shared_data
def test_a_poll_killed_while_fetching_loses_nothing(polled_week_1: Path, chart_server):
    chart_server.serve("top10.tsv", WEEK_2, behaviour="slow")
    before = len(chart_server.hits("top10.tsv"))
    process = spawn_cli("poll", "--json", "-c", polled_week_1)
    wait_until(lambda: len(chart_server.hits("top10.tsv")) > before)
    process.kill()
    code, first, _ = finish(process)
    assert code == -signal.SIGKILL
    chart_server.serve("top10.tsv", WEEK_2)
    code, second, err = finish(spawn_cli("poll", "--json", "-c", polled_week_1))
    assert code == 0, err
    assert first == ""
    assert sorted(alerts_of(second)) == sorted(EXPECTED)


@needs_shared_data
@pytest.mark.parametrize("round_", range(3))
def test_two_polls_at_once_print_each_alert_once(round_, polled_week_1: Path, chart_server):
    chart_server.serve("top10.tsv", WEEK_2)
    racers = [spawn_cli("poll", "--json", "-c", polled_week_1) for _ in range(2)]
    results = [finish(p) for p in racers]
    assert [code for code, _, _ in results] == [0, 0], [err for _, _, err in results]
    printed = [a for _, out, _ in results for a in alerts_of(out)]
    assert len(printed) == len(set(printed))
    assert set(printed) == EXPECTED


KILL_ROUNDS = 12


@needs_shared_data
def test_polls_killed_at_random_moments_lose_and_repeat_nothing(tmp_path, chart_server):
    """Kill `poll` at random moments, again and again, each followed by a clean poll."""
    rng = random.Random(20260125)
    killed = 0
    for round_ in range(KILL_ROUNDS):
        folder = tmp_path / f"round-{round_}"
        folder.mkdir()
        config = write_config(folder, chart_server.serve("top10.tsv", WEEK_1))
        assert poll_json(config)[0] == 0
        chart_server.serve("top10.tsv", WEEK_2)
        victim = spawn_cli("poll", "--json", "-c", config)
        try:
            victim.wait(timeout=rng.uniform(0.2, 1.6))  # the moment to strike
        except subprocess.TimeoutExpired:
            victim.kill()
        code, first, _ = finish(victim)
        killed += code == -signal.SIGKILL
        code, second, err = finish(spawn_cli("poll", "--json", "-c", config))
        assert code == 0, err
        printed = alerts_of(first) + alerts_of(second)
        assert len(printed) == len(set(printed)), f"round {round_}: an alert came twice"
        assert set(printed) == EXPECTED, f"round {round_}: an alert was lost"
    print(f"\n{KILL_ROUNDS} polls, {killed} killed mid-way")
    assert killed >= KILL_ROUNDS // 3  # the strikes did land mid-poll


def expected_lines(config: Path) -> Counter:
    """(destination, alert line) for every delivery the outbox holds for Discord."""
    store = Store.open(config.parent / "chartbot.db")
    try:
        rows = store.outbox.pending(
            exclude=Destination.terminal(),
            statuses=(DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.SENT),
            limit=100_000,
        )
    finally:
        store.close()
    return Counter(
        (
            _target(row.destination),
            alert_line(row.event, EN) if row.event else notice_text(row.notice, EN),
        )
        for row in rows
    )


def received_lines(fake: FakeDiscord) -> Counter:
    found: Counter = Counter()
    for message in fake.messages:
        if message["interaction_token"] or not message["embeds"]:
            continue  # answers to commands, and the alert channel's confirmation
        for embed in message["embeds"]:
            for line in embed["description"].split("\n"):
                found[(message["channel_id"], line)] += 1
    return found


def _text(row: PendingDelivery) -> str:
    if row.event is not None:
        return alert_line(row.event, EN)
    assert row.notice is not None
    return notice_text(row.notice, EN)


def _target(destination: Destination) -> str:
    """The channel a message to this destination lands in (a DM: the member)."""
    return str(destination.channel_id or destination.user_id)


def prepare_alerts(fake: FakeDiscord, config: Path) -> None:
    """An alert channel and three subscriptions (two titles for one member), then week 2."""
    set_alert_channel(fake)
    for user_id, title in (
        (MEMBER_ID, "Stay Close"),
        (MEMBER_ID, "Cobra Kai"),
        (ADMIN_ID, "Cheer"),
    ):
        answer(
            fake,
            fake.interact(
                "subscribe",
                [
                    {"name": "title", "type": 3, "value": title},
                    {"name": "country", "type": 3, "value": "US"},
                ],
                user_id=user_id,
            ),
        )
    publish_week_2(config)


def as_dm_channels(fake: FakeDiscord, expected: Counter) -> Counter:
    """Expected lines keyed by the channel they land in (a DM's channel, not its user)."""
    mapped: Counter = Counter()
    for (target, line), count in expected.items():
        channel = fake.dm_channels.get(int(target), int(target))
        mapped[(str(channel), line)] += count
    return mapped


DELIVERY_KILL_POINTS = ["after_claim:1", "before_send:2", "after_send:1", "after_send:3"]


@pytest.mark.parametrize("point", DELIVERY_KILL_POINTS)
def test_a_delivery_killed_at_each_step_loses_and_repeats_nothing(config, fake, point):
    victim = BotProcess(config, env={ENV: point}).start().wait_ready()
    prepare_alerts(fake, config)
    assert victim.wait_exit() == -signal.SIGKILL
    survivor = BotProcess(config).start().wait_ready()
    try:
        wait_until(lambda: all_delivered(config), 30, "delivery after the restart")
    finally:
        survivor.stop()
    assert received_lines(fake) == as_dm_channels(fake, expected_lines(config))


def test_a_bot_killed_again_and_again_mid_delivery(config, fake):
    victim = BotProcess(config, env={ENV: "after_send:1"}).start().wait_ready()
    prepare_alerts(fake, config)
    kills = int(victim.wait_exit() == -signal.SIGKILL)
    for _ in range(3):  # each restart gets one message out, and dies before recording it
        again = BotProcess(config, env={ENV: "after_send:1"}).start()
        if again.wait_exit() == -signal.SIGKILL:
            kills += 1
    survivor = BotProcess(config).start().wait_ready()
    try:
        wait_until(lambda: all_delivered(config), 30, "delivery after the restarts")
    finally:
        survivor.stop()
    print(f"\n{kills} kills in a row, then a clean start")
    assert kills == 4
    assert received_lines(fake) == as_dm_channels(fake, expected_lines(config))
