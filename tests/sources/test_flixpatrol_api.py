"""FlixPatrol's official API, through the real CLI and aiohttp client against a fake of the
API on loopback that answers with documents shaped as the real ones: the reference story
replayed day by day (a back-filled baseline, "now #1 in N countries (+k)", a streak), a
refused key, 429s, the month's allowance, titles given by id only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.demo.story import DAYS, build_rows
from bot.store.store import Store
from tests.helpers.cli import poll_json, run_cli
from tests.helpers.flixpatrol_api import KEY, ApiRow, FakeFlixPatrol

KEY_ENV = "CHARTBOT_TEST_FLIXPATROL_KEY"
# The story's worldwide TV list: All of Us Are Dead #2 on its first day, then #1.
WORLD = ("All of Us Are Dead", "Ozark", "Archive 81", "Cheer", "Stay Close")


@pytest.fixture
def api() -> Iterator[FakeFlixPatrol]:
    server = FakeFlixPatrol().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def key(monkeypatch) -> str:
    monkeypatch.setenv(KEY_ENV, KEY)
    return KEY


def story_days() -> list[date]:
    """The story's three days as the last three days, today the third."""
    today = datetime.now(UTC).date()
    return [today - timedelta(days=2 - n) for n in range(3)]


def story(days: int) -> list[ApiRow]:
    """The reference story's rows (88 countries' TV charts), its first `days` days."""
    shifted = dict(zip(DAYS, story_days(), strict=True))
    rows = [
        ApiRow(shifted[day], code, 3, int(rank), title, days=int(charted))
        for _, code, day, _, rank, title, _, charted in build_rows()
        if DAYS.index(day) < days
    ]
    for n, day in enumerate(story_days()[:days]):
        world = list(WORLD[1:])
        world.insert(1 if n == 0 else 0, WORLD[0])
        rows += [ApiRow(day, None, 3, r, t, points=900 - r) for r, t in enumerate(world, 1)]
    return rows


def api_config(folder: Path, api: FakeFlixPatrol, extra: str = "") -> Path:
    path = folder / "config.toml"
    path.write_text(
        f"""
[database]
path = "chartbot.db"

[alerts]
min_countries = 10
watched_markets = ["US", "KR"]

[[sources]]
name = "netflix-daily"
kind = "flixpatrol"
platform = "netflix"
api_key_env = "{KEY_ENV}"
api_base = "{api.base}"
pause = "1ms"
backfill_days = 5
{extra}
""",
        encoding="utf-8",
    )
    return path


def test_the_story_day_by_day_through_the_api(tmp_path, api, key):
    config = api_config(tmp_path, api)
    api.rows = story(1)
    code, alerts, stderr = poll_json(config)
    assert (code, alerts) == (0, []), stderr  # a first poll: back-filled, no alerts
    assert "baseline recorded" in stderr
    # Day one is 890 rows (88 countries and the world): 3 answers of 300, and the quota.
    assert len(api.asked_for("/v2/top10s")) == 3 and len(api.asked_for("/v2/quota")) == 1
    assert "4 requests to FlixPatrol's API" in stderr

    api.rows = story(2)
    code, alerts, stderr = poll_json(config)
    assert code == 0, stderr
    texts = {a["text"] for a in alerts}
    assert "**All of Us Are Dead** is now #1 in 44 countries (+19) — its most yet" in texts
    assert "**All of Us Are Dead** takes #1 worldwide (was #2)" in texts
    assert "**All of Us Are Dead** is #1 in South Korea for the 2nd day in a row" in texts
    [count] = [a for a in alerts if a["type"] == "number_one_count"]
    assert (count["milestone"], count["period"]) == ("new_peak", story_days()[1].isoformat())
    assert "KR" in count["countries"] and "US" not in count["countries"]

    api.rows = story(3)
    code, alerts, stderr = poll_json(config)
    assert code == 0, stderr
    texts = {a["text"] for a in alerts}
    assert "**All of Us Are Dead** is now #1 in 46 countries (+2) — its most yet" in texts
    assert "**All of Us Are Dead** is #1 in South Korea for the 3rd day in a row" in texts
    # Asked for the new day only: what is stored is never asked again.
    last = api.asked_for("/v2/top10s")[-1].query
    assert last["date[from][gte]"] == last["date[to][lte]"] == story_days()[2].isoformat()
    ranked = run_cli("rank", "All of Us Are Dead", "--json", "-c", config)
    charts = {c["chart"]: c for c in __import__("json").loads(ranked.stdout)["charts"]}
    assert charts["TV Shows"]["source_label"] == "Netflix"  # the platform, shown as such
    assert charts["TV Shows"]["number_one_count"] == 46
    assert charts["TV Shows"]["ranks"]["US"] == 2 and charts["TV Shows"]["period_unit"] == "day"
    assert charts["TV Shows worldwide"]["ranks"] == {"GLOBAL": 1}


def test_a_refused_key_stops_the_source_at_once(tmp_path, api, key):
    config = api_config(tmp_path, api)
    api.rows = story(1)
    api.refuse_key = 401
    code, alerts, stderr = poll_json(config)
    assert (code, alerts) == (1, [])
    assert "the API key was refused (HTTP 401)" in stderr
    assert "paused: trying again cannot help" in stderr  # at once, not after 20 failures
    assert len(api.asked) == 1  # nothing more was asked
    status = run_cli("status", "-c", config).stdout
    assert "netflix-daily: disabled" in status and KEY not in status


def test_429s_are_waited_out(tmp_path, api, key):
    config = api_config(tmp_path, api)
    api.rows = story(1)
    api.rate_limited = 2
    code, _, stderr = poll_json(config)
    assert code == 0, stderr
    assert [a.status for a in api.asked[:3]] == [429, 429, 200]


def test_a_poll_stops_before_the_monthly_allowance_runs_out(tmp_path, api, key):
    config = api_config(tmp_path, api)
    api.rows = story(1)
    api.used = 990  # of 1,000
    code, alerts, stderr = poll_json(config)
    assert (code, alerts) == (1, [])
    assert "the API's monthly allowance is nearly spent (991 of 1,000 requests used" in stderr
    assert "it resets 2027-01-01T00:00:00Z" in stderr
    assert api.asked_for("/v2/top10s") == []  # not asked


def test_titles_given_by_id_only_are_asked_for_once_each(tmp_path, api, key):
    config = api_config(tmp_path, api)
    api.rows = story(1)
    api.titles_in_rows = False
    code, _, stderr = poll_json(config)
    assert code == 0, stderr
    named = len({row.title for row in api.rows})
    assert len([a for a in api.asked if a.path.startswith("/v2/titles/")]) == named
    with Store.open(tmp_path / "chartbot.db") as store:
        assert store.titles.by_key("All of Us Are Dead") is not None


def test_the_key_is_never_shown(tmp_path, api, key, monkeypatch):
    config = api_config(tmp_path, api, extra="")
    text = config.read_text().replace(f'api_key_env = "{KEY_ENV}"', f'api_key = "{KEY}"')
    config.write_text(text)
    checked = run_cli("check-config", "-c", config)
    assert checked.exit_code == 0, checked.stderr
    assert KEY not in checked.stdout + checked.stderr
    api.rows = story(1)
    code, _, stderr = poll_json(config)
    assert code == 0 and KEY not in stderr


def test_an_import_with_no_file_reads_the_api(tmp_path, api, key):
    config = api_config(tmp_path, api)
    api.rows = story(2)
    ran = run_cli("import", "--source", "netflix-daily", "-c", config)
    assert ran.exit_code == 0, ran.stderr
    assert "imported 4 chart periods" in ran.stdout  # two days of TV Shows and worldwide
    api.rows = story(3)
    code, alerts, stderr = poll_json(config)
    assert code == 0, stderr
    assert "**All of Us Are Dead** is now #1 in 46 countries (+2) — its most yet" in {
        a["text"] for a in alerts
    }
