"""The combined dataset's reader, step by step: rows gathered in groups, groups packed in
parcels. Small files written here; the real files are read in test_real_files.py."""

from __future__ import annotations

import csv
import io

import pytest

from bot.sources.base import ParseError
from bot.sources.spotify.combined import _columns, _groups, _Packer, _Songs

HEADER = "title,rank,date,artist,url,region,chart,trend,streams\n"


def row(title: str, rank: int, day: str, region: str = "Argentina", chart: str = "top200") -> str:
    url = f"https://open.spotify.com/track/{title.replace(' ', '')}"
    return f"{title},{rank},{day},Someone,{url},{region},{chart},SAME_POSITION,1000.0\n"


def reader_of(text: str) -> csv.Reader:  # type: ignore[name-defined]
    return csv.reader(io.StringIO(text, newline=""), strict=True)


def groups_of(text: str) -> list[tuple[tuple[str, str, str], list[int]]]:
    reader = reader_of(text)
    columns = _columns(reader)
    return [(group.key, group.lines) for group in _groups(reader, columns)]


def test_rows_are_gathered_by_region_chart_and_day_with_their_lines() -> None:
    text = HEADER + "".join(
        [
            row("A", 1, "2017-01-01"),
            row("B", 2, "2017-01-01"),
            "\n",  # a blank line is read past, not a group's end
            row("A", 1, "2017-01-01", region="Brazil"),
            row("A", 1, "2017-01-02"),
        ]
    )
    assert groups_of(text) == [
        (("Argentina", "top200", "2017-01-01"), [2, 3]),
        (("Brazil", "top200", "2017-01-01"), [5]),
        (("Argentina", "top200", "2017-01-02"), [6]),
    ]


def test_a_group_coming_back_after_other_rows_is_refused_at_its_line() -> None:
    text = HEADER + row("A", 1, "2017-01-01") + row("A", 1, "2017-01-02")
    text += row("B", 2, "2017-01-01")
    with pytest.raises(ParseError, match="line 4: the rows of Argentina top200 2017-01-01"):
        groups_of(text)


def test_a_short_row_says_the_file_looks_cut_off() -> None:
    text = HEADER + row("A", 1, "2017-01-01") + "B,2,2017-01-01\n"
    with pytest.raises(ParseError, match=r"line 3 has 3 fields .* cut off"):
        groups_of(text)


def pack(text: str, batch_rows: int) -> list[tuple[int, int, int, list[str]]]:
    """Each parcel as (first line, rows read so far, next line, its periods)."""
    reader = reader_of(text)
    columns = _columns(reader)
    packer = _Packer("spotify", "f.csv", _Songs(str), columns.streams, batch_rows)
    return [
        (p.first_line, p.rows, p.line, sorted(f"{c} {d}" for c, d in p.periods))
        for p in packer.parcels(_groups(reader, columns), first_line=2, read=0)
    ]


def test_parcels_end_where_a_group_does_once_they_hold_enough_rows() -> None:
    days = ["2017-01-01"] * 3 + ["2017-01-02"] * 3 + ["2017-01-03"] * 2
    text = HEADER + "".join(row(f"S{i}", i % 3 + 1, day) for i, day in enumerate(days))
    # Two rows are enough for a parcel, but a day's three rows are never split.
    assert pack(text, batch_rows=2) == [
        (2, 3, 5, ["daily 2017-01-01"]),
        (5, 6, 8, ["daily 2017-01-02"]),
        (8, 8, 0, ["daily 2017-01-03"]),
    ]
    assert pack(text, batch_rows=100) == [
        (2, 8, 0, ["daily 2017-01-01", "daily 2017-01-02", "daily 2017-01-03"])
    ]


def test_a_parcel_names_each_song_once_and_counts_its_rows_per_country() -> None:
    text = HEADER + "".join(
        [
            row("Same Song", 1, "2017-01-01"),
            row("Other", 2, "2017-01-01"),
            row("Same Song", 1, "2017-01-01", region="Brazil"),
            row("Same Song", 1, "2017-01-01", chart="viral50"),
        ]
    )
    reader = reader_of(text)
    columns = _columns(reader)
    packer = _Packer("spotify", "f.csv", _Songs(str), columns.streams)
    (parcel,) = packer.parcels(_groups(reader, columns), first_line=2, read=0)
    summary, packed = parcel.periods[("daily", "2017-01-01")]
    assert packed.songs == [("Same Song", "Someone"), ("Other", "Someone")]
    assert [(country, rank, number) for country, rank, number, *_ in packed.lines] == [
        ("AR", 1, 0),
        ("AR", 2, 1),
        ("BR", 1, 0),
    ]
    assert summary.rows == 3
    assert ("viral daily", "2017-01-01") in parcel.periods


def test_a_bad_rank_is_refused_at_its_own_line_not_its_groups() -> None:
    text = HEADER + row("A", 1, "2017-01-01") + row("B", 1, "2017-01-01").replace(",1,", ",x,")
    with pytest.raises(ParseError, match="line 3: "):
        pack(text, batch_rows=100)


def test_a_header_without_rows_is_refused() -> None:
    with pytest.raises(ParseError, match="a header but no rows"):
        pack(HEADER, batch_rows=100)
