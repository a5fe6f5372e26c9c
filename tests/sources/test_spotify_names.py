"""What Spotify's file names say, as a table."""

from __future__ import annotations

import pytest

from bot.engine.model import PeriodUnit
from bot.sources.base import ParseError
from bot.sources.spotify.layouts import Layout, layout_of, lead_artist, streams, track_uri
from bot.sources.spotify.names import describe_file

NAMES = {
    "new daily": ("regional-us-daily-2023-01-21.csv", ("daily", "US", "2023-01-21", "day")),
    "new weekly": (
        "regional-global-weekly-2023-11-16.csv",
        ("weekly", "GLOBAL", "2023-11-16", "week"),
    ),
    "old weekly": (
        "regional-global-weekly-2020-01-17--2020-01-24.csv",
        ("weekly", "GLOBAL", "2020-01-23", "week"),
    ),
    "viral": ("viral-kr-daily-2021-05-01.csv", ("viral daily", "KR", "2021-05-01", "day")),
    "no date": ("regional-global-daily-latest.csv", ("daily", "GLOBAL", None, "day")),
    "saved twice": (
        "regional-gb-weekly-2023-11-16 (1).csv",
        ("weekly", "GB", "2023-11-16", "week"),
    ),
}


@pytest.mark.parametrize("case", list(NAMES), ids=list(NAMES))
def test_file_names(case):
    name, (chart, country, period, unit) = NAMES[case]
    found = describe_file(name)
    assert found is not None
    assert (found.chart, found.country, found.period, found.unit) == (
        chart,
        country,
        period,
        PeriodUnit(unit),
    )


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("regional-xx-daily-2023-01-21.csv", "XX is not a country code"),
        ("regional-us-daily-2023-02-30.csv", "2023-02-30 is not a date"),
        ("regional-us-weekly-2020-01-17--2020-03-24.csv", "is not one week"),
    ],
)
def test_names_that_are_wrong(name, reason):
    with pytest.raises(ParseError, match=reason):
        describe_file(name)


def test_other_names_are_not_downloads():
    assert describe_file("top-songs.csv") is None


def test_an_undated_name_says_how_to_date_it():
    found = describe_file("regional-global-weekly-latest.csv")
    assert found is not None
    with pytest.raises(ParseError, match=r"give its week's last day with .*--period YYYY-MM-DD"):
        found.dated()
    assert found.dated("2020-01-23").period == "2020-01-23"


@pytest.mark.parametrize(
    ("credit", "lead"),
    [
        ("Jung Kook, Latto", "Jung Kook"),
        ("Tyler, The Creator, Kali Uchis", "Tyler, The Creator"),
        ("Tones and I", "Tones and I"),
    ],
)
def test_lead_artists(credit, lead):
    assert lead_artist(credit) == lead


def test_layouts_by_header():
    assert (
        layout_of(["rank", "uri", "artist_names", "track_name", "days_on_chart"]) is Layout.CHARTS
    )
    assert layout_of(["position", "track name", "artist", "streams", "url"]) is Layout.SPOTIFYCHARTS
    assert layout_of("title rank date artist url region chart trend streams".split()) is (
        Layout.COMBINED
    )
    assert layout_of(["pos", "song"]) is None


def test_track_ids_and_streams():
    assert track_uri("https://open.spotify.com/track/1rgnBhdG2JDFTbYkYRZAku") == (
        "spotify:track:1rgnBhdG2JDFTbYkYRZAku"
    )
    assert [streams(v) for v in ("253019.0", "39202729", "", "n/a")] == [
        "253019",
        "39202729",
        None,
        None,
    ]


def test_a_big_imports_progress_shows_rows_and_their_rate():
    from rich.console import Console
    from rich.progress import Progress

    from bot.terminal import RowsColumn

    with Progress(console=Console(file=open("/dev/null", "w"))) as bar:
        task = bar.add_task("importing", total=1000, rows=12_345)
        bar.update(task, completed=500)
        shown = RowsColumn().render(bar.tasks[0]).plain
    assert shown.startswith("12,345 rows · ") and shown.endswith(" rows/s")
