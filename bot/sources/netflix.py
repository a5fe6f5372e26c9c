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

import logging
import sys
from collections.abc import Callable
from datetime import date
from typing import Any
from zlib import crc32

import aiohttp

from bot import countries
from bot.config import NetflixSourceConfig
from bot.engine.model import WORLDWIDE, PackedLine, PackedRows, PeriodSummary, PeriodUnit
from bot.engine.source_types import FailureKind, ValidatorMap
from bot.sources.added_lines import added_lines
from bot.sources.base import (
    NOTHING_KNOWN,
    Keep,
    Known,
    ParseError,
    Snapshot,
    Target,
    Unchanged,
    content_hash,
    keep_all,
    pieces_hash,
)
from bot.sources.configured import ConfiguredSource
from bot.sources.decode import byte_lines, not_a_table, utf8

log = logging.getLogger(__name__)

REQUIRED = ("week", "category", "weekly_rank", "show_title")
# The columns of most-popular.tsv, the all-time list (no weeks, ranked by first-91-days views).
ALL_TIME_COLUMNS = {"hours_viewed_first_91_days", "views_first_91_days"}
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


class NetflixTop10(ConfiguredSource):
    """The `netflix_top10` source."""

    config: NetflixSourceConfig
    fixed_length = True  # a top 10: a country with fewer rows than before is a broken file
    whole_history = True  # every download carries every week since 2021

    async def fetch_snapshot(
        self,
        *,
        session: aiohttp.ClientSession,
        validators: ValidatorMap,
        known: Known = NOTHING_KNOWN,
        target: Target | None = None,
    ) -> Snapshot | Unchanged:
        return await self.fetch_parsed(
            self.where(target) or self.config.url,
            session,
            validators,
            known,
            lambda body, body_hash, keep: self.parse(body, known, body_hash, keep),
            salt=self.config.charts,
        )

    def parse(
        self,
        body: bytes,
        known: Known = NOTHING_KNOWN,
        body_hash: str | None = None,
        keep: Keep | None = None,
    ) -> Snapshot:
        """The body's snapshot: read by its added lines alone when it allows, else whole
        (keeping the rows `keep` says, by default from the newest stored period on)."""
        options: dict[str, Any] = {
            "source": self.name,
            "charts": self.config.charts,
            "rename": self.aliases.canonical,
            "body_hash": body_hash,
        }
        if keep is None or keep == known.keep:
            added = parse_added(body, known, **options)
            if added is not None:
                return added
        return parse_netflix(body, keep=keep or known.keep, **options)


def parse_added(body: bytes, known: Known, **options: Any) -> Snapshot | None:
    """The snapshot of a body that only adds lines to the body stored last, from those lines.

    None when the body does anything else (see bot/sources/added_lines.py): the
    caller then reads it whole. The snapshot's periods are the added ones; the
    pipeline takes the others as stored (`Snapshot.based_on`).
    """
    if known.history_hash is None or not known.latest:
        return None
    options["body_hash"] = options.get("body_hash") or content_hash(body, options.get("charts"))
    header_end = body.find(b"\n") + 1
    try:
        week = _columns(_text(body[:header_end], 1))["week"]
    except ParseError:
        return None
    latest = max(known.latest.values())
    cut = added_lines(body, column=week, latest=latest)
    if cut is None or pieces_hash(cut.rest(), options["charts"]) != known.history_hash:
        return None
    try:
        snapshot = parse_netflix(body[:header_end] + cut.added, **options)
    except ParseError:
        return None  # reading the whole body says where the fault is
    if any(period <= latest for _, period in snapshot.periods):
        return None
    snapshot.based_on = known.history_hash
    snapshot.as_stored = set(known.stored) - set(snapshot.periods)
    log.debug(
        "source %s: read only the %s rows added to the body stored before",
        snapshot.source,
        f"{snapshot.row_count:,}",
    )
    return snapshot


def parse_netflix(
    body: bytes,
    *,
    source: str,
    charts: list[str] | None = None,
    keep: Keep = keep_all,
    rename: Callable[[str], str] = str,
    body_hash: str | None = None,
) -> Snapshot:
    """Parse a Netflix Top 10 TSV body into a snapshot, or raise ParseError saying why not.

    `rename` maps a title to the name it is stored under (the config's title merges);
    `body_hash` is the body's content hash when the caller has it already.
    """
    raw = utf8(body)
    if refused := not_a_table(raw[:400].decode("utf-8", "replace"), "Netflix Top 10 TSV"):
        raise refused
    wanted = {chart_name(c) for c in charts} if charts else None
    snapshot = Snapshot(source=source, content_hash=body_hash or content_hash(body, charts))
    rows = byte_lines(raw)
    header_line = _text(next(rows, b""), 1)
    columns = _columns(header_line)
    width = len(header_line.split("\t"))
    reader = _RowReader(columns, rename)
    groups = snapshot.periods
    kept: dict[tuple[str, str], list[PackedLine] | None] = {}
    # The hot loop: each field's text is looked up in its memo (parsed and checked once),
    # and a kept row is packed as a tuple (PackedRows), each title written once.
    charts_of, periods_of, ranks_of = reader.charts, reader.periods, reader.ranks
    codes_of, category, week, rank_at = reader.codes, reader.category, reader.week, reader.rank
    country_at = reader.country
    number = 1
    group: tuple[str, str] | None = None  # the chart period of the run of rows being read
    summary: PeriodSummary
    into: list[PackedLine] | None
    for line in rows:
        number += 1
        try:
            fields = line.decode("utf-8").split("\t")
        except UnicodeDecodeError:
            fields = _text(line, number).split("\t")  # raises the error naming the line
        if len(fields) != width:
            if not line.strip():
                continue
            last = raw.rstrip().endswith(line.rstrip())
            cut = ": the file looks cut off" if last and len(fields) < width else ""
            raise ParseError(
                f"line {number} has {len(fields)} fields where the header has {width}{cut}",
                kind=FailureKind.CUT_OFF if cut else FailureKind.UNREADABLE,
            )
        try:
            chart = charts_of[fields[category]]
            period = periods_of[fields[week]]
            country = codes_of[fields[country_at]] if country_at is not None else WORLDWIDE
            rank = ranks_of[fields[rank_at]]
            if wanted is not None and chart not in wanted:
                continue
            if group != (chart, period):  # a file's rows come in runs of one chart period
                group = (chart, period)
                if group not in groups:
                    groups[group] = PeriodSummary(chart, period)
                    kept[group] = None
                    if keep(chart, period):
                        packed = PackedRows(chart, period, [], reader.songs)
                        snapshot.rows[group] = packed
                        kept[group] = packed.lines
                summary, into = groups[group], kept[group]
            summary.count(country, rank, crc32(line))
            if into is not None:
                into.append(reader.line(fields, country, rank))
            else:
                reader.check(fields)  # summarised only, but checked all the same
        except ValueError as exc:
            last = raw.rstrip().endswith(line.rstrip())
            cut = " (the file looks cut off)" if last else ""
            raise ParseError(
                f"line {number}: {exc}{cut}",
                kind=FailureKind.CUT_OFF if cut else FailureKind.UNREADABLE,
            ) from None
    if not snapshot.periods and number <= 2:
        raise ParseError("the file has a header but no rows")
    if not snapshot.periods:
        raise ParseError(f"no rows for the charts {sorted(wanted or [])} in the file")
    snapshot.units = {chart: PeriodUnit.WEEK for chart, _ in snapshot.periods}
    return snapshot


def _text(line: bytes, number: int) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError(
            f"not UTF-8 text (bad byte 0x{line[exc.start]:02x} on line {number})",
            kind=FailureKind.NOT_TEXT,
        ) from None


def _columns(header: str) -> dict[str, int]:
    names = [name.strip().strip('"').lower() for name in header.split("\t")]
    if len(names) < 2:
        raise ParseError(
            f"the first line is not a TSV header: {header[:60]!r}",
            kind=FailureKind.UNKNOWN_LAYOUT,
        )
    columns = {name: index for index, name in enumerate(names) if name}
    if "week" not in columns and ALL_TIME_COLUMNS & set(columns):
        raise ParseError(
            "this is Netflix's all-time most-popular list (most-popular.tsv), not a weekly "
            "chart: the netflix source reads the weekly files all-weeks-countries.tsv (per "
            "country) and all-weeks-global.tsv (worldwide)",
            kind=FailureKind.UNKNOWN_LAYOUT,
        )
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise ParseError(f"the header lacks {', '.join(missing)} (found: {', '.join(names)[:200]})")
    return columns


class _RowReader:
    """Turns one line's fields into values, for this header's layout.

    Every field's raw text is checked once and remembered: a file repeats the
    same weeks, countries, ranks and titles over and over.
    """

    def __init__(self, columns: dict[str, int], rename: Callable[[str], str]) -> None:
        self.week, self.category = columns["week"], columns["category"]
        self.rank, self.title = columns["weekly_rank"], columns["show_title"]
        self.season = columns.get("season_title")
        self.weeks = columns.get("cumulative_weeks_in_top_10")
        iso2 = columns.get("country_iso2")
        self.country = iso2 if iso2 is not None else columns.get("country_name")
        self.periods, self.charts, self.ranks = _Memo(_period), _Memo(_chart), _Memo(_rank)
        self.titles = _Memo(lambda raw: sys.intern(rename(_title(raw))))
        self.seasons, self.weeks_in = _Memo(_season), _Memo(_weeks)
        self.codes = _Memo(_iso_code if iso2 is not None else _country_name)
        self.songs: list[tuple[str, str | None]] = []  # each title once, as packed rows name it
        self.song_of = _Memo(self._song)

    def check(self, fields: list[str]) -> None:
        self.titles[fields[self.title]]
        if self.season is not None:
            self.seasons[fields[self.season]]
        if self.weeks is not None:
            self.weeks_in[fields[self.weeks]]

    def line(self, fields: list[str], country: str, rank: int) -> PackedLine:
        return (
            country,
            rank,
            self.song_of[fields[self.title]],
            self.seasons[fields[self.season]] if self.season is not None else None,
            self.weeks_in[fields[self.weeks]] if self.weeks is not None else None,
            None,
        )

    def _song(self, raw: str) -> int:
        self.songs.append((self.titles[raw], None))
        return len(self.songs) - 1


def _iso_code(raw: str) -> str:
    code = raw.strip().upper()
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        raise ValueError(f"country code {raw!r} is not two letters")
    return sys.intern(code)


def _country_name(raw: str) -> str:
    code = countries.lookup(raw.strip())
    if code is None:
        raise ValueError(f"unknown country {raw.strip()!r}")
    return code


class _Memo(dict[str, Any]):
    """raw text -> its parsed value, parsed (and checked) the first time it is seen."""

    def __init__(self, parse: Callable[[str], Any]) -> None:
        super().__init__()
        self.parse = parse

    def __missing__(self, raw: str) -> Any:
        value = self[raw] = self.parse(raw)
        return value


def _period(raw: str) -> str:
    try:
        return sys.intern(date.fromisoformat(raw.strip()).isoformat())
    except ValueError:
        raise ValueError(f"week {raw!r} is not a date like 2022-01-16") from None


def _chart(raw: str) -> str:
    if not raw.strip():
        raise ValueError("the category is empty")
    return sys.intern(chart_name(raw.strip()))


def _rank(raw: str) -> int:
    text = raw.strip()
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_RANK:
        raise ValueError(f"rank {raw!r} is not a whole number from 1 to {MAX_RANK}")
    return int(text)


def _title(raw: str) -> str:
    name = raw.strip()
    if not name:
        raise ValueError("the title is empty")
    return name


def _season(value: str) -> str | None:
    value = value.strip()
    return None if value in ("", "N/A", "NA", "n/a") else sys.intern(value)


def _weeks(value: str) -> int | None:
    value = value.strip()
    if value in ("N/A", "NA"):
        return None
    if not value:
        raise ValueError("cumulative_weeks_in_top_10 is empty")
    if not (value.isascii() and value.isdigit()):
        raise ValueError(f"cumulative_weeks_in_top_10 {value!r} is not a whole number")
    return int(value)


def looks_like(head: str) -> str | None:
    """What a file's start says it is, when it is one of Netflix's weekly files."""
    names = {n.strip().strip('"').lower() for n in head.partition("\n")[0].split("\t")}
    if not set(REQUIRED) <= names:
        return None
    return (
        "Netflix's per-country Top 10 file"
        if "country_iso2" in names
        else "Netflix's worldwide Top 10 file"
    )
