"""Parsing Netflix's per-country TSV, the real excerpt and its broken variants."""

from __future__ import annotations

import codecs
import gzip

import pytest

from bot.sources.base import Known, ParseError
from bot.sources.configured import parse_complete
from bot.sources.decode import gunzip
from bot.sources.netflix import chart_name, parse_netflix
from tests.helpers.netflix import WEEK_2
from tests.helpers.shared_data import needs_shared_data

HEADER = WEEK_2.split("\n", 1)[0]


def parse(text: str | bytes, **kw):
    body = text.encode("utf-8") if isinstance(text, str) else text
    return parse_netflix(body, source="netflix", **kw)


@needs_shared_data
def test_the_real_excerpt():
    snapshot = parse(WEEK_2)
    assert snapshot.row_count == 1200
    assert sorted(snapshot.charts()) == ["Films", "TV"]
    assert snapshot.charts()["TV"] == [
        "2021-12-19",
        "2021-12-26",
        "2022-01-02",
        "2022-01-09",
        "2022-01-16",
    ]
    tv = snapshot.periods[("TV", "2022-01-16")]
    assert len(tv.countries) == 12 and set(tv.countries.values()) == {10}
    us = sorted(
        (r for r in snapshot.rows[("TV", "2022-01-16")] if r.country == "US"), key=lambda r: r.rank
    )
    assert (us[0].title, us[0].season, us[0].weeks) == ("Cheer", "Cheer: Season 2", 1)


@needs_shared_data
def test_keep_summarises_without_holding_rows():
    snapshot = parse(WEEK_2, keep=lambda chart, period: period >= "2022-01-16")
    assert set(snapshot.rows) == {("TV", "2022-01-16"), ("Films", "2022-01-16")}
    assert len(snapshot.periods) == 10


@needs_shared_data
def test_a_past_week_rewritten_since_it_was_stored_is_read_with_its_rows():
    # What the store holds: every week of the file as it is, but for TV 2021-12-19, stored
    # with another digest (Netflix renamed a title there since).
    whole = parse(WEEK_2)
    stored = {key: summary.digest_hex for key, summary in whole.periods.items()}
    stored[("TV", "2021-12-19")] = "0" * 16
    known = Known(latest={"TV": "2022-01-09", "Films": "2022-01-09"}, stored=stored)
    snapshot = parse_complete(
        lambda body, body_hash, keep: parse_netflix(body, source="netflix", keep=keep),
        WEEK_2.encode(),
        "hash",
        known,
    )
    assert set(snapshot.rows) == {
        ("TV", "2021-12-19"),
        *((chart, period) for chart in ("TV", "Films") for period in ("2022-01-09", "2022-01-16")),
    }


@needs_shared_data
def test_digests_ignore_row_order():
    header, *rows = WEEK_2.split("\n")
    shuffled = "\n".join([header, *reversed(rows)])
    assert {k: v.digest for k, v in parse(WEEK_2).periods.items()} == {
        k: v.digest for k, v in parse(shuffled).periods.items()
    }


@needs_shared_data
def test_columns_are_found_by_name():
    header, *rows = WEEK_2.split("\n")
    names = header.split("\t")
    order = [7, 5, 4, 3, 2, 1, 0, 6]
    moved = ["\t".join([*(names[i] for i in order), "extra"])]
    moved += ["\t".join([*(r.split("\t")[i] for i in order), "x"]) for r in rows]
    assert parse("\n".join(moved)).row_count == 1200


@needs_shared_data
@pytest.mark.parametrize(
    "body",
    [
        pytest.param(("\ufeff" + WEEK_2).encode("utf-8"), id="byte order mark"),
        pytest.param(WEEK_2.replace("\n", "\r\n").encode("utf-8"), id="CRLF"),
        pytest.param((WEEK_2 + "\n\n").encode("utf-8"), id="trailing newlines"),
        pytest.param(codecs.BOM_UTF16_LE + WEEK_2.encode("utf-16-le"), id="UTF-16"),
        pytest.param(gunzip(gzip.compress(WEEK_2.encode()), 10**7), id="gzip"),
    ],
)
def test_encoding_surprises_read_the_same(body):
    assert parse(body).row_count == 1200


@needs_shared_data
def test_a_country_name_only_file_is_read_by_name():
    header, *rows = WEEK_2.split("\n")
    names = header.split("\t")
    keep = [i for i, n in enumerate(names) if n != "country_iso2"]
    text = "\n".join("\t".join(line.split("\t")[i] for i in keep) for line in [header, *rows])
    snapshot = parse(text)
    assert "KR" in snapshot.periods[("TV", "2022-01-16")].countries


def test_the_global_file_is_one_pseudo_country():
    text = (
        "week\tcategory\tweekly_rank\tshow_title\tseason_title\tweekly_hours_viewed\t"
        "cumulative_weeks_in_top_10\n"
        "2022-01-16\tFilms (English)\t1\tBrazen\tN/A\t45340000\t1\n"
        "2022-01-16\tFilms (English)\t2\tDon't Look Up\tN/A\t28390000\t4"
    )
    snapshot = parse(text)
    assert snapshot.periods[("Films (English)", "2022-01-16")].countries == {"GLOBAL": 2}


BROKEN = {
    "empty": ("", "an empty body"),
    "html": ("<html><head><title>503</title></head></html>", "an HTML page"),
    "null": ("null", "'null', not a Netflix Top 10 TSV"),
    "json": ('{"error": "rate limited"}', "JSON, not a Netflix Top 10 TSV"),
    "header only": (HEADER, "a header but no rows"),
    "not a header": ("just some words\nand more", "not a TSV header"),
    "missing column": (WEEK_2.replace("show_title", "title", 1), "the header lacks show_title"),
    "short line": (
        WEEK_2.replace("\tCheer: Season 2\t1", "\tCheer: Season 2", 1),
        "has 7 fields where the header has 8",
    ),
    "cut off": (WEEK_2[:-3], "the file looks cut off"),
    "bad rank": (
        WEEK_2.replace("\t2022-01-16\tTV\t1\t", "\t2022-01-16\tTV\tfirst\t", 1),
        "rank 'first'",
    ),
    "zero rank": (WEEK_2.replace("\t2022-01-16\tTV\t1\t", "\t2022-01-16\tTV\t0\t", 1), "rank '0'"),
    "bad date": (WEEK_2.replace("2022-01-16", "16/01/2022", 1), "week '16/01/2022' is not a date"),
    "bad country": (WEEK_2.replace("\tUS\t", "\tUSA\t", 1), "country code 'USA'"),
    "empty title": (
        WEEK_2.replace("\tTV\t1\tCheer\t", "\tTV\t1\t \t", 1),
        "the title is empty",
    ),
    "huge rank": (
        WEEK_2.replace("\t2022-01-16\tTV\t1\t", "\t2022-01-16\tTV\t99999999999\t", 1),
        "not a whole number from 1 to 10000",
    ),
    "bad weeks": (
        WEEK_2.replace("\tCheer: Season 2\t1", "\tCheer: Season 2\tone", 1),
        "cumulative_weeks_in_top_10 'one'",
    ),
}


@needs_shared_data
@pytest.mark.parametrize("case", list(BROKEN), ids=list(BROKEN))
def test_broken_files_are_refused_with_a_reason(case):
    text, reason = BROKEN[case]
    with pytest.raises(ParseError, match=reason.replace("(", r"\(").replace("'", "'")):
        parse(text)


@needs_shared_data
def test_a_bad_line_is_named_by_number():
    lines = WEEK_2.split("\n")
    lines[500] = lines[500].replace("\t2021", "\tyesterday", 1)
    with pytest.raises(ParseError, match=r"^line 501: week 'yesterday"):
        parse("\n".join(lines))


def test_a_gzip_bomb_is_refused():
    bomb = gzip.compress(b"a" * 5_000_000)
    with pytest.raises(ParseError, match="inflates past"):
        gunzip(bomb, 1_000_000)


@pytest.mark.parametrize(
    ("category", "chart"),
    [
        ("Films", "Films"),
        ("movies", "Films"),
        ("TV", "TV"),
        ("TV Shows", "TV"),
        ("Films (English)", "Films (English)"),
    ],
)
def test_category_names(category, chart):
    assert chart_name(category) == chart


@needs_shared_data
def test_the_charts_filter():
    snapshot = parse(WEEK_2, charts=["tv"])
    assert sorted(snapshot.charts()) == ["TV"]
