"""Refusals that point at the fix, and the checks that must not refuse real data: a list
feed that grows or shrinks, a bad file among good ones in a watched folder, Netflix's other
official files, a table's dates in another layout. Through the real CLI."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from bot.clock import utcnow
from bot.store.store import Store
from tests.helpers.apple_feeds import COUNTRIES, DAY_1, UPDATED_1, UPDATED_2, feed
from tests.helpers.cli import poll_json, run_cli
from tests.helpers.configs import write_config
from tests.helpers.netflix import WEEK_1, WEEK_2
from tests.helpers.shared_data import needs_shared_data, shared
from tests.helpers.spotify import WEEK_0131, WEEK_0207, spotify_config

APPLE = shared("files", "apple")
OFFICIAL = shared("files", "netflix", "official")


# -- every refusal says what to do if the data is right --------------------------------------


def _short_week(text: str, country: str, week: str) -> str:
    """The file with a country's #10 of `week` gone: a top 10 with 9 rows."""
    header, *rows = text.split("\n")
    kept = [r for r in rows if r.split("\t")[1:3] != [country, week] or r.split("\t")[4] != "10"]
    return "\n".join([header, *kept])


@needs_shared_data
def test_a_refused_poll_says_how_to_store_the_data_and_that_works(tmp_path, chart_server):
    config = write_config(tmp_path, chart_server.serve("top10.tsv", WEEK_1))
    assert poll_json(config)[0] == 0
    chart_server.serve("top10.tsv", _short_week(WEEK_2, "KR", "2022-01-16"))
    code, alerts, stderr = poll_json(config)
    advice = "if the data is right, `chartbot import --source netflix` stores it as it is"
    assert (code, alerts) == (1, [])
    assert "KR has 9 rows where 2022-01-09 had 10 (rows missing); " + advice in stderr
    status = run_cli("status", "-c", config).stdout
    assert advice in status
    ran = run_cli("import", "--source", "netflix", "-c", config)  # the advice, followed
    assert ran.exit_code == 0, ran.stderr
    assert "imported 2 chart periods" in ran.stdout
    code, alerts, stderr = poll_json(config)  # the source works again, nothing repeated
    assert (code, alerts) == (0, []), stderr
    assert "failing" not in run_cli("status", "-c", config).stdout


# -- Apple feeds: a list may be shorter or longer than the last one ----------------------------


def apple_config(folder: Path, url: str, countries: list[str]) -> Path:
    path = folder / "config.toml"
    path.write_text(
        f"""
[alerts]
min_countries = 2
watched_markets = ["US"]

[[sources]]
name = "apple"
kind = "apple_rss"
countries = {json.dumps(countries)}
limit = 10
url = "{url}"
""",
        encoding="utf-8",
    )
    return path


def test_a_feed_listing_fewer_songs_is_a_real_chart(tmp_path, chart_server):
    template = chart_server.url("{country}/songs.json")
    config = apple_config(tmp_path, template, COUNTRIES)
    for country in COUNTRIES:
        chart_server.serve(f"{country}/songs.json", feed(country, DAY_1[country], UPDATED_1))
    assert poll_json(config)[0] == 0
    # The next day the US feed lists 5 songs (a storefront moved to a shorter list) with a
    # new #1, and Japan lists 10 others.
    day_2 = {**DAY_1, "us": [1, 0, 2, 3, 4], "jp": [1, 0, 5, 2, 3, 4, 6, 7, 8, 9]}
    for country in COUNTRIES:
        chart_server.serve(f"{country}/songs.json", feed(country, day_2[country], UPDATED_2))
    code, alerts, stderr = poll_json(config)
    assert code == 0, stderr
    assert [a["text"] for a in alerts] == [
        "**Standing Next to You — Jung Kook** is now #1 in 3 countries (+1) — its most yet",
        "**Standing Next to You — Jung Kook** takes #1 in United States (was #2)",
    ]
    us = json.loads(run_cli("rank", "greedy", "--json", "-c", config).stdout)["charts"][0]
    assert us["ranks"]["US"] == 2 and us["period_unit"] == "day"


@needs_shared_data
def test_both_apple_feed_shapes_are_read(tmp_path, chart_server):
    # The old rss.itunes.apple.com feed (ISO `updated`, three songs), then the current
    # shape (RFC 2822 `updated`, two entries): a shorter list, stored and compared.
    config = apple_config(tmp_path, chart_server.url("{country}.json"), ["us"])
    chart_server.serve("us.json", (APPLE / "v1-us-top-songs-10-explicit.json").read_bytes())
    code, _, stderr = poll_json(config)
    assert code == 0 and "1 period up to 2020-09-14, 3 ranks" in stderr, stderr
    chart_server.serve("us.json", (APPLE / "v2-us-most-played-2-albums.json").read_bytes())
    code, alerts, stderr = poll_json(config)
    assert code == 0, stderr
    assert [a["text"] for a in alerts] == [
        "**Last Lap — Rod Wave** takes #1 in United States (new entry)"
    ]
    assert alerts[0]["period"] == "2024-10-28"


@needs_shared_data
@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"feed": {"country": "us", "results": []}}', "US (the feed has no results)"),
        (
            b'{"feed": {"country": "gb", "results": [{"name": "x"}]}}',
            "US (asked for US, the feed is for GB)",
        ),
    ],
    ids=["empty list", "another country"],
)
def test_a_feed_is_still_refused_when_it_is_no_chart(tmp_path, chart_server, body, reason):
    config = apple_config(tmp_path, chart_server.url("{country}.json"), ["us"])
    chart_server.serve("us.json", (APPLE / "v1-us-top-songs-10-explicit.json").read_bytes())
    assert poll_json(config)[0] == 0
    chart_server.serve("us.json", body, failures=0)
    code, alerts, stderr = poll_json(config)
    assert (code, alerts) == (1, []) and reason in stderr


# -- a bad file in a watched folder ----------------------------------------------------------

LOGIN_PAGE = (
    b"<!DOCTYPE html><html><head><title>Log in - Spotify</title></head><body></body></html>"
)


@needs_shared_data
def test_a_bad_file_in_a_folder_is_named_skipped_and_tried_again_when_it_changes(tmp_path):
    folder = tmp_path / "downloads"
    folder.mkdir()
    shutil.copy(WEEK_0131, folder)
    config = spotify_config(tmp_path, "downloads")
    assert poll_json(config)[:2] == (0, [])
    with Store.open(tmp_path / "chartbot.db") as store:  # a server with an alert channel
        store.guilds.set_alerts(1, by=2, now=utcnow(), channel_id=3)
    shutil.copy(WEEK_0207, folder)
    html = folder / "regional-us-weekly-2020-02-07--2020-02-14.csv"  # a saved login page
    html.write_bytes(LOGIN_PAGE)
    cut = folder / "regional-gb-weekly-2020-02-07--2020-02-14.csv"
    cut.write_bytes(WEEK_0207.read_bytes()[:3000])
    (folder / "top-tracks.csv").write_text("Pos,Song,Performer\n1,a,b\n", encoding="utf-8")
    code, alerts, stderr = poll_json(config)
    assert code == 0, stderr
    assert [a["text"] for a in alerts] == ["**The Box — Roddy Ricch** takes #1 worldwide (was #2)"]
    assert (
        "warning: skipped regional-us-weekly-2020-02-07--2020-02-14.csv: an HTML page, not a CSV"
        in stderr
    )
    assert "warning: skipped regional-gb-weekly-2020-02-07--2020-02-14.csv: line 33" in stderr
    assert (
        "warning: skipped top-tracks.csv: not a Spotify chart download" in stderr
        and 'columns = { rank = "pos", title = "song", artist = "performer" }' in stderr
    )
    status = run_cli("status", "-c", config).stdout
    assert "skipped: regional-gb-weekly-2020-02-07--2020-02-14.csv (line 33" in status
    assert _notices(config) == 3  # the admins hear of each once
    code, alerts, stderr = poll_json(config)  # unchanged files are not read again
    assert (code, alerts) == (0, []) and "warning" not in stderr
    assert _notices(config) == 3
    shutil.copy(WEEK_0207, cut)  # the download finished: it is read, and stored
    os.utime(cut, ns=(1, 2))
    code, _, stderr = poll_json(config)
    assert code == 0 and "regional-gb" not in stderr, stderr
    data = json.loads(run_cli("rank", "the box", "--json", "-c", config).stdout)
    assert data["charts"][0]["ranks"] == {"GB": 1, "GLOBAL": 1}
    assert "regional-gb" not in run_cli("status", "-c", config).stdout


def _notices(config: Path) -> int:
    with Store.open(config.parent / "chartbot.db") as store:
        return store.db.execute(
            "SELECT count(*) FROM deliveries WHERE notice IS NOT NULL"
        ).fetchone()[0]


# -- Netflix's other official files ------------------------------------------------------------


def netflix_config(folder: Path, url: Path) -> Path:
    return write_config(folder, str(url))


@needs_shared_data
def test_the_global_file_is_the_worldwide_chart(tmp_path):
    config = netflix_config(tmp_path, OFFICIAL / "all-weeks-global-2026-07-head.tsv")
    code, _, stderr = poll_json(config)
    assert code == 0, stderr
    data = json.loads(
        run_cli("rank", "Shipwrecked: Nightmare at Sea", "--json", "-c", config).stdout
    )
    [chart] = data["charts"]
    assert (chart["chart"], chart["period"], chart["ranks"]) == (
        "Films (English)",
        "2026-07-19",
        {"GLOBAL": 1},
    )
    assert chart["number_one_count"] == 1 and chart["in_chart"] == {"GLOBAL": 2}


@needs_shared_data
def test_a_shows_weeks_count_its_seasons_together(polled_week_1, chart_server):
    chart_server.serve("top10.tsv", WEEK_2)
    assert poll_json(polled_week_1)[0] == 0
    data = json.loads(run_cli("rank", "cobra kai", "--json", "-c", polled_week_1).stdout)
    tv = data["charts"][0]
    assert len(tv["seasons"]) == 4 and "Cobra Kai: Season 4" in tv["seasons"]
    text = run_cli("rank", "cobra kai", "-c", polled_week_1).stdout
    assert (
        f"{tv['periods_charted']} weeks since January 2, 2022 (4 seasons or parts together)"
        in " ".join(text.split())
    )


@needs_shared_data
def test_the_all_time_list_is_refused_naming_the_weekly_files(tmp_path):
    ran = run_cli(
        "import",
        OFFICIAL / "most-popular.tsv",
        "--source",
        "netflix",
        "-c",
        netflix_config(tmp_path, OFFICIAL / "most-popular.tsv"),
    )
    assert ran.exit_code == 1
    assert ran.stderr == (
        "chartbot: this is Netflix's all-time most-popular list (most-popular.tsv), not a "
        "weekly chart: the netflix source reads the weekly files all-weeks-countries.tsv (per "
        "country) and all-weeks-global.tsv (worldwide)\n"
    )


# -- a table's dates in another layout ---------------------------------------------------------


def test_a_period_in_another_layout_names_the_setting_that_reads_it(tmp_path, chart_server):
    url = chart_server.serve("hot100.csv", "week,rank,song\n4/1/2020,1,Blinding Lights\n")
    path = tmp_path / "config.toml"
    table = f"""
[[sources]]
name = "hot100"
kind = "table"
url = "{url}"
country = "US"
columns = {{ rank = "rank", title = "song", period = "week" }}
"""
    path.write_text(table, encoding="utf-8")
    code, _, stderr = poll_json(path)
    assert code == 1
    assert (
        "line 2: period '4/1/2020' is not a date like 2024-01-06: set "
        'period_format = "%m/%d/%Y" (or "%d/%m/%Y" if the day comes first) in source "hot100" '
        "to read it" in stderr
    )
    path.write_text(table + 'period_format = "%m/%d/%Y"\n', encoding="utf-8")  # as advised
    code, _, stderr = poll_json(path)
    assert code == 0, stderr
    chart = json.loads(run_cli("rank", "blinding lights", "--json", "-c", path).stdout)["charts"][0]
    assert chart["period"] == "2020-04-01"
