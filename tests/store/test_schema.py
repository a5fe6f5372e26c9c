"""The schema's migrations on a real file, and the helpers the store's bulk work uses."""

from __future__ import annotations

import gc
import json
import sqlite3
import threading

import pytest
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from bot.bulk import collector_paused
from bot.engine.model import ChartRow, PackedRows, PeriodSummary, titles_of
from bot.sources.spotify import combined
from bot.store.charts import ChartsRepo
from bot.store.migration import RANKS_BY_TITLE, run_script
from bot.store.schema import initial
from bot.store.store import Store
from tests.helpers.cli import run_cli
from tests.helpers.configs import write_config
from tests.helpers.netflix import NETFLIX_WEEK_1, NETFLIX_WEEK_2
from tests.helpers.shared_data import needs_shared_data, shared

COMBINED = shared("files", "spotify", "combined", "charts-kaggle-form.csv")


def test_a_database_from_the_first_release_is_upgraded_in_place(tmp_path):
    path = tmp_path / "chartbot.db"
    first_release = Migrations("chartbot")
    first_release(name="0001_initial")(initial)
    db = Database(path)
    first_release.apply(db)
    db.execute("INSERT INTO titles (key, name) VALUES ('stay close', 'Stay Close')")
    db.execute(
        "INSERT INTO subscriptions (guild_id, user_id, title_id, via, created_at) "
        "VALUES (1, 2, 1, 'dm', '2022-01-01')"
    )
    # Left by a /subscribe that was refused after the title was made (before 0008).
    db.execute("INSERT INTO titles (key, name) VALUES ('brazen', 'Brazen')")
    db.conn.commit()
    assert db["titles_fts"].exists()
    db.close()

    with Store.open(path) as store:
        followed = store.titles.by_key("Stay Close")
        assert followed is not None and followed not in store.titles.candidates()  # unlisted
        assert store.titles.by_key("Brazen") is None  # followed by nobody, on no chart
        assert not store.db["titles_fts"].exists()
        assert not [t for t in store.db.triggers if t.table == "titles"]
        assert "history_hash" in store.db["sources"].columns_dict
        store.db.execute("INSERT INTO titles (key, name) VALUES ('cheer', 'Cheer')")  # no trigger


def _as_released_before_0007(path):
    """A store as chartbot left it before migration 0007: the narrower by-title index."""
    with Store.open(path) as store:
        index = store.charts.has_by_title_index()
        with store.write():
            if index:
                store.db.execute("DROP INDEX ranks_by_title")
                store.db.execute("CREATE INDEX ranks_by_title ON ranks(title_id, chart_id, period)")
            store.db.execute(
                "DELETE FROM _sqlite_migrations WHERE name = '0007_ranks_by_title_covers_a_rank'"
            )


COVERING = ["title_id", "chart_id", "period", "weeks", "season"]  # the index since 0007


def _by_title_index(store):
    return [r[2] for r in store.db.execute("PRAGMA index_info(ranks_by_title)")]


@needs_shared_data
def test_a_titles_ranks_are_read_from_the_by_title_index_alone(tmp_path):
    config = write_config(tmp_path, "top10.tsv")
    ran = run_cli("import", NETFLIX_WEEK_1, "--source", "netflix", "-c", config)
    assert ran.exit_code == 0, ran.stderr
    path = tmp_path / "chartbot.db"
    with Store.open(path) as store:
        title = store.titles.by_key("Squid Game")
        assert title is not None
        ranks = store.titles.ranks(title.id)
        asked: list[str] = []
        store.db.conn.set_trace_callback(asked.append)
        assert store.titles.ranks(title.id) == ranks
        store.db.conn.set_trace_callback(None)
        reads = [q for q in asked if "FROM ranks" in q]  # the ranks, and the charts they are on
        for read in reads:
            plan = str(store.db.execute(f"EXPLAIN QUERY PLAN {read}").fetchall())
            assert "COVERING INDEX ranks_by_title" in plan, plan  # no lookup per rank
        [query] = [q for q in reads if "SELECT r.chart_id, r.period" in q]
        assert {r.season for r in ranks} != {None}  # what the index must hold besides the key

    _as_released_before_0007(path)
    with Store.open(path, migrate=False) as store:
        assert _by_title_index(store) == ["title_id", "chart_id", "period"]
        assert "COVERING" not in str(store.db.execute(f"EXPLAIN QUERY PLAN {query}").fetchall())
    ran = run_cli("rank", "Squid Game", "-c", config)  # upgraded in place, and says so
    assert ran.exit_code == 0, ran.stderr
    assert "rebuilding the index of ranks by title" in ran.stderr
    with Store.open(path) as store:
        assert _by_title_index(store)[:5] == COVERING
        assert store.titles.ranks(title.id) == ranks
        made = store.db.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'ranks_by_title'"
        ).fetchone()[0]
        assert made == RANKS_BY_TITLE  # what a first big import builds at its end


def test_a_store_whose_first_big_import_is_under_way_is_upgraded_without_the_index(tmp_path):
    path = tmp_path / "chartbot.db"
    with Store.open(path) as store:
        assert store.charts.defer_by_title_index()
    _as_released_before_0007(path)
    with Store.open(path) as store:
        assert not store.charts.has_by_title_index()  # the import builds it when it ends
        assert store.charts.build_by_title_index()
        assert _by_title_index(store)[:5] == COVERING


def test_a_script_is_split_at_its_statements_only(tmp_path):
    db = Database(tmp_path / "s.db")
    run_script(
        db,
        """
        -- a comment; with a semicolon
        CREATE TABLE a (x TEXT DEFAULT 'one; two');
        INSERT INTO a DEFAULT VALUES;
        CREATE TABLE b (y INTEGER);
        """,
    )
    assert db.execute("SELECT x FROM a").fetchall() == [("one; two",)]
    assert db["b"].exists()


def test_the_collector_resumes_when_the_last_overlapping_pause_ends():
    assert gc.isenabled()
    inside, release = threading.Event(), threading.Event()

    def other_thread() -> None:
        with collector_paused():
            inside.set()
            release.wait(10)

    worker = threading.Thread(target=other_thread)
    with collector_paused():
        worker.start()
        inside.wait(10)
    assert not gc.isenabled()  # the other thread's pause still holds
    release.set()
    worker.join(10)
    assert gc.isenabled()


def test_a_collector_switched_off_before_stays_off():
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_schema_has_no_full_text_table(tmp_path):
    with Store.open(tmp_path / "chartbot.db") as store:
        names = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master")}
    assert not {n for n in names if "fts" in n}
    assert sqlite3.connect(tmp_path / "chartbot.db").execute(
        "PRAGMA integrity_check"
    ).fetchone() == ("ok",)


@needs_shared_data
def test_a_first_import_builds_the_by_title_index_and_later_ones_keep_it(tmp_path):
    config = write_config(tmp_path, "top10.tsv")
    for week in (NETFLIX_WEEK_1, NETFLIX_WEEK_2):
        ran = run_cli("import", week, "--source", "netflix", "-c", config)
        assert ran.exit_code == 0, ran.stderr
        with Store.open(tmp_path / "chartbot.db") as store:
            plan = store.db.execute(
                "EXPLAIN QUERY PLAN SELECT period FROM ranks WHERE title_id = 1"
            ).fetchall()
            assert "ranks_by_title" in str(plan)
            indexed = store.db.execute(
                "SELECT count(*) FROM ranks INDEXED BY ranks_by_title WHERE title_id > 0"
            ).fetchone()[0]
            assert indexed == store.db.execute("SELECT count(*) FROM ranks").fetchone()[0] > 0


@needs_shared_data
def test_a_big_first_import_builds_the_by_title_index_at_its_end(tmp_path, monkeypatch):
    monkeypatch.setattr(combined, "BATCH_ROWS", 5)  # many parts, each its own transaction
    seen: list[bool] = []
    original = ChartsRepo.put_period

    def watching(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(self.has_by_title_index())
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ChartsRepo, "put_period", watching)
    config = tmp_path / "config.toml"
    config.write_text('[[sources]]\nname = "spotify"\nkind = "spotify_charts"\n')
    big = tmp_path / "charts.csv"
    header, _, rows = COMBINED.read_bytes().partition(b"\r\n")
    days = [rows.replace(b"2017-01-01", f"2017-01-{d:02d}".encode()) for d in range(1, 6)]
    big.write_bytes(header + b"\r\n" + b"".join(days))
    ran = run_cli("import", big, "--source", "spotify", "-c", config)
    assert ran.exit_code == 0, ran.stderr
    assert len(seen) == 5 and not any(seen)  # no index while the parts went in
    with Store.open(tmp_path / "chartbot.db") as store:
        assert store.charts.has_by_title_index()
        assert not store.charts.defer_by_title_index()  # a store with ranks keeps it
        assert store.charts.has_by_title_index()


@pytest.mark.parametrize(
    "extra",
    [
        {"uri": "spotify:track:1rgnBhdG2JDFTbYkYRZAku", "streams": "253019"},
        {"artists": 'Tyler, The Creator, "Kali" Uchis\n\\ é 🎵 \u2028', "x": ""},
        {"genres": ["Pop", "K-Pop"], "weeks": 3, "note": None},
    ],
    ids=["plain", "escapes", "not text"],
)
def test_a_rows_extras_are_stored_as_json_that_reads_back(tmp_path, extra):
    with Store.open(tmp_path / "chartbot.db") as store:
        rows = [ChartRow("daily", "2024-01-01", "US", 1, "Song", "Artist", extra=extra)]
        with store.write():
            chart = store.charts.ids("spotify", ["daily"])["daily"]
            titles = store.titles.ids(rows)
            summary = PeriodSummary.of("daily", "2024-01-01", rows)
            store.charts.put_period(chart, summary, rows, titles, 0)
        [(text,)] = store.db.execute("SELECT extra FROM ranks").fetchall()
    assert json.loads(text) == extra


def test_packed_rows_are_stored_as_their_rows_would_be(tmp_path):
    # A big file's reader hands rows on packed (each song written once); stored as they
    # are, they must give the store exactly what the rows they stand for give it.
    # (Netflix's parse packs its rows too, with their seasons and weeks.)
    songs = [("Heathens", "twenty one pilots"), ("Chantaje", "Shakira"), ("Unused", None)]
    lines = [
        ("US", 2, 1, None, None, '{"uri":"spotify:track:2","streams":"9"}'),
        ("AR", 1, 1, "Season 2", 3, None),
        ("US", 1, 0, None, None, '{"uri":"spotify:track:1"}'),
    ]
    packed = PackedRows("daily", "2017-01-01", lines, songs)
    rows = list(packed)
    heathens = ChartRow("daily", "2017-01-01", "US", 1, "Heathens", "twenty one pilots")
    heathens.extra = {"uri": "spotify:track:1"}
    assert rows[2] == heathens
    assert rows[1] == ChartRow("daily", "2017-01-01", "AR", 1, "Chantaje", "Shakira", "Season 2", 3)
    assert packed[1:] == rows[1:] and packed.titles() == songs[1::-1]

    def stored(given: list[ChartRow] | PackedRows, name: str) -> list[tuple]:
        with Store.open(tmp_path / name) as store:
            with store.write():
                chart = store.charts.ids("spotify", ["daily"])["daily"]
                titles = store.titles.ids_of(titles_of(given))
                summary = PeriodSummary.of("daily", "2017-01-01", rows)
                store.charts.put_period(chart, summary, given, titles, 0)
            return (
                store.db.execute(
                    """SELECT r.period, r.country, r.rank, t.key, t.name, t.artist, r.season,
                          r.weeks, r.extra
                   FROM ranks r JOIN titles t ON t.id = r.title_id ORDER BY 1, 2, 3"""
                ).fetchall()
                + store.db.execute("SELECT key FROM titles").fetchall()
            )

    assert stored(packed, "packed.db") == stored(rows, "rows.db")
