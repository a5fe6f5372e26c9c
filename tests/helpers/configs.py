"""Config files for tests: any text, or a Netflix source polled from a URL or a path."""

from __future__ import annotations

from pathlib import Path


def write_text_config(folder: Path, text: str) -> Path:
    """`text` as the folder's config.toml."""
    path = folder / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def write_config(
    folder: Path,
    url: str,
    *,
    alerts: str = 'min_countries = 3\nwatched_markets = ["US", "KR"]',
    source_extra: str = "",
) -> Path:
    path = folder / "config.toml"
    path.write_text(
        f"""
[database]
path = "chartbot.db"

[alerts]
{alerts}

[[sources]]
name = "netflix"
kind = "netflix_top10"
url = "{url}"
every = "6h"
{source_extra}
""",
        encoding="utf-8",
    )
    return path


# The real US daily Netflix top 10 of ../shared/data/history (dates like 4/1/2020) as a
# table source; format with url=.
US_DAILY = """
[alerts]
watched_markets = ["US", "KR"]

[[sources]]
name = "usdaily"
label = "Netflix"
kind = "table"
url = "{url}"
country = "US"
chart = "Top 10 US"
period_format = "%m/%d/%Y"
columns = {{ rank = "Rank", title = "Title", period = "As of", weeks = "Days In Top 10" }}
"""
