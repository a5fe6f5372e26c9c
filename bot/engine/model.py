"""The values the engine works on: chart rows and one chart's standings in one period."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from json.encoder import encode_basestring as _quoted
from typing import Any, TypedDict, overload

from bot.countries import WORLDWIDE as WORLDWIDE  # rows of a worldwide chart
from bot.engine.titles import title_key

ChartPeriodKey = tuple[str, str]  # (chart, period)


def chart_heading(label: str, chart: str) -> str:
    """How a chart is named for people: 'Netflix · TV Shows' (its source as people read it,
    then the chart); a chart named as its source ("usdaily · usdaily") is said once."""
    return label if chart.casefold() == label.casefold() else f"{label} · {chart}"


class PeriodUnit(StrEnum):
    """What one period of a chart is: "N days in the chart" on a daily chart, weeks on
    a weekly one."""

    DAY = "day"
    WEEK = "week"
    PERIOD = "period"  # neither: periods some other number of days apart


@dataclass(slots=True)
class ChartRow:
    """One line of a chart: in `country`, for `period`, `title` held `rank` on `chart`."""

    chart: str
    period: str  # ISO date: the day, or the first day of the week
    country: str
    rank: int
    title: str
    artist: str | None = None
    season: str | None = None
    weeks: int | None = None  # weeks (or days) in the chart, as the source counts them
    extra: dict[str, Any] | None = None

    @property
    def key(self) -> str:
        return title_key(self.title, self.artist)


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def extras_json(extra: Mapping[str, Any]) -> str:
    """A row's extras as they are stored: compact JSON (the usual all-text ones in a
    third of the encoder's time, which counts on a 26-million-row import)."""
    parts = []
    for key, value in extra.items():
        if type(value) is not str:
            return _encode(extra)
        parts.append(_quoted(key) + ":" + _quoted(value))
    return "{" + ",".join(parts) + "}"


def titles_of(rows: Sequence[ChartRow]) -> Iterable[tuple[str, str | None]]:
    """The (title, artist) of each row (of packed rows, of each song once)."""
    if isinstance(rows, PackedRows):
        return rows.titles()
    return ((row.title, row.artist) for row in rows)


# country, rank, song (its number), season, weeks, extras JSON
PackedLine = tuple[str, int, int, str | None, int | None, str | None]


@dataclass(frozen=True, slots=True, eq=False)
class PackedRows(Sequence[ChartRow]):
    """One chart period's rows as a parse packs them: lines of (country, rank, song,
    season, weeks, extras as JSON), each song's title and artist written once in `songs`.
    Small to pass between processes (a big file's reader), and stored as they are: the
    store binds the lines without a ChartRow each (making one a row was a quarter of
    parsing Netflix's history file). Read one by one, they are ChartRows."""

    chart: str
    period: str
    lines: list[PackedLine]
    songs: list[tuple[str, str | None]]  # may name songs of other periods too

    def __len__(self) -> int:
        return len(self.lines)

    def __eq__(self, other: object) -> bool:
        """The same rows, however they are packed (or a list of the same ChartRows)."""
        if not isinstance(other, PackedRows | list | tuple):
            return NotImplemented
        return len(self) == len(other) and list(self) == list(other)

    @overload
    def __getitem__(self, index: int) -> ChartRow: ...

    @overload
    def __getitem__(self, index: slice) -> list[ChartRow]: ...

    def __getitem__(self, index: int | slice) -> ChartRow | list[ChartRow]:
        if isinstance(index, slice):
            return [self._row(line) for line in self.lines[index]]
        return self._row(self.lines[index])

    def __iter__(self) -> Iterator[ChartRow]:
        return map(self._row, self.lines)

    def named(self) -> list[int]:
        """The numbers of the songs these lines name, each once."""
        return list(dict.fromkeys(line[2] for line in self.lines))

    def titles(self) -> list[tuple[str, str | None]]:
        """The (title, artist) of each song these lines name, once."""
        return [self.songs[n] for n in self.named()]

    def _row(self, line: PackedLine) -> ChartRow:
        country, rank, song, season, weeks, extra = line
        title, artist = self.songs[song]
        return ChartRow(
            self.chart,
            self.period,
            country,
            rank,
            title,
            artist,
            season,
            weeks,
            json.loads(extra) if extra else None,
        )


class About(TypedDict):
    """The fields every event about a title in a period starts with (see events.Event)."""

    source: str
    chart: str
    period: str
    title_key: str
    title: str
    artist: str | None


@dataclass(slots=True)
class Entry:
    """A title's place in one country: its best rank when it holds several (seasons)."""

    rank: int
    title: str
    artist: str | None = None


@dataclass(slots=True)
class ChartPeriod:
    """One chart in one period: for each country, each title's best rank."""

    chart: str
    period: str
    countries: dict[str, dict[str, Entry]] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, chart: str, period: str, rows: Iterable[ChartRow]) -> ChartPeriod:
        return cls.from_entries(
            chart,
            period,
            (
                (row.country, title_key(row.title, row.artist), row.rank, row.title, row.artist)
                for row in rows
            ),
        )

    @classmethod
    def from_entries(
        cls, chart: str, period: str, entries: Iterable[tuple[str, str, int, str, str | None]]
    ) -> ChartPeriod:
        """From (country, title key, rank, title, artist) tuples."""
        standings = cls(chart, period)
        countries = standings.countries
        for country, key, rank, title, artist in entries:
            titles = countries.get(country)
            if titles is None:
                titles = countries[country] = {}
            held = titles.get(key)
            if held is None or rank < held.rank:
                titles[key] = Entry(rank, title, artist)
        return standings

    def number_ones(self) -> dict[str, set[str]]:
        """title key -> the countries where it is #1."""
        found: dict[str, set[str]] = {}
        for country, titles in self.countries.items():
            for key, entry in titles.items():
                if entry.rank == 1:
                    found.setdefault(key, set()).add(country)
        return found

    def about(self, source: str, key: str, entry: Entry) -> About:
        """What every event about a title in this period starts with (see events.Event)."""
        return {
            "source": source,
            "chart": self.chart,
            "period": self.period,
            "title_key": key,
            "title": entry.title,
            "artist": entry.artist,
        }

    def entry(self, key: str) -> Entry | None:
        """Any entry of the title (for its display name), or None when it is not on the chart."""
        for titles in self.countries.values():
            if key in titles:
                return titles[key]
        return None


@dataclass(slots=True)
class PeriodSummary:
    """What a file says about one chart in one period, whether or not its rows are kept."""

    chart: str
    period: str
    countries: dict[str, int] = field(default_factory=dict)  # country -> rows
    digest: int = 0  # order-independent hash of the rows (see row_digest)
    ranks: dict[str, int] = field(default_factory=dict)  # country -> bitmask of ranks seen

    @property
    def rows(self) -> int:
        return sum(self.countries.values())

    def add(self, row: ChartRow, digest: int | None = None) -> None:
        """Count a row in; a second title at a rank already taken is a ValueError.

        `digest` is the row's own hash when the source has one (a hash of its raw
        line); by default it is made from the row's fields.
        """
        self.count(row.country, row.rank, row_digest(row) if digest is None else digest)

    def count(self, country: str, rank: int, digest: int) -> None:
        """Count one row in by its country, rank and hash (see `add`)."""
        mask = self.ranks.get(country, 0)
        if mask >> rank & 1:
            raise ValueError(f"two titles at #{rank} for {country} {self.chart} {self.period}")
        self.ranks[country] = mask | (1 << rank)
        self.countries[country] = self.countries.get(country, 0) + 1
        self.digest = (self.digest + digest) & 0xFFFFFFFFFFFFFFFF

    def gaps(self) -> dict[str, list[int]]:
        """country -> the ranks missing below its lowest rank (a full chart has none)."""
        missing = {}
        for country, mask in self.ranks.items():
            top = mask.bit_length() - 1
            holes = [r for r in range(1, top) if not mask >> r & 1]
            if holes:
                missing[country] = holes
        return missing

    @classmethod
    def of(cls, chart: str, period: str, rows: Iterable[ChartRow]) -> PeriodSummary:
        summary = cls(chart, period)
        for row in rows:
            summary.add(row)
        return summary

    @property
    def digest_hex(self) -> str:
        return f"{self.digest:016x}"


def row_digest(row: ChartRow) -> int:
    return line_digest(row.country, row.rank, row.title, row.artist, row.season, row.weeks)


def line_digest(
    country: str,
    rank: int,
    title: str,
    artist: str | None,
    season: str | None = None,
    weeks: int | None = None,
) -> int:
    """`row_digest` of a row with these fields, for a reader that keeps rows in another form."""
    held = "" if weeks is None else weeks
    text = f"{country}\t{rank}\t{title}\t{artist or ''}\t{season or ''}\t{held}"
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")
