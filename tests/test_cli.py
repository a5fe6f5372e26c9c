"""`chartbot rank`, `chartbot import` and `chartbot demo`, through the real CLI."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from bot.cli import main
from bot.demo import DATA, published_days
from bot.demo.story import DAYS, build_rows, to_tsv
from tests.helpers.cli import poll_json, run_cli
from tests.helpers.configs import US_DAILY, write_config, write_text_config
from tests.helpers.netflix import NETFLIX_WEEK_1, NETFLIX_WEEK_2, WEEK_2
from tests.helpers.oracle import rows
from tests.helpers.shared_data import needs_shared_data, shared


@pytest.fixture
def imported(tmp_path: Path) -> Path:
    config = write_config(tmp_path, "unused.tsv")
    ran = run_cli("import", NETFLIX_WEEK_2, "--source", "netflix", "-c", config)
    assert ran.exit_code == 0, ran.stderr
    return config


def rank_json(config: Path, *args: str) -> dict:
    ran = run_cli("rank", *args, "--json", "-c", config)
    assert ran.exit_code == 0, ran.stderr
    return json.loads(ran.stdout)


@needs_shared_data
def test_import_is_idempotent_and_alerts_nothing(tmp_path):
    config = write_config(tmp_path, str(NETFLIX_WEEK_2))
    first = run_cli("import", NETFLIX_WEEK_1, "--source", "netflix", "-c", config)
    assert first.exit_code == 0
    assert "imported 8 chart periods (960 ranks)" in first.stdout
    again = run_cli("import", NETFLIX_WEEK_1, "--source", "netflix", "-c", config)
    assert "imported 0 chart periods (0 ranks); 8 already stored" in again.stdout
    more = run_cli("import", NETFLIX_WEEK_2, "--source", "netflix", "-c", config)
    assert "imported 2 chart periods (240 ranks)" in more.stdout
    # The imported week is history: polling the same file alerts nothing.
    code, alerts, _ = poll_json(config)
    assert (code, alerts) == (0, [])


@needs_shared_data
def test_import_needs_a_configured_source(imported):
    ran = run_cli("import", NETFLIX_WEEK_2, "--source", "spotify", "-c", imported)
    assert ran.exit_code == 2
    assert ran.stderr.strip() == (
        "chartbot: no source named 'spotify' in the config (sources: netflix)"
    )


@needs_shared_data
def test_import_of_a_broken_file_is_one_line(imported, tmp_path):
    broken = tmp_path / "broken.tsv"
    broken.write_text("<html>oops</html>")
    ran = run_cli("import", broken, "--source", "netflix", "-c", imported)
    assert ran.exit_code == 1
    assert ran.stderr.strip() == "chartbot: broken.tsv: an HTML page, not a Netflix Top 10 TSV"


@needs_shared_data
def test_rank_figures_match_the_file(imported):
    data = rank_json(imported, "stay close")
    assert data["title"] == "Stay Close"
    tv = data["charts"][0]
    assert (tv["source"], tv["chart"], tv["period"]) == ("netflix", "TV", "2022-01-16")
    table = [r for r in rows(WEEK_2) if r["show_title"] == "Stay Close"]
    now = {r["country_iso2"]: int(r["weekly_rank"]) for r in table if r["week"] == "2022-01-16"}
    before = [r for r in table if r["week"] == "2022-01-09" and r["weekly_rank"] == "1"]
    assert tv["ranks"] == now
    assert tv["number_one_count"] == sum(1 for r in now.values() if r == 1)
    assert tv["previous_number_one_count"] == len(before)
    assert tv["ranks"]["US"] == 3 and tv["previous_ranks"]["US"] == 2


@needs_shared_data
def test_rank_is_forgiving_and_suggests(imported):
    assert rank_json(imported, "STAY  CLOSE!")["title"] == "Stay Close"
    assert rank_json(imported, "cafe con aroma")["title"] == "Café con aroma de mujer"
    unknown = run_cli("rank", "Stya Clsoe Nwo", "-c", imported)
    assert unknown.exit_code == 1
    assert "no title matches 'Stya Clsoe Nwo'. Did you mean: Stay Close" in unknown.stderr


@needs_shared_data
def test_rank_shows_the_watched_markets(imported):
    ran = run_cli("rank", "Cobra Kai", "--country", "Japan", "-c", imported)
    assert ran.exit_code == 0
    assert "United States" in ran.stdout and "Japan" in ran.stdout
    assert "best rank" in ran.stdout


def test_rank_without_a_database_says_what_to_do(tmp_path):
    ran = run_cli("rank", "x", "-c", write_config(tmp_path, "x.tsv"))
    assert ran.exit_code == 1
    assert "no database at" in ran.stderr and "chartbot poll" in ran.stderr


def test_the_demo_tells_the_story():
    ran = run_cli("demo")
    assert ran.exit_code == 0, ran.stderr
    out = ran.stdout
    assert "All of Us Are Dead is now #1 in 46 countries (+2)" in out
    assert "All of Us Are Dead is now #1 in 44 countries (+19)" in out
    assert "All of Us Are Dead climbs to #2 in United States (was #3)" in out
    assert "baseline recorded" in out
    assert out.index("(+19)") < out.index("(+2)") < out.index("climbs to #2")


def test_the_demo_keeps_its_database_where_the_command_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ran = run_cli("demo", "--database", "demo.db")
    assert ran.exit_code == 0, ran.stderr
    assert (tmp_path / "demo.db").is_file()
    assert f"The demo's database is kept at {tmp_path / 'demo.db'}" in ran.stdout
    with sqlite3.connect(tmp_path / "demo.db") as db:
        assert db.execute("SELECT count(*) FROM ranks").fetchone()[0] > 0
    again = run_cli("demo", "--database", "demo.db")
    assert again.exit_code == 1 and "demo.db exists; the demo starts from an empty" in again.stderr


def test_the_bundled_story_matches_the_facts():
    text = DATA.read_text(encoding="utf-8")
    assert text == to_tsv(build_rows())  # the bundled file is what story.py builds
    assert published_days(text) == list(DAYS)
    table = rows(text)
    for day, expected_ones, us_rank in zip(DAYS, (25, 44, 46), (3, 3, 2), strict=True):
        day_rows = [r for r in table if r["week"] == day]
        assert len({r["country_iso2"] for r in day_rows}) == 88
        ones = {
            r["country_iso2"]
            for r in day_rows
            if r["show_title"] == "All of Us Are Dead" and r["weekly_rank"] == "1"
        }
        assert len(ones) == expected_ones
        us = [
            r
            for r in day_rows
            if r["country_iso2"] == "US" and r["show_title"] == "All of Us Are Dead"
        ]
        assert int(us[0]["weekly_rank"]) == us_rank
    assert {"KR", "JP", "FR", "DE"} <= ones


def test_every_command_has_help():
    for name, command in main.commands.items():
        assert command.help, f"{name} has no help"
        ran = run_cli(name, "--help")
        assert ran.exit_code == 0 and "Usage:" in ran.stdout


def test_every_command_says_what_it_does():
    from bot.cli import main

    for name, command in main.commands.items():
        ran = run_cli(name, "--help")
        assert ran.exit_code == 0, name
        assert command.help and command.help.split("\n")[0].strip(), f"{name} has no help text"
        assert command.help.split("\n")[0].strip()[:40] in ran.stdout, name


@needs_shared_data
def test_merging_titles_is_a_command_with_a_dry_run(imported):
    text = imported.read_text(encoding="utf-8")
    imported.write_text(text + '\n[titles]\nmerge = [["Stay Close", "Cobra Kai"]]\n')
    polled = run_cli("poll", "-c", imported)  # a poll never merges by itself
    assert "`chartbot merge-titles --dry-run` says which" in polled.stderr
    dry = run_cli("merge-titles", "--dry-run", "-c", imported)
    assert dry.exit_code == 0, dry.stderr
    assert "would join “Cobra Kai” (id " in dry.stdout and "into “Stay Close” (id " in dry.stdout
    assert "(a dry run: nothing was changed; joining cannot be undone)" in dry.stdout
    assert rank_json(imported, "Cobra Kai")["title"] == "Stay Close"  # the alias, looked up
    done = run_cli("merge-titles", "-c", imported)
    assert done.exit_code == 0 and done.stdout.startswith("joined “Cobra Kai”")
    again = run_cli("merge-titles", "-c", imported)
    assert again.stdout.startswith("nothing to merge")


@needs_shared_data
def test_rank_says_when_a_title_first_got_to_its_best_and_for_how_long(tmp_path):
    history = shared("history", "netflix-us-daily-top-10-2020-04-01--2021-12-31.csv")
    config = write_text_config(tmp_path, US_DAILY.format(url=history))
    assert run_cli("import", "--source", "usdaily", "-c", config).exit_code == 0
    ran = run_cli("rank", "squid game", "--country", "KR", "-c", config)
    assert ran.exit_code == 0, ran.stderr
    lines = [" ".join(line.split()) for line in ran.stdout.splitlines()]
    # The file has Squid Game at #1 in the US on 23 days, 2021-09-22 to 2021-10-15.
    assert "best rank #1 first on September 22, 2021 in United States, 23 days at #1" in lines
    # Netflix's own count of days in the top 10 is said as Netflix's, beside the days stored.
    assert "🇺🇸 United States #9 (was #10) · 66 days in the chart by Netflix's count" in lines
    assert "stored here 66 days since September 19, 2021" in lines
    assert "🇰🇷 South Korea not a country this chart lists" in lines
    # A chart of one country: no "#1 in 0 countries (-1 since …)", no "charting in 1 country".
    assert not [line for line in lines if line.startswith(("#1 in", "charting in"))]
    data = json.loads(run_cli("rank", "squid game", "--json", "-c", config).stdout)
    [chart] = data["charts"]
    assert (chart["best_rank_period"], chart["best_rank_periods"]) == ("2021-09-22", 23)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("", "--country", "KR"), 'Invalid value for TITLE: give a title, such as "squid game"'),
        (
            ("squid game", "--country", "Sout Korea"),
            "'Sout Korea' is not a country (did you mean South Korea or North Korea?)",
        ),
        (("squid game", "--country", "XX"), "'XX' is not a country: use a code such as KR"),
    ],
)
def test_rank_refuses_an_empty_title_and_an_unknown_country_with_a_hint(tmp_path, args, says):
    ran = run_cli("rank", *args, "-c", tmp_path / "none.toml")
    assert ran.exit_code == 2
    assert says in ran.stderr


@needs_shared_data
def test_status_and_check_config_speak_json_and_every_command_takes_verbose(imported):
    ran = run_cli("status", "--json", "-c", imported)
    assert ran.exit_code == 0, ran.stderr
    [netflix] = json.loads(ran.stdout)["sources"]
    assert (netflix["name"], netflix["latest_period"]) == ("netflix", "2022-01-16")
    ran = run_cli("check-config", "--json", "-c", imported)
    checked = json.loads(ran.stdout)
    assert checked["ok"] and checked["sources"][0]["every"] == "6h"
    assert checked["warnings"] == [
        f'source "netflix": {imported.parent / "unused.tsv"} does not exist'
    ]
    for command in ("status", "rank", "check-config", "rewrites"):
        args = ("Stay Close",) if command == "rank" else ()
        ran = run_cli(command, *args, "-v", "-c", imported)
        assert ran.exit_code == 0 and "no such option" not in ran.stderr, command


@needs_shared_data
def test_poll_polls_once_without_being_asked_and_its_lock_is_the_owners_only(tmp_path):
    config = write_config(tmp_path, NETFLIX_WEEK_1)
    ran = run_cli("poll", "-c", config)
    assert ran.exit_code == 0, ran.stderr
    assert "baseline recorded" in ran.stderr
    again = run_cli("poll", "--once", "-c", config)  # scripts written for --once still work
    assert again.exit_code == 0 and "netflix: unchanged (latest 2022-01-09)" in again.stderr
    lock = tmp_path / "chartbot.db.terminal.lock"
    assert lock.stat().st_mode & 0o777 == 0o600
