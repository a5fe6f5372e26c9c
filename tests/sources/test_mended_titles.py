"""Titles a spreadsheet export decoded wrongly (mojibake), read as they were written: the
real Netflix US daily file has 22 ("Greyâs Anatomy", "PokÃ©mon Journeys: The Series"),
and one show under two spellings ("Chappelleâs Show" for 4 days of November 2020,
"Chappelle's Show" for the next 7)."""

from __future__ import annotations

import csv
import sqlite3
from datetime import datetime

from bot.clock import utcnow
from bot.config import load_config
from bot.engine.model import ChartRow
from bot.engine.titles import TitleAliases, mended
from bot.pipeline import SourceTerms, commit_snapshot
from bot.service.polling import alert_policy, configured_sources
from bot.sources.base import Snapshot, keep_all
from bot.store.store import Store
from tests.helpers.cli import poll_json, run_cli
from tests.helpers.configs import US_DAILY, write_text_config
from tests.helpers.shared_data import needs_shared_data, shared

US_DAILY_FILE = shared("history", "netflix-us-daily-top-10-2020-04-01--2021-12-31.csv")
CHAPPELLE = ("Chappelle’s Show", "Chappelle's Show")  # the file's two spellings, mended
WRONG = ("Ã", "â\x80")  # how a wrong decoding of UTF-8 begins its letters here


def _titles(database):
    with sqlite3.connect(database) as db:
        return dict(db.execute("SELECT name, id FROM titles"))


def _ranks_of(database, title_id):
    with sqlite3.connect(database) as db:
        return db.execute("SELECT count(*) FROM ranks WHERE title_id = ?", [title_id]).fetchone()


def test_only_mojibake_is_mended():
    assert mended("Greyâ\x80\x99s Anatomy") == "Grey’s Anatomy"
    assert mended("PokÃ©mon Journeys: The Series") == "Pokémon Journeys: The Series"
    # Accented capitals are where a wrong guess would be: "Ã" is a letter in Portuguese.
    for written in ("Café con aroma de mujer", "AMANHÃ É", "SÃO PAULO", "Ñandú", "Straße", "Ça"):
        assert mended(written) == written


def test_an_alias_written_as_the_file_garbled_it_still_names_the_title():
    aliases = TitleAliases([["Pokémon Journeys", "PokÃ©mon Journeys: The Series"]])
    assert aliases.canonical(mended("PokÃ©mon Journeys: The Series")) == "Pokémon Journeys"


@needs_shared_data
def test_the_us_daily_files_titles_are_read_as_they_were_written(tmp_path):
    config = write_text_config(tmp_path, US_DAILY.format(url=US_DAILY_FILE))
    assert run_cli("import", "--source", "usdaily", "-c", config).exit_code == 0
    titles = _titles(tmp_path / "chartbot.db")
    assert not [name for name in titles if any(wrong in name for wrong in WRONG)]
    assert {"Grey’s Anatomy", "Pokémon Journeys: The Series", "Workin’ Moms"} <= set(titles)
    # Both spellings of the show are one title: its 11 days in the file, together.
    [show] = [titles[name] for name in CHAPPELLE if name in titles]
    assert _ranks_of(tmp_path / "chartbot.db", show) == (11,)
    ranked = run_cli("rank", "grey's anatomy", "-c", config)
    assert ranked.exit_code == 0 and "Grey’s Anatomy" in ranked.stdout


def _store_as_the_release_before(config_path):
    """The file stored as the release before this one stored it: each cell as it is."""
    config = load_config(config_path)
    [source] = configured_sources(config)
    snapshot = Snapshot(source="usdaily", content_hash="as read before")
    with open(US_DAILY_FILE, encoding="utf-8", newline="") as file:
        for line in csv.DictReader(file):
            day = datetime.strptime(line["As of"], "%m/%d/%Y").date().isoformat()
            rank, weeks = int(line["Rank"]), int(line["Days In Top 10"])
            snapshot.add(
                ChartRow("Top 10 US", day, "US", rank, line["Title"], weeks=weeks), keep_all
            )
    with Store.open(config.database_path) as store:
        commit_snapshot(
            store,
            snapshot,
            SourceTerms.of(source),
            policy=alert_policy(config),
            now=utcnow(),
            terminal=True,
        )
        with store.write():
            store.db.execute("DELETE FROM _sqlite_migrations WHERE name = '0015_mended_titles'")
            # As if the file had changed since: the next poll reads it whole, and compares
            # each stored day with the file's.
            store.db.execute("UPDATE sources SET content_hash = NULL, history_hash = NULL")


@needs_shared_data
def test_a_store_of_wrongly_decoded_titles_is_mended_and_the_same_file_reads_unchanged(tmp_path):
    config = write_text_config(tmp_path, US_DAILY.format(url=US_DAILY_FILE))
    _store_as_the_release_before(config)
    database = tmp_path / "chartbot.db"
    before = _titles(database)
    assert "Greyâ\x80\x99s Anatomy" in before and "Chappelle's Show" in before
    grey, chappelle = before["Greyâ\x80\x99s Anatomy"], before["Chappelle's Show"]
    assert _ranks_of(database, chappelle) == (7,)  # its first 4 days under the other name

    # The next poll reads the whole file again: opening the store mends it first.
    code, alerts, errors = poll_json(config)
    assert (code, alerts) == (0, []), errors
    after = _titles(database)
    assert not [name for name in after if any(wrong in name for wrong in WRONG)]
    assert after["Grey’s Anatomy"] == grey  # the same title, its name mended
    assert [after[name] for name in CHAPPELLE if name in after] == [chappelle]
    assert _ranks_of(database, chappelle) == (11,)  # folded into one
    assert len(after) == len(before) - 1
    with sqlite3.connect(database) as db:  # no day read as rewritten by the source
        assert db.execute("SELECT count(*) FROM replaced_periods").fetchone() == (0,)
        last = db.execute("SELECT outcome FROM snapshots ORDER BY id DESC LIMIT 1").fetchone()
        assert last == ("unchanged",)
