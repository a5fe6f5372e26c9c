"""Generic tables (bot/sources/table.py), CSV and JSON, through the real CLI against a
loopback chart server; and one title across sources and seasons."""

from __future__ import annotations

import json

import pytest

from tests.helpers.cli import poll_json, run_cli
from tests.helpers.configs import write_text_config

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
    config = write_text_config(
        tmp_path, TABLE.format(url=chart_server.url("hot100-2024-01-06.csv"))
    )
    chart_server.serve(
        "hot100-2024-01-06.csv",
        "Position,Song,Performer,Label\n"
        "1,Lovin On Me,Jack Harlow,Atlantic\n2,greedy,Tate McRae,RCA\n",
    )
    assert poll_json(config)[:2] == (0, [])
    write_text_config(tmp_path, TABLE.format(url=chart_server.url("hot100-2024-01-13.csv")))
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
    config = write_text_config(
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
    config = write_text_config(
        tmp_path, TABLE.format(url=chart_server.url("hot100-2024-01-06.csv"))
    )
    chart_server.serve("hot100-2024-01-06.csv", body)
    code, alerts, stderr = poll_json(config)
    assert (code, alerts) == (1, [])
    assert reason in stderr


def test_one_title_across_sources_and_seasons(tmp_path, chart_server):
    from bot.demo import DATA

    chart_server.serve(
        "daily.csv",
        "country,rank,title\nKR,1,All of Us Are Dead: Season 1\nUS,4,El juego del calamar\n",
    )
    config = write_text_config(
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
