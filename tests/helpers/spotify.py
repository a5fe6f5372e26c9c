"""Spotify's real chart files (../shared/data/files/spotify/, read in place) and a config
of a Spotify source, for the tests of that source and of refusals."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.shared_data import shared

SPOTIFY = shared("files", "spotify")
OLD = SPOTIFY / "spotifycharts"
NO_NOTE = SPOTIFY / "saved-without-note"
WEEK_0117 = OLD / "regional-global-weekly-2020-01-17--2020-01-24.csv"
WEEK_0124 = OLD / "regional-global-weekly-2020-01-24--2020-01-31.csv"
WEEK_0131 = OLD / "regional-global-weekly-2020-01-31--2020-02-07.csv"
WEEK_0207 = OLD / "regional-global-weekly-2020-02-07--2020-02-14.csv"
LATEST = OLD / "regional-global-daily-latest.csv"
DAILY_US = SPOTIFY / "charts-spotify-com" / "regional-us-daily-2023-01-21.csv"
NEW_WEEK = SPOTIFY / "regional-global-weekly-2023-11-16.csv"
COMBINED = SPOTIFY / "combined" / "charts-kaggle-form.csv"
COMBINED_LF = SPOTIFY / "combined" / "charts-excerpt.csv"


def spotify_config(folder: Path, url: str | None = None, *, min_countries: int = 2) -> Path:
    path = folder / "config.toml"
    location = f'url = "{url}"' if url else ""
    path.write_text(
        f"""
[alerts]
min_countries = {min_countries}
watched_markets = ["US", "GLOBAL"]

[[sources]]
name = "spotify"
kind = "spotify_charts"
{location}
""",
        encoding="utf-8",
    )
    return path
