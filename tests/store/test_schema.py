"""The schema's migrations on a real file, and the helpers the store's bulk work uses."""

from __future__ import annotations

import gc
import sqlite3
import threading

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from bot.bulk import collector_paused
from bot.store.schema import initial, run_script
from bot.store.store import Store
from tests.configs import write_config
from tests.conftest import NETFLIX_WEEK_1, NETFLIX_WEEK_2, run_cli


def test_a_database_from_the_first_release_is_upgraded_in_place(tmp_path):
    path = tmp_path / "chartbot.db"
    first_release = Migrations("chartbot")
    first_release(name="0001_initial")(initial)
    db = Database(path)
    first_release.apply(db)
    db.execute("INSERT INTO titles (key, name) VALUES ('stay close', 'Stay Close')")
    db.conn.commit()
    assert db["titles_fts"].exists()
    db.close()

    with Store.open(path) as store:
        assert store.titles.by_key("Stay Close") is not None
        assert not store.db["titles_fts"].exists()
        assert not [t for t in store.db.triggers if t.table == "titles"]
        assert "history_hash" in store.db["sources"].columns_dict
        store.db.execute("INSERT INTO titles (key, name) VALUES ('cheer', 'Cheer')")  # no trigger


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
