"""Chart files as people have them (../shared/data/files/SOURCES.md says where each came from),
through the real CLI: every Spotify layout, the combined dataset, Apple feeds of both
shapes, Netflix's other official files, and refusals that say what to do."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from bot.sources.spotify import combined
from tests.helpers.cli import poll_json, run_cli
from tests.helpers.shared_data import needs_shared_data
from tests.helpers.spotify import (
    COMBINED,
    COMBINED_LF,
    DAILY_US,
    LATEST,
    NEW_WEEK,
    NO_NOTE,
    WEEK_0117,
    WEEK_0124,
    WEEK_0131,
    WEEK_0207,
    spotify_config,
)


def imported(config: Path, *files: Path | str, more: tuple[str, ...] = ()) -> str:
    ran = run_cli("import", *files, "--source", "spotify", "-c", config, *more)
    assert ran.exit_code == 0, ran.stderr
    return ran.stdout + ran.stderr  # each file's line, then the warnings


def rank(config: Path, title: str) -> dict:
    ran = run_cli("rank", title, "--json", "-c", config)
    assert ran.exit_code == 0, ran.stderr
    return json.loads(ran.stdout)


# -- spotifycharts.com downloads (2017 - 2022) -----------------------------------------------


@needs_shared_data
def test_old_weekly_downloads_are_dated_by_their_weeks_last_day(tmp_path):
    config = spotify_config(tmp_path)
    out = imported(config, WEEK_0124, WEEK_0117)  # any order: taken oldest first
    assert out.count("imported 1 chart period (200 ranks)") == 2
    data = rank(config, "blinding lights")
    assert (data["title"], data["artist"]) == ("Blinding Lights", "The Weeknd")
    [weekly] = data["charts"]
    # Friday 2020-01-17 to Thursday 2020-01-23 is the week of 2020-01-23, as charts.spotify.com
    # dates its weekly files by their last day (a Thursday too: 2023-11-16).
    assert (weekly["chart"], weekly["period"], weekly["previous_period"]) == (
        "weekly",
        "2020-01-30",
        "2020-01-23",
    )
    assert date.fromisoformat(weekly["period"]).weekday() == date(2023, 11, 16).weekday()
    assert weekly["ranks"] == {"GLOBAL": 3} and weekly["period_unit"] == "week"
    text = run_cli("rank", "Blinding Lights", "-c", config).stdout
    assert "#3 (was #" in text and "2 weeks" in text


@needs_shared_data
def test_a_download_saved_without_its_note_line_is_the_same_chart(tmp_path):
    config = spotify_config(tmp_path)
    imported(config, WEEK_0117)
    out = imported(config, NO_NOTE / WEEK_0117.name)
    assert "imported 0 chart periods (0 ranks); 1 already stored" in out
    # Whoever saved this copy also let a spreadsheet turn "10,000 Hours" into "10.000
    # Hours": the copies differ by that, and the stored one is kept (one title all the same).
    assert "1 period differs from the stored copies (weekly 2020-01-23)" in out
    assert out.count("differs") == 1  # said once, not also as a log line
    assert rank(config, "10.000 hours")["title"] == "10,000 Hours (with Justin Bieber)"


@needs_shared_data
def test_old_and_new_layouts_know_a_song_the_same_way(tmp_path):
    # "Closer" is "The Chainsmokers, Halsey" in the combined dataset and "The Chainsmokers"
    # in a 2019 download: one song (its lead artist, and the same track id in both).
    config = spotify_config(tmp_path)
    imported(config, COMBINED)
    imported(config, NO_NOTE / "regional-global-daily-2019-01-01.csv")
    data = rank(config, "closer")
    assert (data["title"], data["artist"]) == ("Closer", "The Chainsmokers")
    [daily] = data["charts"]
    assert daily["period"] == "2019-01-01" and daily["ranks"] == {"GLOBAL": 93}
    assert daily["best_rank"] == 3 and daily["best_rank_countries"] == ["PL"]
    assert daily["period_unit"] == "day"


@needs_shared_data
def test_a_download_without_a_date_says_how_to_give_it_and_that_works(tmp_path):
    config = spotify_config(tmp_path)
    ran = run_cli("import", LATEST, "--source", "spotify", "-c", config)
    assert ran.exit_code == 1
    assert ran.stderr.count("\n") == 1 and "Traceback" not in ran.stderr
    assert (
        "regional-global-daily-latest.csv has no date in its name: give the chart's day with "
        "`chartbot import regional-global-daily-latest.csv --source NAME --period YYYY-MM-DD`"
        in ran.stderr
    )
    imported(config, LATEST, more=("--period", "2020-02-19"))
    [daily] = rank(config, "dance monkey")["charts"]
    assert (daily["chart"], daily["period"], daily["ranks"]) == (
        "daily",
        "2020-02-19",
        {"GLOBAL": 1},
    )


@needs_shared_data
def test_a_watched_folder_of_old_downloads_alerts(tmp_path):
    folder = tmp_path / "downloads"
    folder.mkdir()
    shutil.copy(WEEK_0131, folder)
    config = spotify_config(tmp_path, "downloads")
    assert poll_json(config)[:2] == (0, [])
    shutil.copy(WEEK_0207, folder)
    code, alerts, stderr = poll_json(config)
    assert code == 0, stderr
    assert [a["text"] for a in alerts] == ["**The Box — Roddy Ricch** takes #1 worldwide (was #2)"]
    assert alerts[0]["period"] == "2020-02-13"


# -- charts.spotify.com daily downloads: days, not weeks -------------------------------------


@needs_shared_data
def test_a_daily_chart_counts_days(tmp_path):
    config = spotify_config(tmp_path)
    imported(config, DAILY_US)
    [daily] = rank(config, "flowers")["charts"]
    assert (daily["chart"], daily["period"], daily["period_unit"]) == ("daily", "2023-01-21", "day")
    assert daily["in_chart"] == {"US": 9}  # days_on_chart
    text = run_cli("rank", "flowers", "--country", "US", "-c", config).stdout
    assert "#1 · 9 days in the chart by spotify's count" in text
    assert "1 day since January 21, 2023" in text


@needs_shared_data
def test_a_weekly_chart_counts_weeks(tmp_path):
    config = spotify_config(tmp_path)
    imported(config, NEW_WEEK)
    [weekly] = rank(config, "flowers")["charts"]
    assert weekly["period_unit"] == "week" and weekly["in_chart"] == {"GLOBAL": 44}


# -- the combined dataset ----------------------------------------------------------------------


@needs_shared_data
def test_the_combined_dataset_is_recognised_by_its_header(tmp_path):
    config = spotify_config(tmp_path)
    out = imported(config, COMBINED)
    assert "imported 1 chart period (20 ranks); 0 already stored" in out
    chantaje = rank(config, "chantaje")
    assert chantaje["artist"] == "Shakira"
    assert chantaje["charts"][0]["ranks"] == {"AR": 1}
    safari = rank(config, "safari")
    assert safari["artist"] == "J Balvin"  # the lead artist of "J Balvin, Pharrell Williams, …"
    # The quoted excerpt (LF, whole-number streams) is the same data: nothing new.
    assert "imported 0 chart periods (0 ranks); 1 already stored" in imported(config, COMBINED_LF)


@needs_shared_data
def test_the_combined_dataset_streams_in_whole_groups(tmp_path, monkeypatch):
    monkeypatch.setattr(combined, "BATCH_ROWS", 5)  # a part ends where a group does
    big = tmp_path / "charts.csv"
    big.write_bytes(_days(COMBINED.read_bytes(), ["2017-01-01", "2017-01-02", "2017-01-03"]))
    config = spotify_config(tmp_path)
    out = imported(config, big)
    assert "imported 3 chart periods (60 ranks); 0 already stored" in out  # in 6 parts
    assert len(rank(config, "heathens")["charts"][0]["ranks"]) == 1
    again = imported(config, big)  # run again (as after a kill): nothing doubled
    assert "imported 0 chart periods (0 ranks); 3 already stored" in again


@needs_shared_data
def test_the_combined_reader_hands_on_parts_before_the_file_ends():
    body = _days(COMBINED.read_bytes(), [f"2017-01-{d:02d}" for d in range(1, 29)])
    handle = _Counting(body.decode("utf-8"))
    parts = combined.combined_batches(
        handle, source="spotify", name="charts.csv", position=handle.tell, batch_rows=40
    )
    first = next(parts)
    assert first.snapshot.row_count == 40 and first.position < len(body) / 4
    assert sum(p.snapshot.row_count for p in parts) + 40 == 28 * 20


@needs_shared_data
@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda t: t.replace("Poland", "Atlantis"), "line 12: unknown region 'Atlantis'"),
        (lambda t: t.replace("top200", "top500", 1), "line 2: unknown chart 'top500'"),
        (lambda t: t.replace("2017-01-01", "1/1/2017", 1), "line 2: date '1/1/2017'"),
        (lambda t: t.rsplit("\r\n", 3)[0][:-30], "line 19 has 6 fields where the header has 9"),
        (
            lambda t: t + t.split("\r\n", 1)[1],
            "line 22: the rows of Argentina top200 2017-01-01 come back after other rows",
        ),
    ],
    ids=["region", "chart", "date", "cut", "group again"],
)
def test_a_broken_combined_file_is_named_with_its_line(tmp_path, change, reason):
    bad = tmp_path / "charts.csv"
    bad.write_text(change(COMBINED.read_bytes().decode()), encoding="utf-8", newline="")
    ran = run_cli("import", bad, "--source", "spotify", "-c", spotify_config(tmp_path))
    assert ran.exit_code == 1 and ran.stderr.startswith("chartbot: charts.csv: ")
    assert reason in ran.stderr


@needs_shared_data
def test_a_combined_file_that_is_not_utf8_is_named_with_where(tmp_path):
    bad = tmp_path / "charts.csv"
    text = COMBINED.read_bytes().decode().replace("Chantaje", "Chantaj\u00e9")
    bad.write_bytes(text.encode("cp1252"))  # saved by a spreadsheet as Windows text
    ran = run_cli("import", bad, "--source", "spotify", "-c", spotify_config(tmp_path))
    assert ran.exit_code == 1, ran.stdout
    assert ran.stderr.startswith("chartbot: charts.csv: line 2 is not UTF-8 text"), ran.stderr


@needs_shared_data
def test_viral_rows_of_the_combined_dataset_are_their_own_chart(tmp_path):
    # No real viral50 rows were found (SOURCES.md): these are the excerpt's first rows
    # relabelled, with the empty streams viral50 rows have.
    lines = COMBINED.read_bytes().decode().split("\r\n")
    viral = [ln.replace("top200", "viral50").rsplit(",", 1)[0] + "," for ln in lines[1:11]]
    path = tmp_path / "charts.csv"
    path.write_text("\r\n".join([*lines, *viral]), encoding="utf-8", newline="")
    config = spotify_config(tmp_path)
    imported(config, path)
    charts = {c["chart"]: c["ranks"] for c in rank(config, "chantaje")["charts"]}
    assert charts == {"daily": {"AR": 1}, "viral daily": {"AR": 1}}


def _days(body: bytes, days: list[str]) -> bytes:
    """The excerpt's rows repeated for each day (a bigger file in the same layout)."""
    header, _, rows = body.partition(b"\r\n")
    out = [header]
    for day in days:
        out.append(rows.rstrip(b"\r\n").replace(b"2017-01-01", day.encode()))
    return b"\r\n".join(out) + b"\r\n"


class _Counting:
    """A text file that says how far it has been read."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines(keepends=True)
        self.read_to = 0

    def __iter__(self):
        for line in self.lines:
            self.read_to += len(line.encode())
            yield line

    def tell(self) -> int:
        return self.read_to


@needs_shared_data
def test_a_folder_of_top_200_downloads_is_polled_after_the_viral_lists_were_imported(tmp_path):
    # The combined dataset brought the viral 50 too; a fan's folder has only the top 200
    # downloads. A day without a viral file is not a broken file.
    lines = COMBINED.read_bytes().decode().split("\r\n")
    viral = [ln.replace("top200", "viral50").rsplit(",", 1)[0] + "," for ln in lines[1:11]]
    history = tmp_path / "charts.csv"
    history.write_text("\r\n".join([*lines, *viral]), encoding="utf-8", newline="")
    folder = tmp_path / "downloads"
    folder.mkdir()
    config = spotify_config(tmp_path, str(folder))
    imported(config, history)
    for country in ("us", "ar", "pl"):  # the history's countries, and one more
        shutil.copy(DAILY_US, folder / DAILY_US.name.replace("-us-", f"-{country}-"))
    code, _, err = poll_json(config)
    assert code == 0, err
    assert "missing" not in err
    flowers = rank(config, "flowers")
    charts = {c["chart"]: c["ranks"] for c in flowers["charts"]}
    assert charts == {"daily": {"US": 1, "AR": 1, "PL": 1}}
