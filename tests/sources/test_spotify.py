"""Spotify chart files (bot/sources/spotify/), through the real CLI against a loopback chart
server: weeks in any order, folders polled as files arrive, per-country files, broken files."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.helpers.cli import poll_json, run_cli
from tests.helpers.shared_data import needs_shared_data, shared
from tests.helpers.spotify import spotify_config

SPOTIFY = shared("files", "spotify")
WEEK_09 = SPOTIFY / "regional-global-weekly-2023-11-09.csv"
WEEK_16 = SPOTIFY / "regional-global-weekly-2023-11-16.csv"


@needs_shared_data
def test_spotify_weeks_imported_in_any_order_then_rank(tmp_path):
    config = spotify_config(tmp_path, min_countries=3)
    ran = run_cli("import", WEEK_16, WEEK_09, "--source", "spotify", "-c", config)
    assert ran.exit_code == 0, ran.stderr
    assert ran.stdout.count("imported 1 chart period (200 ranks)") == 2
    ran = run_cli("rank", "Standing Next to You", "--json", "-c", config)
    data = json.loads(ran.stdout)
    assert (data["title"], data["artist"]) == ("Standing Next to You", "Jung Kook")
    [weekly] = data["charts"]
    assert (weekly["chart"], weekly["period"], weekly["previous_period"]) == (
        "weekly",
        "2023-11-16",
        "2023-11-09",
    )
    assert weekly["ranks"] == {"GLOBAL": 3} and weekly["previous_ranks"] == {"GLOBAL": 1}
    text = run_cli("rank", "standing next to you", "-c", config).stdout
    assert "Worldwide" in text and "#3 (was #1)" in text


@needs_shared_data
def test_spotify_a_folder_is_polled_as_files_arrive(tmp_path):
    folder = tmp_path / "downloads"
    folder.mkdir()
    shutil.copy(WEEK_09, folder)
    config = spotify_config(tmp_path, "downloads", min_countries=3)
    assert poll_json(config)[:2] == (0, [])
    shutil.copy(WEEK_16, folder)
    code, alerts, stderr = poll_json(config)
    assert code == 0, stderr
    assert [a["text"] for a in alerts] == ["**greedy — Tate McRae** takes #1 worldwide (was #2)"]
    assert poll_json(config)[:2] == (0, [])


@needs_shared_data
def test_spotify_a_period_still_downloading_waits(tmp_path):
    folder = tmp_path / "downloads"
    folder.mkdir()
    us = WEEK_09.read_text(encoding="utf-8-sig")
    shutil.copy(WEEK_09, folder)
    (folder / "regional-us-weekly-2023-11-09.csv").write_text(us, encoding="utf-8")
    config = spotify_config(tmp_path, "downloads", min_countries=3)
    assert poll_json(config)[0] == 0
    shutil.copy(WEEK_16, folder)  # the global file of the new week, but not the US one yet
    code, alerts, stderr = poll_json(config)  # nothing complete yet: no false "left the chart"
    assert (code, alerts) == (0, [])
    assert "waiting for the rest of weekly 2023-11-16 (1 of 2 countries so far)" in stderr
    (folder / "regional-us-weekly-2023-11-16.csv").write_text(
        WEEK_16.read_text(encoding="utf-8"), encoding="utf-8"
    )
    code, alerts, _ = poll_json(config)
    assert code == 0
    assert {a["country"] for a in alerts} == {"GLOBAL", "US"}


@needs_shared_data
def test_spotify_per_country_files_make_one_chart(tmp_path):
    us_file = tmp_path / "regional-us-weekly-2023-11-16.csv"
    us_file.write_text(WEEK_16.read_text(encoding="utf-8"), encoding="utf-8")
    config = spotify_config(tmp_path, min_countries=3)
    assert run_cli("import", WEEK_16, "--source", "spotify", "-c", config).exit_code == 0
    ran = run_cli("import", us_file, "--source", "spotify", "-c", config)
    assert "(200 ranks), added 1 country to 1 stored period;" in ran.stdout
    data = json.loads(run_cli("rank", "greedy", "--json", "-c", config).stdout)
    assert data["charts"][0]["ranks"] == {"GLOBAL": 1, "US": 1}
    assert data["charts"][0]["number_one_count"] == 2


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        (
            "top-songs.csv",
            "rank,track_name,artist_names\n1,a,b",
            "cannot tell the country and date",
        ),
        (
            "regional-xx-weekly-2023-11-16.csv",
            "rank,track_name,artist_names\n1,a,b",
            "XX is not a country",
        ),
        (
            "regional-global-weekly-2023-11-16.csv",
            "rank,track_name\n1,a",
            "the file lacks artist_names",
        ),
        (
            "regional-global-weekly-2023-11-16.csv",
            "rank,track_name,artist_names\nx,a,b",
            "line 2: rank 'x'",
        ),
        ("regional-global-weekly-2023-11-16.csv", 'rank,track_name,artist_names\n1,"a,b', "line 2"),
    ],
)
def test_spotify_broken_files_are_named(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    config = spotify_config(tmp_path, min_countries=3)
    ran = run_cli("import", path, "--source", "spotify", "-c", config)
    assert ran.exit_code == 1
    assert ran.stderr.startswith("chartbot: ") and reason in ran.stderr
    assert "Traceback" not in ran.stderr


def test_spotify_a_source_without_url_is_for_imports(tmp_path):
    ran = run_cli("check-config", "-c", spotify_config(tmp_path, min_countries=3))
    assert (
        ran.exit_code == 0
        and "source spotify: spotify_charts, every 6h, imports only" in ran.stdout
    )


@needs_shared_data
def test_of_several_files_a_bad_one_is_skipped_with_its_reason_and_the_rest_stored(tmp_path):
    config = spotify_config(tmp_path, min_countries=3)
    undated = tmp_path / "my-chart.csv"  # a download renamed: its country and week are lost
    shutil.copy(WEEK_16, undated)
    ran = run_cli("import", undated, WEEK_16, WEEK_09, "--source", "spotify", "-c", config)
    assert ran.exit_code == 1
    lines = ran.stdout.splitlines()
    assert lines[:2] == [
        f"spotify ({WEEK_09.name}): imported 1 chart period (200 ranks); 0 already stored",
        f"spotify ({WEEK_16.name}): imported 1 chart period (200 ranks); 0 already stored",
    ]
    assert lines[2].startswith(
        "spotify (my-chart.csv): skipped: cannot tell the country and date from the file name"
    )
    assert ran.stderr == "chartbot: 1 of 3 files skipped; the others are stored\n"
    weekly = json.loads(run_cli("rank", "Standing Next to You", "--json", "-c", config).stdout)
    assert weekly["charts"][0]["period"] == "2023-11-16"
