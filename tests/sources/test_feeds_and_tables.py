"""Spotify chart files and generic tables, through the real CLI against a loopback chart
server; and one title across sources (Apple Music feeds are in test_apple.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.helpers.cli import poll_json, run_cli
from tests.helpers.shared_data import needs_shared_data, shared

SPOTIFY = shared("files", "spotify")
WEEK_09 = SPOTIFY / "regional-global-weekly-2023-11-09.csv"
WEEK_16 = SPOTIFY / "regional-global-weekly-2023-11-16.csv"


def write(folder: Path, text: str) -> Path:
    path = folder / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


# -- Spotify -------------------------------------------------------------------------------


def spotify_config(folder: Path, url: str | None = None) -> Path:
    location = f'url = "{url}"' if url else ""
    return write(
        folder,
        f"""
[alerts]
min_countries = 3
watched_markets = ["US", "GLOBAL"]

[[sources]]
name = "spotify"
kind = "spotify_charts"
{location}
""",
    )


@needs_shared_data
def test_spotify_weeks_imported_in_any_order_then_rank(tmp_path):
    config = spotify_config(tmp_path)
    ran = run_cli("import", WEEK_16, WEEK_09, "--source", "spotify", "-c", config)
    assert ran.exit_code == 0, ran.stderr
    assert ran.stderr.count("imported 1 chart period (200 ranks)") == 2
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
    config = spotify_config(tmp_path, "downloads")
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
    config = spotify_config(tmp_path, "downloads")
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
    config = spotify_config(tmp_path)
    assert run_cli("import", WEEK_16, "--source", "spotify", "-c", config).exit_code == 0
    ran = run_cli("import", us_file, "--source", "spotify", "-c", config)
    assert "(200 ranks), added 1 country to 1 stored period;" in ran.stderr
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
    ran = run_cli("import", path, "--source", "spotify", "-c", spotify_config(tmp_path))
    assert ran.exit_code == 1
    assert ran.stderr.startswith("chartbot: ") and reason in ran.stderr
    assert "Traceback" not in ran.stderr


def test_spotify_a_source_without_url_is_for_imports(tmp_path):
    ran = run_cli("check-config", "-c", spotify_config(tmp_path))
    assert (
        ran.exit_code == 0
        and "source spotify: spotify_charts, every 6h, imports only" in ran.stdout
    )


# -- generic tables ------------------------------------------------------------------------

TABLE = """
[alerts]
min_countries = 2
watched_markets = ["US"]

[[sources]]
name = "billboard"
kind = "table"
url = "{url}"
chart = "Hot 100"
country = "US"
period = "filename"
columns = {{ rank = "Position", title = "Song", artist = "Performer", extra = ["Label"] }}
"""


def test_a_csv_table_mapped_by_config(tmp_path, chart_server):
    config = write(tmp_path, TABLE.format(url=chart_server.url("hot100-2024-01-06.csv")))
    chart_server.serve(
        "hot100-2024-01-06.csv",
        "Position,Song,Performer,Label\n"
        "1,Lovin On Me,Jack Harlow,Atlantic\n2,greedy,Tate McRae,RCA\n",
    )
    assert poll_json(config)[:2] == (0, [])
    write(tmp_path, TABLE.format(url=chart_server.url("hot100-2024-01-13.csv")))
    chart_server.serve(
        "hot100-2024-01-13.csv",
        "Position,Song,Performer,Label\n"
        "1,greedy,Tate McRae,RCA\n2,Lovin On Me,Jack Harlow,Atlantic\n",
    )
    code, alerts, stderr = poll_json(config)
    assert code == 0, stderr
    assert [a["text"] for a in alerts] == [
        "**greedy — Tate McRae** takes #1 in United States (was #2)"
    ]
    assert alerts[0]["chart"] == "Hot 100" and alerts[0]["period"] == "2024-01-13"


def test_a_json_table_with_countries(tmp_path, chart_server):
    rows = [
        {"cc": "KR", "pos": 1, "name": "All of Us Are Dead: Season 1", "day": "2022-01-31"},
        {"cc": "JP", "pos": 1, "name": "All of Us Are Dead: Season 1", "day": "2022-01-31"},
        {"cc": "US", "pos": 2, "name": "All of Us Are Dead: Season 1", "day": "2022-01-31"},
        {"cc": "US", "pos": 1, "name": "Ozark", "day": "2022-01-31"},
    ]
    chart_server.serve(
        "daily.json", json.dumps({"data": {"items": rows}}), content_type="application/json"
    )
    config = write(
        tmp_path,
        f"""
[[sources]]
name = "flixpatrol"
kind = "table"
url = "{chart_server.url("daily.json")}"
json_rows = "data.items"
chart = "TV"
columns = {{ rank = "pos", title = "name", country = "cc", period = "day" }}
""",
    )
    code, _, stderr = poll_json(config)
    assert code == 0, stderr
    data = json.loads(run_cli("rank", "all of us are dead", "--json", "-c", config).stdout)
    assert data["charts"][0]["ranks"] == {"JP": 1, "KR": 1, "US": 2}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("Pos,Song,Performer\n1,a,b", "the table lacks position"),
        ("Position,Song,Performer,Label\n1,,b,c", "line 2: the title is empty"),
        ("Position,Song,Performer,Label\n1,a,b", "has 3 fields where the header has 4"),
    ],
)
def test_a_broken_table_is_refused(tmp_path, chart_server, body, reason):
    config = write(tmp_path, TABLE.format(url=chart_server.url("hot100-2024-01-06.csv")))
    chart_server.serve("hot100-2024-01-06.csv", body)
    code, alerts, stderr = poll_json(config)
    assert (code, alerts) == (1, [])
    assert reason in stderr


# -- one title across sources ----------------------------------------------------------------


def test_one_title_across_sources_and_seasons(tmp_path, chart_server):
    from bot.demo import DATA

    chart_server.serve(
        "daily.csv",
        "country,rank,title\nKR,1,All of Us Are Dead: Season 1\nUS,4,El juego del calamar\n",
    )
    config = write(
        tmp_path,
        f"""
[titles]
merge = [["Squid Game", "El juego del calamar"]]

[[sources]]
name = "netflix"
kind = "netflix_top10"
url = "{DATA}"

[[sources]]
name = "flixpatrol"
kind = "table"
url = "{chart_server.url("daily.csv")}"
period = "2022-02-01"
chart = "TV"
columns = {{ rank = "rank", title = "title", country = "country" }}
""",
    )
    code, _, stderr = poll_json(config)
    assert code == 0, stderr
    data = json.loads(
        run_cli("rank", "All of Us Are Dead: Season 1", "--json", "-c", config).stdout
    )
    assert data["title"] == "All of Us Are Dead"
    assert [(c["source"], c["period"]) for c in data["charts"]] == [
        ("flixpatrol", "2022-02-01"),
        ("netflix", "2022-01-31"),
    ]
    squid = json.loads(run_cli("rank", "el juego del calamar", "--json", "-c", config).stdout)
    assert squid["title"] == "Squid Game"
