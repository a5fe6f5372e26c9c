"""The titles table (bot/store/titles.py): spellings merged into one title."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta

import pytest

from bot.engine.model import ChartRow, PeriodSummary, PeriodUnit
from bot.engine.standings import standings, unit_of
from bot.service import lookup
from bot.store.store import Store
from tests.helpers.cli import run_cli
from tests.helpers.configs import write_config
from tests.helpers.netflix import NETFLIX_WEEK_1
from tests.helpers.shared_data import needs_shared_data


def test_merged_spellings_become_one_title(fresh_db):
    store = fresh_db
    with store.write():
        store.titles.ids(
            [
                ChartRow("TV", "2022-01-09", "ES", 1, "El juego del calamar"),
                ChartRow("TV", "2022-01-09", "US", 1, "Squid Game"),
            ]
        )
    groups = [["Squid Game", "El juego del calamar"]]
    [planned] = store.titles.merges(groups)  # a dry run: what it would join
    assert [c.name for c in store.titles.candidates()] == ["El juego del calamar", "Squid Game"]
    assert (planned.kept and planned.kept.name, [c.name for c in planned.folded]) == (
        "Squid Game",
        ["El juego del calamar"],
    )
    assert (planned.ranks, planned.subscriptions) == (0, 0)  # titles only, in this test
    assert store.titles.merge(groups) == [planned]
    assert [c.name for c in store.titles.candidates()] == ["Squid Game"]
    assert store.titles.merge(groups) == []


# Twenty Saturdays from 1962-01-06 on
HOT_100_SATURDAYS = [(date(1962, 1, 6) + timedelta(weeks=n)).isoformat() for n in range(20)]


def _put(store, chart: str, period: str, lines: list[tuple]) -> None:
    """Store one chart period of (country, rank, title, season, weeks) lines."""
    rows = [ChartRow(chart, period, c, rank, t, season=s, weeks=w) for c, rank, t, s, w in lines]
    with store.write():
        chart_id = store.charts.ids("netflix", [chart])[chart]
        summary = PeriodSummary.of(chart, period, rows)
        store.charts.put_period(chart_id, summary, rows, store.titles.ids(rows), 0)


def _words(found):
    """A standing as /rank's words read it: all but the history picture's periods."""
    return [{**asdict(s), "history": None} for s in found]


def _every_rank_standings(store, title_id):
    ranks = store.titles.ranks(title_id)
    chart_ids = {r.chart_id for r in ranks}
    return standings(
        ranks,
        {c: store.charts.periods(c) for c in chart_ids},
        {c: store.charts.shape(c) for c in chart_ids},
    )


def test_rank_words_read_the_latest_two_periods_and_a_span_of_the_rest(fresh_db):
    store = fresh_db
    show = "Love, Death & Robots"
    vol_1, vol_3 = f"{show}: Volume 1", f"{show}: Volume 3"  # a comma in a season's name
    _put(store, "TV", "2022-05-01", [("US", 3, show, vol_3, 1), ("KR", 1, show, vol_3, 1)])
    _put(
        store,
        "TV",
        "2022-05-08",
        [("US", 1, show, vol_3, 2), ("US", 4, show, vol_1, 1), ("FR", 1, show, vol_1, 1)],
    )
    _put(store, "TV", "2022-05-15", [("US", 1, "Other", None, None)])
    _put(store, "TV", "2022-05-22", [("US", 2, show, vol_3, 3), ("JP", 5, show, vol_1, 2)])
    _put(store, "TV", "2022-05-29", [("US", 1, "Other", None, None)])
    _put(store, "Films", "2022-05-22", [("US", 7, show, None, None)])
    title = store.titles.by_key(show)
    assert title is not None

    found = lookup.title_standings(store, title.id)
    every = _every_rank_standings(store, title.id)
    assert _words(found) == _words(every)
    tv = next(s for s in found if s.chart == "TV")
    # Its latest period, and the chart's period before it (where it did not chart)
    assert (tv.period, tv.previous_period, tv.previous_ranks) == ("2022-05-22", "2022-05-15", {})
    assert set(tv.history) == {"2022-05-22"}
    assert (tv.best_rank, tv.best_rank_period, tv.best_rank_countries) == (1, "2022-05-01", ["KR"])
    assert (tv.best_rank_periods, tv.periods_charted, tv.first_period) == (2, 3, "2022-05-01")
    assert tv.seasons == (vol_3, vol_1)  # in the order they first charted
    assert tv.in_chart == {"US": 3, "JP": 2}
    drawn = lookup.full_standing(store, title.id, tv.chart_id)
    assert drawn is not None
    assert set(drawn.history) == {"2022-05-01", "2022-05-08", "2022-05-22"}
    assert drawn.history == next(s for s in every if s.chart == "TV").history


@needs_shared_data
def test_rank_words_match_every_rank_read_for_every_title_of_a_real_file(tmp_path):
    config = write_config(tmp_path, "top10.tsv")
    ran = run_cli("import", NETFLIX_WEEK_1, "--source", "netflix", "-c", config)
    assert ran.exit_code == 0, ran.stderr
    with Store.open(tmp_path / "chartbot.db") as store:
        title_ids = [row[0] for row in store.db.execute("SELECT DISTINCT title_id FROM ranks")]
        assert len(title_ids) > 200
        for title_id in title_ids:
            assert _words(lookup.title_standings(store, title_id)) == _words(
                _every_rank_standings(store, title_id)
            ), title_id
        squid = store.titles.by_key("Squid Game")
        assert squid is not None
        asked: list[str] = []
        store.db.conn.set_trace_callback(asked.append)
        lookup.title_standings(store, squid.id)
        store.db.conn.set_trace_callback(None)
        reads = [q for q in asked if "FROM ranks" in q]
        assert reads
        for read in reads:
            plan = str(store.db.execute(f"EXPLAIN QUERY PLAN {read}").fetchall())
            assert "SCAN" not in plan.replace("SCAN CONSTANT ROW", ""), (read, plan)


def test_charts_the_words_tie_on_come_in_the_order_the_title_first_charted_them(fresh_db):
    store = fresh_db
    _put(store, "Zeta", "2022-05-08", [("US", 2, "Show", None, None)])  # stored first
    _put(store, "Alpha", "2022-05-01", [("US", 2, "Show", None, None)])  # charted first
    _put(store, "Zeta", "2022-05-15", [("US", 2, "Show", None, None)])
    _put(store, "Alpha", "2022-05-15", [("US", 2, "Show", None, None)])
    title = store.titles.by_key("Show")
    assert title is not None
    found = lookup.title_standings(store, title.id)
    assert [s.chart for s in found] == ["Alpha", "Zeta"]
    assert _words(found) == _words(_every_rank_standings(store, title.id))


def test_seasons_named_with_commas_keep_their_order(fresh_db):
    store = fresh_db
    # Charted in the same period, they come by name: "Show: A B" first (a space sorts
    # before a comma), though the comma is stored as \x1f, which sorts before a space.
    _put(
        store,
        "TV",
        "2022-05-01",
        [("US", 1, "Show", "Show: A B", 1), ("FR", 1, "Show", "Show: A, B", 1)],
    )
    title = store.titles.by_key("Show")
    assert title is not None
    [found] = lookup.title_standings(store, title.id)
    assert found.seasons == ("Show: A B", "Show: A, B")
    assert _words([found]) == _words(_every_rank_standings(store, title.id))


@pytest.mark.parametrize(
    ("periods", "unit"),
    [
        (["2024-01-07"], PeriodUnit.WEEK),
        ([f"2024-01-{d:02}" for d in range(1, 31)], PeriodUnit.DAY),
        # The Hot 100 moved from Mondays to Saturdays once, twelve days apart
        (["1961-12-11", "1961-12-18", "1961-12-25", *HOT_100_SATURDAYS], PeriodUnit.WEEK),
        (["2024-01-01", "2024-01-15", "2024-02-01", "2024-02-15"], PeriodUnit.PERIOD),
        (["2024-01-01", "2024-01-08", "2024-01-22"], PeriodUnit.PERIOD),  # one gap in two
    ],
    ids=["one", "daily", "weekly, one other gap", "twice a month", "too few to tell"],
)
def test_a_charts_unit_is_read_from_its_usual_gap(periods, unit):
    assert unit_of(periods) is unit


@pytest.mark.parametrize("by_title_index", [True, False], ids=["indexed", "importing"])
def test_the_titles_that_charted_before_a_period_are_those_of_that_chart_and_depth(
    fresh_db, by_title_index
):
    # Title 1 charted on chart 1 before 2022-01-10; title 2 only below the depth read;
    # title 3 only on chart 2; title 4 only from 2022-01-10 on.
    rows = [
        (1, "2022-01-03", "US", 1, 1),
        (1, "2022-01-03", "US", 60, 2),
        (2, "2022-01-03", "US", 1, 3),
        (1, "2022-01-10", "US", 2, 4),
        (1, "2022-01-10", "US", 3, 3),
    ]
    with fresh_db.write():
        fresh_db.db.conn.executemany(
            "INSERT INTO ranks (chart_id, period, country, rank, title_id) VALUES (?, ?, ?, ?, ?)",
            rows,
        )
        if not by_title_index:  # as during a big first import
            fresh_db.db.execute("DROP INDEX ranks_by_title")
    found = fresh_db.titles.charted_before(1, "2022-01-10", [1, 2, 3, 4], depth=50)
    assert found == {1}
