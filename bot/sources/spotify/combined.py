"""The combined Spotify charts dataset: every region, chart and day in one CSV, streamed.

`title,rank,date,artist,url,region,chart,trend,streams` (CRLF line ends, regions by
name such as `Argentina` or `Global`, charts `top200` and `viral50`, streams written
as floats like `253019.0` and empty on viral50). The public file is about 3.5 GB
and 26 million rows, so it is never held whole: rows are read as they come and handed
on in batches of whole (region, chart, day) groups, each batch its own snapshot.

A group must be in one piece: rows of a region's chart of a day that come back after
other rows would be read as a second, partial copy, so the file is refused there.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from typing import Any

from bot import countries
from bot.engine.model import (
    ChartPeriodKey,
    PackedLine,
    PackedRows,
    PeriodSummary,
    PeriodUnit,
    extras_json,
    line_digest,
)
from bot.engine.source_types import FailureKind
from bot.sources.base import ParseError, Snapshot, content_hash
from bot.sources.spotify.layouts import Layout, layout_of, song_row, streams, track_uri
from bot.sources.tabular import whole_number

BATCH_ROWS = 50_000  # rows per snapshot, about; a batch ends where a group does
CHARTS = {"top200": "daily", "viral50": "viral daily"}  # as the daily downloads' charts


@dataclass(frozen=True, slots=True)
class Batch:
    """Some whole groups of the file, and how far into the file they reach."""

    snapshot: Snapshot
    rows: int  # rows read so far, this batch's included
    position: int  # bytes read so far (for a progress bar)
    size: int  # bytes in all
    line: int  # the line the next batch starts at (where a stopped import resumes); 0 at the end


@dataclass(frozen=True, slots=True)
class Parcel:
    """A batch as read, its rows packed (`PackedRows`: each song's title written once,
    not once per row): small to pickle, so a reader in a process of its own hands
    parcels on cheaply, and the rows are stored without being made one by one."""

    source: str
    name: str
    first_line: int
    periods: dict[ChartPeriodKey, tuple[PeriodSummary, PackedRows]]
    rows: int
    position: int
    size: int
    line: int

    def batch(self) -> Batch:
        """The parcel as a snapshot."""
        snapshot = Snapshot(
            source=self.source, content_hash=content_hash(f"{self.name}:{self.first_line}".encode())
        )
        for key, (summary, packed) in self.periods.items():
            snapshot.periods[key] = summary
            snapshot.rows[key] = packed
        snapshot.units = {chart: PeriodUnit.DAY for chart, _ in snapshot.periods}
        return Batch(snapshot, self.rows, self.position, self.size, self.line)


def is_combined(head: str) -> bool:
    """Does this start of a file (its header line) have the combined dataset's layout?"""
    first = head.lstrip("\ufeff").partition("\n")[0].strip().lower()
    return layout_of([c.strip() for c in first.split(",")]) is Layout.COMBINED


def combined_batches(handle: Iterable[str], **reading: Any) -> Iterator[Batch]:
    """Read the combined dataset from `handle` in batches (see `combined_parcels`)."""
    for parcel in combined_parcels(handle, **reading):
        yield parcel.batch()


def combined_parcels(
    handle: Iterable[str],
    *,
    source: str,
    name: str,
    rename: Callable[[str], str] = str,
    position: Callable[[], int] = lambda: 0,
    size: int = 0,
    batch_rows: int | None = None,
    from_line: int = 0,
) -> Iterator[Parcel]:
    """Read the combined dataset from `handle` (text, opened with newline="") in parcels
    of about `batch_rows` rows (BATCH_ROWS by default), from the start or, resuming,
    from `from_line` (a batch's `line`: the rows before it are read past, not kept).

    Three steps, each a generator: the file's rows (checked, with their line numbers),
    gathered in groups (a region's chart of a day, each in one piece), packed in parcels."""
    reader = csv.reader(handle, strict=True)
    try:
        columns = _columns(reader)
        read_past = _read_past(reader, from_line)
        groups = _groups(reader, columns)
        packer = _Packer(source, name, _Songs(rename), columns.streams, batch_rows or BATCH_ROWS)
        packer.progress = position, size
        yield from packer.parcels(groups, first_line=max(2, from_line), read=read_past)
    except csv.Error as exc:
        raise ParseError(
            f"line {reader.line_num}: {exc} (the file looks cut off)", kind=FailureKind.CUT_OFF
        ) from None
    except ParseError as exc:
        raise exc.said_of(f"{name}: ") from None


@dataclass(frozen=True, slots=True)
class _Columns:
    """Where the fields read are in a row of the file, and how many fields a row has."""

    fields_of: Callable[[list[str]], tuple[str, ...]]
    width: int
    streams: bool  # False: the file has no streams column (its title is read in its place)


def _columns(reader: Any) -> _Columns:
    """The header, checked to be the combined dataset's."""
    try:
        header = [c.strip().lower() for c in next(reader)]
    except (StopIteration, csv.Error):
        raise ParseError("an empty or broken CSV") from None
    if layout_of(header) is not Layout.COMBINED:
        raise ParseError(
            f"not the combined dataset's header: {','.join(header)[:120]}",
            kind=FailureKind.UNKNOWN_LAYOUT,
        )
    column = {c: i for i, c in enumerate(header)}
    return _Columns(
        itemgetter(*(column.get(c, 0) for c in _READ)), len(header), "streams" in column
    )


def _read_past(reader: Any, from_line: int) -> int:
    """Read past the lines before `from_line` (an import resuming); the rows read past."""
    rows = 0
    try:
        while reader.line_num < from_line - 1:
            rows += any(next(reader))
    except StopIteration:
        raise ParseError(f"it ends before line {from_line}, where the import resumes") from None
    return rows


@dataclass(slots=True)
class _Group:
    """A region's chart of a day: its rows' fields read (title, rank, day, artist, url,
    region, chart, streams) and their lines."""

    key: tuple[str, str, str]  # region, chart, day as the file writes them
    lines: list[int]
    rows: list[tuple[str, ...]]


def _groups(reader: Any, columns: _Columns) -> Iterator[_Group]:
    """The file's rows in groups, each group in one piece: its rows coming back after other
    rows would be read as a second, partial copy, so the file is refused there."""
    # The groups read so far, by hash: 70 regions x 2 charts x 5 years is 250,000 of them,
    # 9 MB as ints where the tuples took 50 MB (a collision would refuse a good file
    # with a message that names the group, about once in 10^9 files of this size).
    closed: set[int] = set()
    group: _Group | None = None
    fields_of, width = columns.fields_of, columns.width
    for fields in reader:
        if len(fields) != width:
            if not any(fields):
                continue
            cut = len(fields) < width
            raise ParseError(
                f"line {reader.line_num} has {len(fields)} fields where the header has "
                f"{width}" + (" (the file looks cut off)" if cut else ""),
                kind=FailureKind.CUT_OFF if cut else FailureKind.UNREADABLE,
            )
        read = fields_of(fields)
        key = (read[5], read[6], read[2])
        if group is None or key != group.key:
            if group is not None:
                closed.add(hash(group.key))
                yield group
            if hash(key) in closed:
                region, chart, day = key
                raise ParseError(
                    f"line {reader.line_num}: the rows of {region} {chart} {day} come back "
                    "after other rows; keep each region's chart of a day together (sort the "
                    "file by date, region and chart)"
                )
            group = _Group(key, [], [])
        group.lines.append(reader.line_num)
        group.rows.append(read)
    if group is not None:
        yield group


class _Packer:
    """Groups packed in parcels of about `batch_rows` rows, each song's title once."""

    def __init__(
        self, source: str, name: str, songs: _Songs, streams: bool, batch_rows: int = BATCH_ROWS
    ) -> None:
        self.source, self.name, self.songs = source, name, songs
        self.streams = streams  # the file has a streams column
        self.batch_rows = batch_rows
        self.places = _Places()
        # How far into the file the reading is (bytes read, bytes in all), for progress bars.
        self.progress: tuple[Callable[[], int], int] = (lambda: 0, 0)

    def parcels(self, groups: Iterable[_Group], *, first_line: int, read: int) -> Iterator[Parcel]:
        periods: dict[ChartPeriodKey, tuple[PeriodSummary, PackedRows]] = {}
        parcel = _ParcelSongs(self.songs)
        held = 0
        for group in groups:
            if periods and held >= self.batch_rows:
                line = group.lines[0]
                yield self._parcel(first_line, periods, read, line)
                first_line, held, periods = line, 0, {}
                parcel = _ParcelSongs(self.songs)
            self._pack(group, periods, parcel)
            read += len(group.rows)
            held += len(group.rows)
        if not read:
            raise ParseError("the table has a header but no rows")
        if periods:
            yield self._parcel(first_line, periods, read, 0)

    def _parcel(
        self,
        first_line: int,
        periods: dict[ChartPeriodKey, tuple[PeriodSummary, PackedRows]],
        read: int,
        line: int,
    ) -> Parcel:
        position, size = self.progress
        return Parcel(self.source, self.name, first_line, periods, read, position(), size, line)

    def _pack(
        self,
        group: _Group,
        periods: dict[ChartPeriodKey, tuple[PeriodSummary, PackedRows]],
        parcel: _ParcelSongs,
    ) -> None:
        """A group's rows into its period's summary and packed lines."""
        region, chart_name, day = group.key
        try:
            chart, period = self.places.chart(chart_name), self.places.day(day)
            country = self.places.region(region)
        except ValueError as exc:
            raise ParseError(f"line {group.lines[0]}: {exc}") from None
        if (chart, period) not in periods:
            periods[(chart, period)] = (
                PeriodSummary(chart, period),
                PackedRows(chart, period, [], parcel.titles),
            )
        summary, packed = periods[(chart, period)]
        lines: list[PackedLine] = packed.lines
        titles = parcel.titles
        for index, (title, rank, _, artist, url, _, _, played) in enumerate(group.rows):
            try:
                number = parcel.number(title, artist, url)
                song_title, song_artist = titles[number]
                at = _rank(rank)
                summary.count(country, at, line_digest(country, at, song_title, song_artist))
                count = streams(played) if self.streams else None
            except ValueError as exc:
                raise ParseError(f"line {group.lines[index]}: {exc}") from None
            lines.append((country, at, number, None, None, parcel.extras(number, count)))


_READ = ("title", "rank", "date", "artist", "url", "region", "chart", "streams")
_RANKS = {str(n): n for n in range(1, 201)}


def _rank(text: str) -> int:
    rank = _RANKS.get(text)
    return rank if rank is not None else whole_number(text, "rank")


@dataclass(frozen=True, slots=True)
class _Song:
    """How a (title, artist, url) of the file is stored: its name, lead artist and extras."""

    title: str
    artist: str | None
    extra: dict[str, str]


class _Songs:
    """Each song's stored form, worked out the first time it is seen (a song comes back
    on thousands of days and regions)."""

    def __init__(self, rename: Callable[[str], str]) -> None:
        self._rename = rename
        self._known: dict[tuple[str, str, str], _Song] = {}

    def get(self, title: str, artist: str, url: str) -> _Song:
        song = self._known.get((title, artist, url))
        if song is None:
            row = song_row(
                chart="",
                period="",
                country="",
                rank="1",
                title=title.strip(),
                credit=artist.strip(),
                rename=self._rename,
                extra={"uri": track_uri(url) or ""},
            )
            song = _Song(row.title, row.artist, row.extra or {})
            if len(self._known) >= _SONGS_KEPT:
                self._known.clear()  # memory stays bounded on any file
            self._known[(title, artist, url)] = song
        return song


_SONGS_KEPT = 50_000  # about 25 MB; a region of a day has a few hundred


class _ParcelSongs:
    """The songs one parcel names, numbered in the order first seen, with their extras."""

    def __init__(self, songs: _Songs) -> None:
        self._songs = songs  # the file's, worked out once
        self.titles: list[tuple[str, str | None]] = []
        self._extras: list[dict[str, str]] = []
        self._plain: list[str | None] = []  # the extras as JSON, on a row without streams
        self._numbered: dict[tuple[str, str, str], int] = {}

    def number(self, title: str, artist: str, url: str) -> int:
        fields = (title, artist, url)
        number = self._numbered.get(fields)
        if number is None:
            song = self._songs.get(title, artist, url)
            number = self._numbered[fields] = len(self.titles)
            self.titles.append((song.title, song.artist))
            self._extras.append(song.extra)
            self._plain.append(extras_json(song.extra) if song.extra else None)
        return number

    def extras(self, number: int, streams: str | None) -> str | None:
        """A row's extras as JSON: its song's, and its streams when it has them."""
        if streams:
            return extras_json({**self._extras[number], "streams": streams})
        return self._plain[number]


class _Places:
    """Region names, chart names and days, each read and checked the first time it is seen."""

    def __init__(self) -> None:
        self._regions: dict[str, str] = {}
        self._charts: dict[str, str] = {}
        self._days: dict[str, str] = {}

    def region(self, name: str) -> str:
        code = self._regions.get(name)
        if code is None:
            found = countries.lookup(name)
            if found is None:
                raise ValueError(f"unknown region {name!r}")
            code = self._regions[name] = found
        return code

    def chart(self, name: str) -> str:
        chart = self._charts.get(name)
        if chart is None:
            if name.strip().lower() not in CHARTS:
                raise ValueError(f"unknown chart {name!r} (known: {', '.join(CHARTS)})")
            chart = self._charts[name] = CHARTS[name.strip().lower()]
        return chart

    def day(self, text: str) -> str:
        day = self._days.get(text)
        if day is None:
            try:
                day = self._days[text] = date.fromisoformat(text.strip()[:10]).isoformat()
            except ValueError:
                raise ValueError(f"date {text!r} is not a date like 2017-01-01") from None
        return day
