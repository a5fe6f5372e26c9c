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

from bot import countries
from bot.engine.model import ChartRow, PeriodSummary, PeriodUnit, row_digest
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


def is_combined(head: str) -> bool:
    """Does this start of a file (its header line) have the combined dataset's layout?"""
    first = head.lstrip("\ufeff").partition("\n")[0].strip().lower()
    return layout_of([c.strip() for c in first.split(",")]) is Layout.COMBINED


def combined_batches(
    handle: Iterable[str],
    *,
    source: str,
    name: str,
    rename: Callable[[str], str] = str,
    position: Callable[[], int] = lambda: 0,
    size: int = 0,
    batch_rows: int | None = None,
    from_line: int = 0,
) -> Iterator[Batch]:
    """Read the combined dataset from `handle` (text, opened with newline="") in batches
    of about `batch_rows` rows (BATCH_ROWS by default), from the start or, resuming,
    from `from_line` (a batch's `line`: the rows before it are read past, not kept)."""
    batch_rows = batch_rows or BATCH_ROWS
    reader = csv.reader(handle, strict=True)
    try:
        header = [c.strip().lower() for c in next(reader)]
    except (StopIteration, csv.Error):
        raise ParseError(f"{name}: an empty or broken CSV") from None
    if layout_of(header) is not Layout.COMBINED:
        raise ParseError(f"{name}: not the combined dataset's header: {','.join(header)[:120]}")
    column = {c: i for i, c in enumerate(header)}
    no_streams = "streams" not in column  # then the title is read in its place, unused
    fields_of = itemgetter(*(column.get(c, 0) for c in _READ))
    width = len(header)
    places = _Places()
    songs = _Songs(rename)
    # The groups read so far, by hash: 70 regions x 2 charts x 5 years is 250,000 of them,
    # 9 MB as ints where the tuples took 50 MB (a collision would refuse a good file
    # with a message that names the group, about once in 10^9 files of this size).
    closed: set[int] = set()
    group: tuple[str, str, str] | None = None
    snapshot, first_line, rows = _new(source), max(2, from_line), 0
    summary = PeriodSummary("", "")
    kept: list[ChartRow] = []
    chart = period = country = ""
    try:
        while reader.line_num < from_line - 1:
            rows += any(next(reader))
        for fields in reader:
            if len(fields) != width:
                if not any(fields):
                    continue
                raise ParseError(
                    f"line {reader.line_num} has {len(fields)} fields where the header has "
                    f"{width}" + (" (the file looks cut off)" if len(fields) < width else "")
                )
            title, rank, day, artist, url, region, chart_name, played = fields_of(fields)
            key = (region, chart_name, day)
            if key != group:
                if group is not None:
                    closed.add(hash(group))
                if hash(key) in closed:
                    raise ParseError(
                        f"line {reader.line_num}: the rows of {region} {chart_name} {day} come "
                        "back after other rows; keep each region's chart of a day together "
                        "(sort the file by date, region and chart)"
                    )
                if snapshot.periods and snapshot.row_count >= batch_rows:
                    batch = _sealed(snapshot, name, first_line)
                    yield Batch(batch, rows, position(), size, reader.line_num)
                    snapshot, first_line = _new(source), reader.line_num
                group = key
                try:
                    chart = places.chart(chart_name)
                    period = places.day(day)
                    country = places.region(region)
                except ValueError as exc:
                    raise ParseError(f"line {reader.line_num}: {exc}") from None
                summary, kept = snapshot.period(chart, period)
            try:
                song = songs.get(title, artist, url)
                extra = dict(song.extra)
                if not no_streams and (count := streams(played)):
                    extra["streams"] = count
                row = ChartRow(
                    chart,
                    period,
                    country,
                    _rank(rank),
                    song.title,
                    song.artist,
                    extra=extra or None,
                )
                summary.count(country, row.rank, row_digest(row))
            except ValueError as exc:
                raise ParseError(f"line {reader.line_num}: {exc}") from None
            kept.append(row)
            rows += 1
    except csv.Error as exc:
        raise ParseError(f"line {reader.line_num}: {exc} (the file looks cut off)") from None
    except StopIteration:
        raise ParseError(
            f"{name}: it ends before line {from_line}, where the import resumes"
        ) from None
    except ParseError as exc:
        raise ParseError(f"{name}: {exc}") from None
    if rows == 0:
        raise ParseError(f"{name}: the table has a header but no rows")
    if snapshot.periods:
        yield Batch(_sealed(snapshot, name, first_line), rows, position(), size, 0)


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


def _new(source: str) -> Snapshot:
    return Snapshot(source=source, content_hash="")


def _sealed(snapshot: Snapshot, name: str, first_line: int) -> Snapshot:
    snapshot.content_hash = content_hash(f"{name}:{first_line}".encode())
    snapshot.units = {chart: PeriodUnit.DAY for chart, _ in snapshot.periods}
    return snapshot


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
