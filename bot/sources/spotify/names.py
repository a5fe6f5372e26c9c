"""What a Spotify chart download's file name says: list, country, daily or weekly, and date.

Spotify has named its downloads three ways:

- charts.spotify.com: `regional-<cc|global>-<daily|weekly>-<YYYY-MM-DD>.csv`, the date
  being the chart's day or the last day of its week;
- spotifycharts.com (2017 - 2022): the same for daily charts, and
  `regional-<cc|global>-weekly-<start>--<end>.csv` for weekly ones, `start` being the
  week's first day and `end` the next week's first day;
- as a browser saved the page's "latest" link: `regional-global-daily-latest.csv`,
  with no date anywhere.

`viral-…` files are the Viral 50 lists. Weekly charts are dated by their week's last
day in both formats (a Thursday: Spotify's weeks run Friday to Thursday), so the old
`…-weekly-2020-01-17--2020-01-24.csv` is the week of 2020-01-23.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from bot import countries
from bot.engine.model import PeriodUnit
from bot.engine.source_types import FailureKind
from bot.sources.base import ParseError

FILE_NAME = re.compile(
    r"(?P<list>regional|viral)-(?P<country>[a-z]{2}|global)-(?P<span>daily|weekly)-"
    r"(?P<date>\d{4}-\d{2}-\d{2}|latest)(?:--(?P<end>\d{4}-\d{2}-\d{2}))?",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class ChartFile:
    """One download, as its name describes it."""

    name: str
    chart: str  # "daily", "weekly", "viral daily", "viral weekly"
    country: str  # an ISO code, or GLOBAL
    period: str | None  # None: the name carries no date
    unit: PeriodUnit

    def dated(self, period: str | None = None) -> ChartFile:
        """This file with its period: the name's, else `period` (an import's --period)."""
        if self.period is not None:
            return self
        if period is None:
            raise ParseError(
                undated_advice(self.name, self.chart), kind=FailureKind.NO_DATE_IN_NAME
            )
        return ChartFile(self.name, self.chart, self.country, period, self.unit)


def chart_name(viral: bool, unit: PeriodUnit) -> str:
    span = "daily" if unit is PeriodUnit.DAY else "weekly"
    return f"viral {span}" if viral else span


def describe_file(name: str) -> ChartFile | None:
    """'regional-global-weekly-2023-11-16.csv' -> its chart file; None for another name."""
    base = Path(name).name
    found = FILE_NAME.search(base)
    if found is None:
        return None
    code = found["country"].upper()
    if code != countries.WORLDWIDE and countries.lookup(code) is None:
        raise ParseError(f"{base}: {code} is not a country code")
    unit = PeriodUnit.DAY if found["span"].lower() == "daily" else PeriodUnit.WEEK
    period = None
    if found["date"].lower() != "latest":
        period = _period(base, found["date"], found["end"], unit)
    return ChartFile(base, chart_name(found["list"].lower() == "viral", unit), code, period, unit)


def _period(base: str, first: str, end: str | None, unit: PeriodUnit) -> str:
    try:
        day = date.fromisoformat(first)
        if end is None:
            return day.isoformat()
        last = date.fromisoformat(end)
    except ValueError:
        raise ParseError(f"{base}: {first} is not a date") from None
    if unit is not PeriodUnit.WEEK or not day < last <= day + timedelta(days=7):
        raise ParseError(f"{base}: {first}--{end} is not one week")
    return (day + timedelta(days=6)).isoformat()  # the week's last day, as charts.spotify.com


def undated_advice(name: str, chart: str) -> str:
    """The one line for a download with no date in its name: how to give it one."""
    which = "its week's last day" if "weekly" in chart else "the chart's day"
    dated = name.lower().replace("latest", "YYYY-MM-DD")
    return (
        f"{name} has no date in its name: give {which} with `chartbot import {name} "
        f"--source NAME --period YYYY-MM-DD`, or rename it {dated}"
    )
