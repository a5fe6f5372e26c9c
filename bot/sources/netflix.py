"""Netflix's official Top 10, per country, weekly (`all-weeks-countries.tsv`).

The file carries the whole history (every week since 2021-07-04) in every
download, a new week every Tuesday, and no trailing newline. Columns:
country_name, country_iso2, week, category (Films/TV), weekly_rank,
show_title, season_title, cumulative_weeks_in_top_10. Films and TV become
separate charts. The global file (no country columns) is read as the chart
of one pseudo-country, GLOBAL.

Columns are found by name, so added or reordered columns do not break the
parse; a missing one, or any malformed line, rejects the whole file.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable
from datetime import date
from typing import Any

from bot import countries
from bot.config import NetflixSourceConfig
from bot.engine.model import ChartRow
from bot.engine.titles import TitleAliases
from bot.sources.base import (
    Keep,
    ParseError,
    Snapshot,
    Unchanged,
    ValidatorMap,
    Validators,
    content_hash,
    keep_all,
)
from bot.sources.decode import decode, lines, not_a_table
from bot.sources.fetch import fetch

log = logging.getLogger(__name__)

REQUIRED = ("week", "category", "weekly_rank", "show_title")
MAX_RANK = 10_000

# Netflix has renamed categories before; the chart keeps its identity.
_CHART_NAMES = {
    "films": "Films",
    "film": "Films",
    "movies": "Films",
    "movie": "Films",
    "tv": "TV",
    "tv shows": "TV",
    "shows": "TV",
    "series": "TV",
    "tv series": "TV",
}


def chart_name(category: str) -> str:
    """'movies' -> 'Films', 'TV' -> 'TV'; other categories keep their own name."""
    category = " ".join(category.split())
    return _CHART_NAMES.get(category.casefold(), category)


class NetflixTop10:
    """The `netflix_top10` source."""

    def __init__(
        self, config: NetflixSourceConfig, base_dir: Any, aliases: TitleAliases | None = None
    ) -> None:
        self.config = config
        self.base_dir = base_dir
        self.aliases = aliases or TitleAliases()
        self.expected_countries: frozenset[str] | None = None

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def location(self) -> str:
        return self.config.url

    async def fetch_snapshot(
        self,
        *,
        session: Any,
        validators: ValidatorMap,
        stored_hash: str | None,
        keep: Keep = keep_all,
        location: str | None = None,
    ) -> Snapshot | Unchanged:
        url = location or self.config.url
        fetched = await fetch(
            url,
            session=session,
            timeout=self.config.timeout,
            max_size=self.config.max_size,
            validators=validators.get(url, Validators()),
            base_dir=self.base_dir,
        )
        if fetched.body is None:
            return Unchanged({url: fetched.validators})
        digest = content_hash(fetched.body, self.config.charts)
        if digest == stored_hash:
            return Unchanged({url: fetched.validators})
        snapshot = await asyncio.to_thread(self.parse, fetched.body, keep)
        snapshot.validators = {url: fetched.validators}
        return snapshot

    def parse(self, body: bytes, keep: Keep = keep_all) -> Snapshot:
        return parse_netflix(
            body,
            source=self.name,
            charts=self.config.charts,
            keep=keep,
            rename=self.aliases.canonical,
        )


def parse_netflix(
    body: bytes,
    *,
    source: str,
    charts: list[str] | None = None,
    keep: Keep = keep_all,
    rename: Callable[[str], str] = str,
) -> Snapshot:
    """Parse a Netflix Top 10 TSV body into a snapshot, or raise ParseError saying why not.

    `rename` maps a title to the name it is stored under (the config's title merges).
    """
    text = decode(body)
    if reason := not_a_table(text, "Netflix Top 10 TSV"):
        raise ParseError(reason)
    wanted = {chart_name(c) for c in charts} if charts else None
    snapshot = Snapshot(source=source, content_hash=content_hash(body, charts))
    snapshot.reparse = lambda again: parse_netflix(
        body, source=source, charts=charts, keep=again, rename=rename
    )
    rows = lines(text)
    header_line = next(rows, "")
    columns = _columns(header_line)
    width = len(header_line.split("\t"))
    read_row = _row_reader(columns, rename)
    number = 1
    pending: tuple[int, str] | None = None
    for line in rows:
        number += 1
        if not line.strip():
            continue
        if pending is not None:
            _add(snapshot, read_row, pending, width, keep, wanted, last=False)
        pending = (number, line)
    if pending is None:
        raise ParseError("the file has a header but no rows")
    _add(snapshot, read_row, pending, width, keep, wanted, last=True)
    if not snapshot.periods:
        raise ParseError(f"no rows for the charts {sorted(wanted or [])} in the file")
    return snapshot


def _add(
    snapshot: Snapshot,
    read_row: Any,
    numbered: tuple[int, str],
    width: int,
    keep: Keep,
    wanted: set[str] | None,
    *,
    last: bool,
) -> None:
    number, line = numbered
    fields = line.split("\t")
    if len(fields) != width:
        cut = ": the file looks cut off" if last and len(fields) < width else ""
        raise ParseError(
            f"line {number} has {len(fields)} fields where the header has {width}{cut}"
        )
    try:
        row = read_row(fields)
        if wanted is not None and row.chart not in wanted:
            return
        snapshot.add(row, keep)
    except ValueError as exc:
        cut = " (the file looks cut off)" if last else ""
        raise ParseError(f"line {number}: {exc}{cut}") from None


def _columns(header: str) -> dict[str, int]:
    names = [name.strip().strip('"').lower() for name in header.split("\t")]
    if len(names) < 2:
        raise ParseError(f"the first line is not a TSV header: {header[:60]!r}")
    columns = {name: index for index, name in enumerate(names) if name}
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise ParseError(f"the header lacks {', '.join(missing)} (found: {', '.join(names)[:200]})")
    return columns


def _row_reader(columns: dict[str, int], rename: Callable[[str], str]) -> Any:
    """A function turning one line's fields into a ChartRow, for this header's layout."""
    week, category = columns["week"], columns["category"]
    rank, title = columns["weekly_rank"], columns["show_title"]
    season = columns.get("season_title")
    weeks = columns.get("cumulative_weeks_in_top_10")
    iso2, country_name = columns.get("country_iso2"), columns.get("country_name")
    periods: dict[str, str] = {}
    names: dict[str, str] = {}
    intern = sys.intern

    def country_of(fields: list[str]) -> str:
        if iso2 is not None:
            code = fields[iso2].strip().upper()
            if len(code) != 2 or not code.isascii() or not code.isalpha():
                raise ValueError(f"country code {fields[iso2]!r} is not two letters")
            return intern(code)
        if country_name is not None:
            spelled = fields[country_name].strip()
            if spelled not in names:
                code = countries.lookup(spelled)
                if code is None:
                    raise ValueError(f"unknown country {spelled!r}")
                names[spelled] = code
            return names[spelled]
        return "GLOBAL"

    def period_of(value: str) -> str:
        if value not in periods:
            try:
                periods[value] = intern(date.fromisoformat(value.strip()).isoformat())
            except ValueError:
                raise ValueError(f"week {value!r} is not a date like 2022-01-16") from None
        return periods[value]

    def read(fields: list[str]) -> ChartRow:
        rank_text = fields[rank].strip()
        if not (rank_text.isascii() and rank_text.isdigit()) or not 1 <= int(rank_text) <= MAX_RANK:
            raise ValueError(f"rank {fields[rank]!r} is not a whole number from 1 to {MAX_RANK}")
        name = fields[title].strip()
        if not name:
            raise ValueError("the title is empty")
        chart = fields[category].strip()
        if not chart:
            raise ValueError("the category is empty")
        return ChartRow(
            chart=intern(chart_name(chart)),
            period=period_of(fields[week]),
            country=country_of(fields),
            rank=int(rank_text),
            title=intern(rename(name)),
            season=_season(fields[season]) if season is not None else None,
            weeks=_weeks(fields[weeks]) if weeks is not None else None,
        )

    return read


def _season(value: str) -> str | None:
    value = value.strip()
    return None if value in ("", "N/A", "NA", "n/a") else sys.intern(value)


def _weeks(value: str) -> int | None:
    value = value.strip()
    if not value or value in ("N/A", "NA"):
        return None
    if not (value.isascii() and value.isdigit()):
        raise ValueError(f"cumulative_weeks_in_top_10 {value!r} is not a whole number")
    return int(value)
