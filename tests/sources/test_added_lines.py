"""Reading only the lines a whole-history file adds (bot/sources/added_lines.py), and polls
relying on it storing and alerting exactly what reading the whole file does."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from pathlib import Path

import pytest

from bot.clock import utcnow
from bot.config import config_from_dict, load_config
from bot.pipeline import PollOutcome, SourceTerms, Stale, commit_snapshot, poll_source
from bot.pipeline.poll import known_for as prepare
from bot.service.polling import alert_policy, configured_sources, http_session
from bot.sources.added_lines import added_lines
from bot.sources.base import Known, ParseError, content_hash
from bot.sources.netflix import parse_added, parse_netflix
from bot.store.store import Store
from bot.store.thread import StoreThread
from tests.helpers.cli import poll_json, run_cli
from tests.helpers.configs import write_config
from tests.helpers.netflix import EXPECTED, WEEK_1, WEEK_2
from tests.helpers.oracle import as_tuples
from tests.helpers.shared_data import needs_shared_data

HEADER = "country_name\tcountry_iso2\tweek\tcategory\tweekly_rank\tshow_title\tseason_title\tweeks"
OPTIONS = {"source": "netflix", "charts": None, "rename": str, "body_hash": None}


def lines(code: str, week: str, *titles: str) -> list[str]:
    return [
        f"C {code}\t{code}\t{week}\tTV\t{rank}\t{title}\tN/A\t1"
        for rank, title in enumerate(titles, 1)
    ]


def tsv(*blocks: list[str], end: str = "") -> bytes:
    return ("\n".join([HEADER, *(line for block in blocks for line in block)]) + end).encode()


def drop_line(body: bytes, containing: bytes) -> bytes:
    at = body.index(containing)
    start, end = body.rindex(b"\n", 0, at), body.index(b"\n", at)
    return body[:start] + body[end:]


def known(old: bytes, latest: str = "2022-01-09") -> Known:
    return Known(content_hash(old, None), {"TV": latest, "Films": latest}, content_hash(old, None))


# -- cutting ------------------------------------------------------------------------------


@needs_shared_data
def test_the_real_new_week_is_cut_out_leaving_the_old_file_exactly():
    cut = added_lines(WEEK_2.encode(), column=2, latest="2022-01-09")
    assert cut is not None
    assert cut.periods == ["2022-01-16"]
    assert b"".join(cut.rest()) == WEEK_1.encode()
    new_rows = [r for r in WEEK_2.split("\n") if "\t2022-01-16\t" in r]
    assert cut.added.decode().splitlines() == new_rows


def test_two_new_weeks_heading_each_block_are_both_cut():
    old = tsv(lines("US", "2022-01-09", "A", "B"), lines("KR", "2022-01-09", "C", "D"))
    new = tsv(
        lines("US", "2022-01-23", "B", "A") + lines("US", "2022-01-16", "A", "B"),
        lines("US", "2022-01-09", "A", "B"),
        lines("KR", "2022-01-23", "D", "C") + lines("KR", "2022-01-16", "C", "D"),
        lines("KR", "2022-01-09", "C", "D"),
    )
    cut = added_lines(new, column=2, latest="2022-01-09")
    assert cut is not None and b"".join(cut.rest()) == old
    assert sorted(cut.periods) == ["2022-01-16", "2022-01-23"]
    assert cut.added.count(b"\n") == 8


def test_weeks_appended_at_the_end_of_a_file_ending_in_a_newline_are_cut():
    old = tsv(lines("US", "2022-01-09", "A", "B"), end="\n")
    cut = added_lines(
        old + tsv(lines("US", "2022-01-16", "B", "A"), end="\n").split(b"\n", 1)[1],
        column=2,
        latest="2022-01-09",
    )
    assert cut is not None and b"".join(cut.rest()) == old and cut.periods == ["2022-01-16"]


def test_an_added_last_line_without_a_line_end_is_left_to_a_whole_read():
    # What the old body ended with cannot be known: a whole read decides.
    body = tsv(lines("US", "2022-01-09", "A", "B"), lines("US", "2022-01-16", "B", "A"))
    assert added_lines(body, column=2, latest="2022-01-09") is None


def test_the_date_elsewhere_in_a_line_is_not_a_new_line():
    old = tsv(lines("US", "2022-01-09", "2022-01-16", "B"), end="\n")
    new = tsv(
        lines("US", "2022-01-16", "B", "A"), lines("US", "2022-01-09", "2022-01-16", "B"), end="\n"
    )
    cut = added_lines(new, column=2, latest="2022-01-09")
    assert cut is not None and b"".join(cut.rest()) == old and cut.added.count(b"\n") == 2


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(tsv(lines("US", "2022-01-09", "A")), id="nothing newer"),
        pytest.param(HEADER.encode(), id="header only"),
        pytest.param(b"", id="empty"),
        pytest.param(tsv(lines("US", "16/01/2022", "A"), end="\n"), id="not an ISO date"),
    ],
)
def test_nothing_to_cut_is_none(body):
    assert added_lines(body, column=2, latest="2022-01-09") is None


# -- the Netflix source ---------------------------------------------------------------------


@needs_shared_data
def test_the_added_lines_parse_to_the_whole_files_new_periods():
    old, new = WEEK_1.encode(), WEEK_2.encode()
    part = parse_added(new, known(old), **OPTIONS)
    whole = parse_netflix(new, **OPTIONS)
    assert part is not None and part.based_on == content_hash(old, None)
    new_keys = [("Films", "2022-01-16"), ("TV", "2022-01-16")]
    assert sorted(part.periods) == new_keys
    for key in new_keys:
        assert part.periods[key] == whole.periods[key]
        assert part.rows[key] == whole.rows[key]
    assert part.content_hash == whole.content_hash


@needs_shared_data
@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda b: b.replace(b"\tCobra Kai\t", b"\tCobra Kai (Original)\t"),
            id="a past title rewritten",
        ),
        pytest.param(lambda b: drop_line(b, b"\t2022-01-09\t"), id="a past line gone"),
        pytest.param(
            lambda b: b.replace(b"\t2022-01-16\tTV\t7\t", b"\t2022-01-09\tTV\t7\t", 1),
            id="a line added to a stored week",
        ),
    ],
)
def test_anything_but_added_lines_is_read_whole(change):
    assert change(WEEK_2.encode()) != WEEK_2.encode()
    assert parse_added(change(WEEK_2.encode()), known(WEEK_1.encode()), **OPTIONS) is None


@needs_shared_data
def test_a_broken_added_line_is_reported_by_the_whole_read_with_its_real_line_number():
    header, *rows = WEEK_2.split("\n")
    rows[3] = rows[3].replace("\tFilms\t4\t", "\tFilms\tfour\t")  # line 5, in the new week
    broken = "\n".join([header, *rows]).encode()
    assert parse_added(broken, known(WEEK_1.encode()), **OPTIONS) is None
    with pytest.raises(ParseError, match="line 5: rank 'four'"):
        parse_netflix(broken, **OPTIONS)


@needs_shared_data
def test_a_body_stored_with_other_contents_is_not_trusted():
    assert parse_added(WEEK_2.encode(), known(WEEK_1.encode() + b" "), **OPTIONS) is None


# -- polls ------------------------------------------------------------------------------------


def table(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return sorted(conn.execute(sql).fetchall(), key=repr)


STORED = {
    "periods": "SELECT c.name, p.period, p.countries, p.rows, p.digest FROM periods p "
    "JOIN charts c ON c.id = p.chart_id",
    "ranks": "SELECT c.name, r.period, r.country, r.rank, t.key, t.name, r.season, r.weeks "
    "FROM ranks r JOIN charts c ON c.id = r.chart_id JOIN titles t ON t.id = r.title_id",
    "events": "SELECT key, data FROM events",
    "deliveries": "SELECT e.key, d.destination FROM deliveries d "
    "JOIN events e ON e.id = d.event_id",
    "history": "SELECT history_hash FROM sources",
}


@needs_shared_data
def test_a_poll_by_added_lines_stores_what_a_whole_read_stores(tmp_path, chart_server):
    url = chart_server.serve("top10.tsv", WEEK_1)
    configs = {}
    for name in ("added", "whole"):
        (tmp_path / name).mkdir()
        configs[name] = write_config(tmp_path / name, url)
        assert poll_json(configs[name])[0] == 0
    assert table(tmp_path / "added" / "chartbot.db", STORED["history"]) == [
        (content_hash(WEEK_1.encode(), None),)
    ]
    with sqlite3.connect(tmp_path / "whole" / "chartbot.db") as conn:
        conn.execute("UPDATE sources SET history_hash = NULL")  # the whole file must be read

    chart_server.serve("top10.tsv", WEEK_2)
    for name, config in configs.items():
        code, alerts, stderr = poll_json(config)
        assert code == 0, stderr
        assert as_tuples(alerts) == EXPECTED, name
    added, whole = (tmp_path / name / "chartbot.db" for name in configs)
    for what, sql in STORED.items():
        assert table(added, sql) == table(whole, sql), what
    assert table(added, STORED["history"]) == [(content_hash(WEEK_2.encode(), None),)]
    assert len(table(added, STORED["ranks"])) == WEEK_2.count("\n")


@needs_shared_data
def test_a_scheduled_poll_reads_the_added_lines_only(tmp_path, chart_server, caplog):
    config = write_config(tmp_path, chart_server.serve("top10.tsv", WEEK_1))

    async def poll_once() -> PollOutcome:
        loaded = load_config(config)
        [source] = configured_sources(loaded)
        db = await StoreThread(loaded.database_path).open()
        try:
            async with http_session() as session:
                return await poll_source(
                    source, db, session=session, policy=alert_policy(loaded), terminal=True
                )
        finally:
            await db.close()

    with caplog.at_level(logging.DEBUG, logger="bot.sources"):
        assert asyncio.run(poll_once()).status == "baseline"
        assert "rows added" not in caplog.text
        chart_server.serve("top10.tsv", WEEK_2)
        outcome = asyncio.run(poll_once())
    added = WEEK_2.count("\t2022-01-16\t")
    assert f"read only the {added:,} rows added" in caplog.text
    assert (outcome.status, outcome.rows) == ("new", added)


@needs_shared_data
def test_an_added_lines_snapshot_whose_base_was_stored_over_is_refused_as_stale(tmp_path):
    source_file = tmp_path / "top10.tsv"
    config = config_from_dict(
        {
            "database": {"path": str(tmp_path / "chartbot.db")},
            "alerts": {"min_countries": 3, "watched_markets": ["US", "KR"]},
            "sources": [{"name": "netflix", "kind": "netflix_top10", "url": str(source_file)}],
        },
        source="test",
        base_dir=tmp_path,
    )
    [source] = configured_sources(config)

    terms = SourceTerms.of(source)

    def commit(store, snapshot):
        return commit_snapshot(
            store, snapshot, terms, policy=alert_policy(config), now=utcnow(), terminal=True
        )

    with Store.open(config.database_path) as store:
        assert commit(store, source.parse(WEEK_1.encode())).status == "baseline"
        before, _ = prepare(store, terms)
        by_added_lines = source.parse(WEEK_2.encode(), before)
        assert by_added_lines.based_on == before.history_hash
        # Another poll stores week 2 first, reading it whole.
        first = commit(store, source.parse(WEEK_2.encode()))
        assert first.status == "new" and first.events > 0
        events = table(config.database_path, STORED["events"])
        with pytest.raises(Stale, match="another poll stored this source's data"):
            commit(store, by_added_lines)  # nothing written: the poll reads again
        assert table(config.database_path, STORED["events"]) == events
        again, _ = prepare(store, terms)
        whole = commit(store, source.parse(WEEK_2.encode(), again))
        assert (whole.status, whole.events, whole.deliveries) == ("unchanged", 0, 0)


@needs_shared_data
def test_an_import_that_adds_periods_stops_trusting_the_stored_body(tmp_path, chart_server):
    config = write_config(tmp_path, chart_server.serve("top10.tsv", WEEK_2))
    assert poll_json(config)[0] == 0
    assert table(tmp_path / "chartbot.db", STORED["history"]) != [(None,)]
    older = tmp_path / "older.tsv"
    header, *rows = WEEK_1.split("\n")
    older.write_text(
        "\n".join(
            [
                header,
                *(r.replace("2022-01-09", "2021-06-27") for r in rows if "\t2022-01-09\t" in r),
            ]
        ),
        encoding="utf-8",
    )
    ran = run_cli("import", older, "--source", "netflix", "-c", config)
    assert ran.exit_code == 0, ran.stderr
    assert table(tmp_path / "chartbot.db", STORED["history"]) == [(None,)]
