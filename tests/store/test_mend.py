"""Migration 0015 on a store as the release before left it: titles a table source kept
garbled are mended, and one whose mended name is another title's is folded into it with
what hangs on it (tests/sources/test_mended_titles.py runs it on the real US daily file)."""

from __future__ import annotations

import pytest

from bot.engine.model import line_digest
from bot.engine.titles import title_key
from bot.store.store import Store

GARBLED = "Greyâ\x80\x99s Anatomy"
MENDED = "Grey’s Anatomy"
ELSEWHERE = "PokÃ©mon Journeys"  # also on a Netflix chart, whose reader does not mend
DAY = "2021-01-01"


def _as_left_before(path, kind="table"):
    with Store.open(path) as store, store.write():
        db = store.db
        for name, its_kind in (("usdaily", kind), ("netflix", "netflix_top10")):
            db.execute("INSERT INTO sources (name, kind) VALUES (?, ?)", [name, its_kind])
        db.execute("INSERT INTO charts (id, source, name) VALUES (1, 'usdaily', 'Top 10 US')")
        db.execute("INSERT INTO charts (id, source, name) VALUES (2, 'netflix', 'TV')")
        for title_id, name, listed in ((1, GARBLED, 1), (3, ELSEWHERE, 2)):
            db.execute(
                "INSERT INTO titles (id, key, name, listed) VALUES (?, ?, ?, ?)",
                [title_id, title_key(name), name, listed],
            )
        # A member followed the show before it charted, spelling it their way: unlisted.
        db.execute(
            "INSERT INTO titles (id, key, name) VALUES (2, ?, 'greys anatomy')",
            [title_key(MENDED)],
        )
        for chart_id, rank, title_id in ((1, 1, 1), (1, 2, 3), (2, 1, 3)):
            db.execute(
                "INSERT INTO ranks (chart_id, period, country, rank, title_id, weeks) "
                "VALUES (?, ?, 'US', ?, ?, 4)",
                [chart_id, DAY, rank, title_id],
            )
        db.execute(
            "INSERT INTO periods (chart_id, period, countries, rows, digest) "
            "VALUES (1, ?, '{\"US\": 2}', 2, '00000000000000ff')",
            [DAY],
        )
        for guild_id, user_id, title_id in ((5, 7, 2), (None, 7, 2), (None, 7, 1), (5, 8, 1)):
            db.execute(
                "INSERT INTO subscriptions (guild_id, user_id, title_id, via, created_at) "
                "VALUES (?, ?, ?, 'dm', '2021-01-01')",
                [guild_id, user_id, title_id],
            )
        db.execute(
            "INSERT INTO on_course_calls (chart_id, country, title_id, period, chance, horizon) "
            "VALUES (1, 'US', 1, ?, 0.6, 3)",
            [DAY],
        )
        db.execute(
            "INSERT INTO forecasts (chart_id, country, title_id, period, rank, p_next, p_within) "
            "VALUES (1, 'US', 1, ?, 1, 0.7, 0.8)",
            [DAY],
        )
        db.execute("DELETE FROM _sqlite_migrations WHERE name = '0015_mended_titles'")


@pytest.mark.parametrize("kind", ["table", "html"])  # the source kinds that mend
def test_a_garbled_title_is_folded_into_the_title_a_member_followed_before_it_charted(
    tmp_path, kind
):
    path = tmp_path / "chartbot.db"
    _as_left_before(path, kind)
    with Store.open(path) as store:
        db = store.db
        titles = {row[0]: row[1:] for row in db.execute("SELECT id, name, listed FROM titles")}
        # The charted title's name and place in the index go to the one it is folded into.
        assert titles == {2: (MENDED, 1), 3: (ELSEWHERE, 2)}
        assert db.execute(
            "SELECT title_id FROM ranks WHERE chart_id = 1 AND rank = 1"
        ).fetchone() == (2,)
        follows = sorted(
            db.execute("SELECT guild_id, user_id, title_id FROM subscriptions").fetchall(),
            key=repr,
        )
        assert follows == [(5, 7, 2), (5, 8, 2), (None, 7, 2)]  # one DM follow, not two
        assert db.execute("SELECT title_id FROM on_course_calls").fetchall() == [(2,)]
        assert db.execute("SELECT count(*) FROM forecasts").fetchone() == (0,)
        # The day's digest moved by the mended row's difference, and by nothing else.
        shift = line_digest("US", 1, MENDED, None, None, 4) - line_digest(
            "US", 1, GARBLED, None, None, 4
        )
        (digest,) = db.execute("SELECT digest FROM periods").fetchone()
        assert digest == f"{(0xFF + shift) & 0xFFFFFFFFFFFFFFFF:016x}"


def test_a_store_with_no_source_that_mends_is_left_as_it_is(tmp_path):
    path = tmp_path / "chartbot.db"
    _as_left_before(path, kind="spotify_charts")
    with Store.open(path) as store:
        names = {row[0] for row in store.db.execute("SELECT name FROM titles")}
        assert names == {GARBLED, "greys anatomy", ELSEWHERE}


def test_a_title_takes_the_key_another_mended_title_leaves(tmp_path):
    # "MamÃ© Mia" holds the key "mama mia" until it is mended to "Mamé Mia"; the title
    # garbled twice, listed first, mends to "Mamá Mia", whose key that is.
    path = tmp_path / "chartbot.db"
    with Store.open(path) as store, store.write():
        db = store.db
        db.execute("INSERT INTO sources (name, kind) VALUES ('usdaily', 'table')")
        db.execute("INSERT INTO charts (id, source, name) VALUES (1, 'usdaily', 'Top 10 US')")
        for title_id, name in ((1, "MamÃ\x83Â¡ Mia"), (2, "MamÃ© Mia")):
            db.execute(
                "INSERT INTO titles (id, key, name, listed) VALUES (?, ?, ?, ?)",
                [title_id, title_key(name), name, title_id],
            )
            db.execute(
                "INSERT INTO ranks (chart_id, period, country, rank, title_id) "
                "VALUES (1, ?, 'US', ?, ?)",
                [DAY, title_id, title_id],
            )
        db.execute("DELETE FROM _sqlite_migrations WHERE name = '0015_mended_titles'")
    with Store.open(path) as store:
        titles = store.db.execute("SELECT id, key, name FROM titles ORDER BY id").fetchall()
        assert titles == [(1, "mama mia", "Mamá Mia"), (2, "mame mia", "Mamé Mia")]
