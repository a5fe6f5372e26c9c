"""Polls killed with SIGKILL, and polls racing each other, on one SQLite file:
every alert comes out once, none lost, none twice."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from bot.faults import ENV
from tests.chart_server import ChartServer
from tests.conftest import EXPECTED, WEEK_2, spawn_cli
from tests.oracle import as_tuples
from tests.waiting import wait_until


def alerts_of(stdout: str) -> list[tuple]:
    found = [json.loads(line) for line in stdout.splitlines()]
    return [next(iter(as_tuples([a]))) for a in found]


def finish(process, timeout: float = 60) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


@pytest.mark.parametrize("point", ["before_commit", "in_commit", "after_commit"])
def test_a_poll_killed_at_any_step_loses_and_repeats_nothing(
    point, polled_week_1: Path, chart_server: ChartServer
):
    chart_server.serve("top10.tsv", WEEK_2)
    code, first, _ = finish(
        spawn_cli("poll", "--once", "--json", "-c", polled_week_1, env={ENV: point})
    )
    assert code == -signal.SIGKILL
    code, second, err = finish(spawn_cli("poll", "--once", "--json", "-c", polled_week_1))
    assert code == 0, err
    printed = alerts_of(first) + alerts_of(second)
    assert len(printed) == len(set(printed)) == len(EXPECTED)
    assert set(printed) == EXPECTED


def test_a_poll_killed_while_fetching_loses_nothing(polled_week_1: Path, chart_server):
    chart_server.serve("top10.tsv", WEEK_2, behaviour="slow")
    before = len(chart_server.hits("top10.tsv"))
    process = spawn_cli("poll", "--once", "--json", "-c", polled_week_1)
    wait_until(lambda: len(chart_server.hits("top10.tsv")) > before)
    process.kill()
    code, first, _ = finish(process)
    assert code == -signal.SIGKILL
    chart_server.serve("top10.tsv", WEEK_2)
    code, second, err = finish(spawn_cli("poll", "--once", "--json", "-c", polled_week_1))
    assert code == 0, err
    assert first == ""
    assert sorted(alerts_of(second)) == sorted(EXPECTED)


@pytest.mark.parametrize("round_", range(3))
def test_two_polls_at_once_print_each_alert_once(round_, polled_week_1: Path, chart_server):
    chart_server.serve("top10.tsv", WEEK_2)
    racers = [spawn_cli("poll", "--once", "--json", "-c", polled_week_1) for _ in range(2)]
    results = [finish(p) for p in racers]
    assert [code for code, _, _ in results] == [0, 0], [err for _, _, err in results]
    printed = [a for _, out, _ in results for a in alerts_of(out)]
    assert len(printed) == len(set(printed))
    assert set(printed) == EXPECTED
