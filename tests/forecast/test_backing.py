"""A chance /rank shows comes with its measurement: how the chances its chart's rolling
backtest gave in the same tenth fared ("chances like these came true: 48% of 64"). The
tallies are that backtest's, binned as `chartbot backtest`'s reliability table bins them;
a store scored before the tallies were kept shows no chance until it is scored again."""

from __future__ import annotations

import json
import random
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from bot.delivery.messages import alert_line
from bot.engine.events import event_from_json
from bot.forecast.backtest import Backtest, Forecaster, Prediction, Predictions
from bot.forecast.examples import DEPTH
from bot.forecast.model import Target
from bot.forecast.scores import bin_of
from bot.i18n import Language, texts
from bot.service.forecaster import tallies
from bot.service.forecasts import source_histories
from bot.service.polling import sources_to_score
from bot.store.store import Store
from tests.forecast.test_backtest_cli import cut
from tests.forecast.test_live import FORECASTS, store_of
from tests.helpers.cli import run_cli
from tests.helpers.configs import US_DAILY, write_text_config
from tests.helpers.shared_data import needs_shared_data, shared

HISTORY = ("history", "netflix-us-daily-top-10-2020-04-01--2021-12-31.csv")


def prediction(
    period: int, chance: float, came: bool | None, within_came: bool | None, rank: int | None = 2
) -> Prediction:
    return Prediction(
        period=f"2021-01-{period:02}",
        chart="Top 10",
        market="US",
        title=period,
        rank=rank,
        next=chance,
        within=min(1.0, chance + 0.15),
        next_one=came,
        within_one=within_came,
        rank_next=0.2,
        rank_within=0.3,
    )


def test_tallies_are_the_reliability_tables_bins_of_the_outcomes_known():
    draw = random.Random(7)
    made = []
    for n in range(400):
        chance = draw.random()
        came = draw.random() < chance
        within = None if n % 9 == 0 else draw.random() < min(1.0, chance + 0.15)
        made.append(prediction(n % 28 + 1, chance, came, within, rank=draw.choice([1, 2, None])))
    made.append(prediction(28, 0.55, None, None))  # the day not stored yet: not counted
    tested = Backtest(Predictions(made), [], horizon=3)

    counted = tallies(tested)
    for target in Target:
        table = tested.scores(Forecaster.MODEL, target).reliability
        by_bin: dict[int, list[float]] = {}
        for t in counted:
            if t.target is target:
                held = by_bin.setdefault(t.bin, [0, 0, 0.0])
                held[0] += t.given
                held[1] += t.came_true
                held[2] += t.mean * t.given
        assert [(b, held[0]) for b, held in sorted(by_bin.items())] == [
            (round(b.low * 10), b.count) for b in table
        ]
        for (given, came, total), shown in zip(
            (by_bin[b] for b in sorted(by_bin)), table, strict=True
        ):
            assert came / given == pytest.approx(shown.observed)
            assert total / given == pytest.approx(shown.predicted)
    assert sum(t.given for t in counted if t.target is Target.NEXT) == 400
    assert sum(t.given for t in counted if t.target is Target.WITHIN) == 400 - 45


def test_the_titles_at_number_one_and_the_others_are_tallied_apart():
    # At 0.55 tomorrow, the #1s of these days stayed #1 and the others never took it.
    made = [prediction(day, 0.55, True, True, rank=1) for day in range(1, 11)]
    made += [
        prediction(day, 0.55, False, False, rank=rank) for day in range(1, 6) for rank in (2, None)
    ]
    counted = tallies(Backtest(Predictions(made), [], horizon=3))
    assert {(t.target, t.holder, t.bin): (t.given, t.came_true) for t in counted} == {
        (Target.NEXT, True, 5): (10, 10),
        (Target.NEXT, False, 5): (10, 0),
        (Target.WITHIN, True, 7): (10, 10),
        (Target.WITHIN, False, 7): (10, 0),
    }


def test_a_chance_on_a_tenths_edge_is_in_the_tenth_above_and_a_certain_one_in_the_last():
    assert [bin_of(c) for c in (0.0, 0.0999, 0.1, 0.5, 0.9999, 1.0)] == [0, 0, 1, 5, 9, 9]


def odds(config: Path) -> dict:
    [chart] = json.loads(run_cli("rank", "Love Hard", "--json", "-c", config).stdout)["charts"]
    return chart["chances"]


def stored_tallies(config: Path) -> dict[tuple[str, bool, int], tuple[int, int]]:
    with store_of(config) as store:
        rows = store.db.execute("SELECT target, holder, bin, given, came_true FROM forecast_bins")
        return {(target, bool(h), bin_): (given, came) for target, h, bin_, given, came in rows}


@pytest.fixture(scope="module")
def forecasted(tmp_path_factory) -> tuple[Path, Path]:
    """The US daily file cut on 2021-11-06, imported and forecast: the file and its store."""
    history = shared(*HISTORY)
    if not history.is_file():
        pytest.skip("../shared/data is absent")
    folder = tmp_path_factory.mktemp("forecasted")
    first = cut(history, folder / "first", "2021-11-06")
    config = write_text_config(folder, US_DAILY.format(url=first) + FORECASTS)
    assert run_cli("import", "--source", "usdaily", "-c", config).exit_code == 0
    assert run_cli("forecast", "--store", "--source", "usdaily", "-c", config).exit_code == 0
    return first, config.parent / "chartbot.db"


def copy_of(forecasted: tuple[Path, Path], folder: Path) -> Path:
    """A config of the forecast store's own, over a copy of it."""
    first, database = forecasted
    shutil.copy(database, folder / "chartbot.db")
    return write_text_config(folder, US_DAILY.format(url=first) + FORECASTS)


@needs_shared_data
def test_rank_backs_each_chance_with_how_its_tenth_fared_in_the_rolling_backtest(
    forecasted, tmp_path
):
    config = copy_of(forecasted, tmp_path)

    with store_of(config) as store:
        scored, periods = store.db.execute(
            "SELECT scored, scored_periods FROM forecast_charts"
        ).fetchone()
    assert periods == 60  # the rolling backtest's latest 60 days
    held = stored_tallies(config)
    # Every day it predicted is stored: each of its chances of #1 the next day was scored.
    assert sum(g for (target, _, _), (g, _) in held.items() if target == "next") == scored
    # One #1 a day, and a title new to the chart at #1 was nobody's candidate.
    assert 40 <= sum(c for (target, _, _), (_, c) in held.items() if target == "next") <= 60
    # The day's #1 was a candidate each day: 60 chances given to a title at #1.
    assert (
        sum(g for (target, holder, _), (g, _) in held.items() if holder and target == "next") == 60
    )

    us = odds(config)["US"]
    assert (us["next"]["chance"], us["within"]["chance"]) == (
        pytest.approx(0.398, abs=0.001),
        pytest.approx(0.526, abs=0.001),
    )
    for target in ("next", "within"):  # Love Hard was #2: backed by the titles not at #1
        given, came = held[target, False, bin_of(us[target]["chance"])]
        assert (us[target]["backtest_given"], us[target]["backtest_came_true"]) == (given, came)
        assert given > 0  # few, on a chart of one market: the line says how few
    said = " ".join(run_cli("rank", "Love Hard", "-c", config).stdout.split())  # unwrapped
    line = re.search(r"chances like these came true: (\d+)% of (\d+) · (\d+)% of (\d+)", said)
    assert line is not None, said
    next_share, next_given, within_share, within_given = map(int, line.groups())
    assert (next_given, within_given) == (
        us["next"]["backtest_given"],
        us["within"]["backtest_given"],
    )
    assert next_share == round(100 * us["next"]["backtest_came_true"] / next_given)
    assert within_share == round(100 * us["within"]["backtest_came_true"] / within_given)
    assert "(backtest, last 60 days)" in said

    # `chartbot forecast` backs its chances the same way, from the same stored backtest.
    ran = run_cli("forecast", "--source", "usdaily", "--json", "-c", config)
    [love_hard] = [json.loads(row) for row in ran.stdout.splitlines() if "Love Hard" in row]
    for target in ("next", "within"):
        chance = love_hard[f"p_{target}"]
        # The same model: it reads fewer periods before its window than the refresh does,
        # and knows which of its titles charted before them (their ages).
        assert chance == pytest.approx(us[target]["chance"], abs=0.0001)
        given, came = held[target, False, bin_of(chance)]
        assert love_hard[f"backtest_{target}"] == {"given": given, "came_true": came}
    assert love_hard["backtest_periods"] == 60
    text = run_cli("forecast", "--source", "usdaily", "-c", config)
    [line] = [row for row in text.stdout.splitlines() if "Love Hard" in row]
    said_of = [
        f"{b['came_true'] / b['given']:.0%} of {b['given']:,}"
        for b in (love_hard["backtest_next"], love_hard["backtest_within"])
    ]
    assert line.endswith(f"(backtest, last 60 days: {said_of[0]} · {said_of[1]})"), line
    assert text.stderr == ""


def as_before_the_tallies(config: Path) -> None:
    """The store as the release before left it: a score, no tallies, no periods scored."""
    with store_of(config) as store, store.db.conn:
        store.db.execute("DROP TABLE forecast_bins")
        store.db.execute("ALTER TABLE forecast_charts DROP COLUMN scored_periods")
        store.db.execute("DELETE FROM _sqlite_migrations WHERE name = '0016_forecast_bins'")


@needs_shared_data
def test_a_score_kept_from_before_the_tallies_shows_no_chance_until_scored_again(
    forecasted, tmp_path
):
    config = copy_of(forecasted, tmp_path)
    as_before_the_tallies(config)
    with Store.open(config.parent / "chartbot.db") as store:
        assert store.db.execute("SELECT scored_through FROM forecast_charts").fetchall() == [
            (None,)
        ]
        assert sources_to_score(store) == ["usdaily"]  # the bot forecasts it as it starts
    assert odds(config) == {}
    assert "within 3 days" not in run_cli("rank", "Love Hard", "-c", config).stdout

    # Nothing new stored, but the next refresh scores the chart again: its chances are back.
    assert run_cli("forecast", "--store", "--source", "usdaily", "-c", config).exit_code == 0
    assert odds(config)["US"]["next"]["backtest_given"] > 0
    assert "chances like these came true" in run_cli("rank", "Love Hard", "-c", config).stdout
    with store_of(config) as store:
        assert sources_to_score(store) == []


def test_an_on_course_alert_stored_before_the_backing_is_said_as_it_was():
    stored = {
        "type": "on_course",
        "source": "usdaily",
        "chart": "Top 10 US",
        "period": "2021-11-06",
        "title": "Love Hard",
        "country": "US",
        "rank": 2,
        "chance": 0.494,
        "horizon": 3,
        "unit": "day",
    }
    old = event_from_json(stored, title_key="love hard")
    assert alert_line(old, texts(Language.EN)) == (
        "**Love Hard** is on course for #1 in United States (49% within 3 days)"
    )
    new = replace(old, backtest_given=0, backtest_came_true=0, backtest_periods=60)
    assert alert_line(new, texts(Language.EN)).endswith(
        " · chances like this came true: none given (backtest, last 60 days)"
    )


@needs_shared_data
def test_a_score_kept_keeps_its_tallies_and_backs_the_chances_made_after_it(forecasted, tmp_path):
    config = copy_of(forecasted, tmp_path)
    before, shown = stored_tallies(config), odds(config)
    ran = run_cli("forecast", "--store", "--source", "usdaily", "-c", config)
    assert ran.exit_code == 0, ran.stderr
    assert stored_tallies(config) == before
    assert odds(config) == shown


@needs_shared_data
def test_a_score_of_another_horizon_is_not_kept(forecasted, tmp_path):
    config = copy_of(forecasted, tmp_path)
    before = stored_tallies(config)
    config.write_text(config.read_text().replace("alert_at = 0.45", "alert_at = 0.45\nhorizon = 5"))
    ran = run_cli("forecast", "--store", "--source", "usdaily", "-c", config)
    assert ran.exit_code == 0, ran.stderr
    # Scored again: "within 5 days" is backed by chances within 5 days, not 3.
    after = stored_tallies(config)
    within = {key: value for key, value in after.items() if key[0] == "within"}
    assert within != {key: value for key, value in before.items() if key[0] == "within"}
    assert odds(config)["US"]["horizon"] == 5
    assert "within 5 days" in " ".join(run_cli("rank", "Love Hard", "-c", config).stdout.split())


@needs_shared_data
@pytest.mark.parametrize("by_title_index", [True, False], ids=["indexed", "importing"])
def test_a_read_from_a_period_on_knows_which_titles_charted_before_it(
    forecasted, tmp_path, by_title_index
):
    config = copy_of(forecasted, tmp_path)
    with store_of(config) as store:
        if not by_title_index:  # as during a big first import
            store.db.execute("DROP INDEX ranks_by_title")
        [history] = source_histories(store, "usdaily", 520, also=0).charts
        first = history.periods[0]
        every = store.db.execute(
            "SELECT title_id, min(period) FROM ranks WHERE rank <= ? GROUP BY title_id", [DEPTH]
        ).fetchall()
    held = {t for standings in history.standings for on in standings.values() for t in on}
    earlier = {title for title, since in every if since < first and title in held}
    assert earlier and history.earlier == earlier
