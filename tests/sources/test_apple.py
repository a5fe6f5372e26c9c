"""Apple Music feeds through the real CLI against a loopback chart server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.apple_feeds import COUNTRIES, DAY_1, DAY_2, UPDATED_1, UPDATED_2, feed
from tests.helpers.chart_server import ChartServer
from tests.helpers.cli import poll_json
from tests.helpers.configs import write_text_config

# -- Apple Music ---------------------------------------------------------------------------


def apple_config(folder: Path, server: ChartServer, extra: str = "") -> Path:
    template = server.url("api/v2/{country}/music/most-played/{limit}/songs.json")
    return write_text_config(
        folder,
        f"""
[alerts]
min_countries = 3
watched_markets = ["US", "KR"]

[[sources]]
name = "apple"
kind = "apple_rss"
countries = {json.dumps(COUNTRIES)}
limit = 10
url = "{template}"
timeout = "2s"
{extra}
""",
    )


def serve_day(server: ChartServer, day: dict, updated: str, **options) -> None:
    for country in COUNTRIES:
        server.serve(
            f"api/v2/{country}/music/most-played/10/songs.json",
            feed(country, day[country], updated),
            content_type="application/json",
            **options,
        )


def test_apple_number_one_count_works_for_songs(tmp_path, chart_server):
    config = apple_config(tmp_path, chart_server)
    serve_day(chart_server, DAY_1, UPDATED_1)
    code, alerts, stderr = poll_json(config)
    assert (code, alerts) == (0, []), stderr
    assert (
        "baseline recorded: 1 chart, 1 period up to 2023-11-16, 50 ranks in 5 countries" in stderr
    )
    serve_day(chart_server, DAY_2, UPDATED_2)
    code, alerts, stderr = poll_json(config)
    assert code == 0, stderr
    texts = {a["text"] for a in alerts}
    assert texts == {
        # More countries than on the one day stored before: its most yet.
        "**Standing Next to You — Jung Kook** is now #1 in 4 countries (+2) — its most yet",
        "**Standing Next to You — Jung Kook** takes #1 in United States (was #2)",
        "**Standing Next to You — Jung Kook** is #1 in South Korea for the 2nd day in a row",
    }
    count = next(a for a in alerts if a.get("milestone") == "new_peak")
    assert (count["artist"], count["period"], count["countries"], count["previous_best"]) == (
        "Jung Kook",
        "2023-11-17",
        ["GB", "JP", "KR", "US"],
        2,
    )
    assert poll_json(config)[:2] == (0, [])


def test_apple_retries_a_flaky_country(tmp_path, chart_server):
    config = apple_config(tmp_path, chart_server)
    serve_day(chart_server, DAY_1, UPDATED_1)
    assert poll_json(config)[0] == 0
    serve_day(chart_server, DAY_2, UPDATED_2)
    chart_server.served["api/v2/gb/music/most-played/10/songs.json"].failures = 2
    code, alerts, stderr = poll_json(config)
    assert code == 0, stderr
    assert len(alerts) == 3  # the retries got GB, so the count is right
    assert "is now #1 in 4 countries" in {a.get("milestone"): a["text"] for a in alerts}["new_peak"]


@pytest.mark.parametrize(
    ("broken", "reason"),
    [
        ({"failures": 99}, "GB (HTTP 500"),
        ({"behaviour": "stall"}, "GB (timed out after 2s"),
        ({"body": b"<html>maintenance</html>"}, "GB (an HTML page"),
        ({"body": b'{"feed": {"country": "gb", "results": []}}'}, "GB (the feed has no results)"),
        (
            {"body": json.dumps({"feed": {"country": "us", "results": [{"name": "x"}]}}).encode()},
            "GB (asked for GB, the feed is for US)",
        ),
    ],
)
def test_apple_a_failing_country_stores_nothing(tmp_path, chart_server, broken, reason):
    config = apple_config(tmp_path, chart_server, extra="retries = 1")
    serve_day(chart_server, DAY_1, UPDATED_1)
    assert poll_json(config)[0] == 0
    serve_day(chart_server, DAY_2, UPDATED_2)
    path = "api/v2/gb/music/most-played/10/songs.json"
    route = chart_server.served[path]
    for key, value in broken.items():
        setattr(route, key, value)
    code, alerts, stderr = poll_json(config)
    assert (code, alerts) == (1, [])
    assert "1 of 5 countries failed, so nothing is stored" in stderr and reason in stderr
    assert "kept the snapshot of 2023-11-16" in stderr
    serve_day(chart_server, DAY_2, UPDATED_2)
    code, alerts, _ = poll_json(config)
    assert (code, len(alerts)) == (0, 3)


def test_apple_unchanged_feeds_cost_304s(tmp_path, chart_server):
    config = apple_config(tmp_path, chart_server)
    for country in COUNTRIES:
        chart_server.serve(
            f"api/v2/{country}/music/most-played/10/songs.json",
            feed(country, DAY_1[country], UPDATED_1),
            etag=f'"{country}-1"',
        )
    assert poll_json(config)[0] == 0
    code, alerts, stderr = poll_json(config)
    assert (code, alerts) == (0, [])
    assert "unchanged" in stderr
    assert [s.status for s in chart_server.requests[-5:]] == [304] * 5


def test_apple_requests_stay_within_the_concurrency_limit(tmp_path, chart_server):
    config = apple_config(tmp_path, chart_server, extra="concurrency = 2")
    serve_day(chart_server, DAY_1, UPDATED_1, delay=0.05)
    assert poll_json(config)[0] == 0
    assert chart_server.max_in_flight == 2


def test_apple_all_countries_is_the_bundled_list():
    from bot.config import APPLE_STOREFRONTS, AppleSourceConfig

    source = AppleSourceConfig(name="apple", kind="apple_rss")
    assert source.country_codes() == APPLE_STOREFRONTS
    assert {"us", "kr", "jp", "gb", "br"} <= set(APPLE_STOREFRONTS)
