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

from bot import countries
from bot.engine.model import PeriodUnit
from bot.sources.base import ParseError, Snapshot, content_hash
from bot.sources.spotify.layouts import Layout, layout_of, song_row, streams, track_uri

BATCH_ROWS = 50_000  # rows per snapshot, about; a batch ends where a group does
CHARTS = {"top200": "daily", "viral50": "viral daily"}  # as the daily downloads' charts


@dataclass(frozen=True, slots=True)
class Batch:
    """Some whole groups of the file, and how far into the file they reach."""

    snapshot: Snapshot
    rows: int  # rows read so far, this batch's included
    position: int  # bytes read so far (for a progress bar)
    size: int  # bytes in all


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
) -> Iterator[Batch]:
    """Read the combined dataset from `handle` (text, opened with newline="") in batches
    of about `batch_rows` rows (BATCH_ROWS by default)."""
    batch_rows = batch_rows or BATCH_ROWS
    reader = csv.reader(handle, strict=True)
    try:
        header = [c.strip().lower() for c in next(reader)]
    except (StopIteration, csv.Error):
        raise ParseError(f"{name}: an empty or broken CSV") from None
    if layout_of(header) is not Layout.COMBINED:
        raise ParseError(f"{name}: not the combined dataset's header: {','.join(header)[:120]}")
    column = {c: i for i, c in enumerate(header)}
    at = [column[c] for c in ("title", "rank", "date", "artist", "url", "region", "chart")]
    at_streams = column.get("streams")
    width = len(header)
    places = _Places()
    closed: set[tuple[str, str, str]] = set()
    group: tuple[str, str, str] | None = None
    snapshot, first_line, rows = _new(source), 2, 0
    try:
        for fields in reader:
            if len(fields) != width:
                if not any(fields):
                    continue
                raise ParseError(
                    f"line {reader.line_num} has {len(fields)} fields where the header has "
                    f"{width}" + (" (the file looks cut off)" if len(fields) < width else "")
                )
            title, rank, day, artist, url, region, chart = (fields[i] for i in at)
            key = (region, chart, day)
            if key != group:
                if group is not None:
                    closed.add(group)
                if key in closed:
                    raise ParseError(
                        f"line {reader.line_num}: the rows of {region} {chart} {day} come back "
                        "after other rows; keep each region's chart of a day together (sort "
                        "the file by date, region and chart)"
                    )
                if snapshot.periods and snapshot.row_count >= batch_rows:
                    yield Batch(_sealed(snapshot, name, first_line), rows, position(), size)
                    snapshot, first_line = _new(source), reader.line_num
                group = key
            try:
                row = song_row(
                    chart=places.chart(chart),
                    period=places.day(day),
                    country=places.region(region),
                    rank=rank,
                    title=title.strip(),
                    credit=artist.strip(),
                    rename=rename,
                    extra={
                        "uri": track_uri(url) or "",
                        "streams": streams(fields[at_streams]) or ""
                        if at_streams is not None
                        else "",
                    },
                )
                snapshot.add(row, _keep_all)
            except ValueError as exc:
                raise ParseError(f"line {reader.line_num}: {exc}") from None
            rows += 1
    except csv.Error as exc:
        raise ParseError(f"line {reader.line_num}: {exc} (the file looks cut off)") from None
    except ParseError as exc:
        raise ParseError(f"{name}: {exc}") from None
    if rows == 0:
        raise ParseError(f"{name}: the table has a header but no rows")
    if snapshot.periods:
        yield Batch(_sealed(snapshot, name, first_line), rows, position(), size)


def _keep_all(chart: str, period: str) -> bool:
    return True


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
