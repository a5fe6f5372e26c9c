"""The backtest's scores and the examples it learns from, on plain values."""

from __future__ import annotations

import dataclasses
import math
import random
from datetime import date, timedelta

import pytest

from bot.config import ForecastConfig
from bot.forecast import scores as scores_module
from bot.forecast.backtest import (
    Backtest,
    Forecaster,
    Prediction,
    Predictions,
    _blocks,
    _refit_point,
    backtest,
)
from bot.forecast.examples import (
    CAP,
    FEATURES,
    ChartHistory,
    all_examples,
    candidates_per_period,
    examples_by_period,
    learning_window,
)
from bot.forecast.model import Model, Target
from bot.forecast.scores import Bin, Scores
from bot.service.forecaster import refit_every


def test_brier_log_loss_and_reliability_are_the_textbook_ones():
    scores = Scores.of([0.9, 0.2, 0.25, 0.05], [True, False, True, False])
    assert scores.count == 4
    assert scores.brier == pytest.approx((0.01 + 0.04 + 0.5625 + 0.0025) / 4)
    assert scores.log_loss == pytest.approx(
        -(math.log(0.9) + math.log(0.8) + math.log(0.25) + math.log(0.95)) / 4
    )
    bins = {(b.low, b.count, b.observed) for b in scores.reliability}
    assert bins == {(0.9, 1, 1.0), (0.2, 2, 0.5), (0.0, 1, 0.0)}
    assert scores.skill(Scores.of([0.5] * 4, [True, False, True, False])) == pytest.approx(
        1 - scores.brier / 0.25
    )


def test_a_bins_range_redraws_its_chart_periods_not_its_predictions():
    # Ten chart periods of 20 predictions at 0.6 each; in five all came true, in five
    # none did (a period's candidates rise and fall together).
    chances = [0.6] * 200
    outcomes = [n // 20 % 2 == 0 for n in range(200)]
    periods = [f"2024-01-{n // 20 + 1:02}" for n in range(200)]
    [grouped] = Scores.of(chances, outcomes, periods).reliability
    assert (grouped.count, grouped.events, grouped.observed) == (200, 10, 0.5)
    assert grouped.observed_range is not None
    low, high = grouped.observed_range
    assert low < 0.3 and high > 0.7  # ten tries of a coin, not two hundred
    assert not grouped.off  # 0.6 against 0.5 is within the luck of ten periods
    # Taken as 200 independent predictions, the same 0.6 would be off.
    [alone] = Scores.of(chances, outcomes).reliability
    assert alone.events == 200 and alone.off
    assert Scores.of(chances, outcomes).off_bins() == [alone]


def test_the_luck_of_the_largest_gap_is_that_of_the_chart_periods_predicted():
    # 200 chances of 0.5, right on average: half came true. In groups of 20 (ten chart
    # periods, each all true or all false) luck moves the share as ten coins would; as
    # 200 predictions of their own, far less.
    chances = [0.5] * 200
    outcomes = [n // 20 % 2 == 0 for n in range(200)]
    periods = [n // 20 for n in range(200)]
    grouped = Scores.of(chances, outcomes, periods).luck
    alone = Scores.of(chances, outcomes).luck
    assert grouped is not None and alone is not None
    assert grouped.typical > 0.07 > 0.04 > alone.typical
    assert grouped.largest == alone.largest == 0.0
    assert grouped.as_large == alone.as_large == 1.0  # every redraw's gap is as large as 0


def test_a_gap_luck_cannot_explain_is_seen_in_no_redraw():
    # 2,000 chances of 0.75, of their own, and half came true: a gap of 0.25.
    outcomes = [n % 2 == 0 for n in range(2000)]
    scores = Scores.of([0.75] * 2000, outcomes)
    assert scores.worst_bin() == pytest.approx(0.25)
    assert scores.luck is not None and scores.luck.largest == pytest.approx(0.25)
    assert scores.luck.as_large == 0.0
    # The same gap in ten chart periods of 200 (five all true, five all false) is luck: a
    # share of 0.25 or 0.75 from ten coins comes about one time in nine.
    periods = [n // 200 for n in range(2000)]
    grouped = Scores.of([0.75] * 2000, [p % 2 == 0 for p in periods], periods).luck
    assert grouped is not None and grouped.as_large > 0.05


def test_the_largest_gap_is_judged_on_bins_that_redraws_can_move():
    # Two bins of 100 predictions, right; one of 10, far off (0.55 given, 1 came true):
    # fewer than 50, so not judged.
    chances = [0.15] * 100 + [0.85] * 100 + [0.55] * 10
    outcomes = (
        [n < 15 for n in range(100)] + [n < 85 for n in range(100)] + [n < 1 for n in range(10)]
    )
    luck = Scores.of(chances, outcomes).luck
    assert luck is not None and (luck.judged, luck.as_large) == (2, 1.0)
    assert luck.largest == pytest.approx(0.0)
    # A share of 0.15 (or 0.85) of 100 tries moves by about 0.036 (one standard deviation):
    # the larger of two such moves is typically about that. The small bin would make it
    # about 0.15.
    assert 0.025 < luck.typical < 0.05
    # Nor are bins of 50 or more that redraws cannot move: one of 3 chart periods (off by
    # 0.35), one where none came true (60 chances of 2%).
    chances = [0.15] * 100 + [0.85] * 60 + [0.02] * 60
    outcomes = [n < 15 for n in range(100)] + [n < 30 for n in range(60)] + [False] * 60
    periods = list(range(100)) + [100 + n // 20 for n in range(60)] + list(range(200, 260))
    scores = Scores.of(chances, outcomes, periods)
    assert scores.worst_bin() == pytest.approx(0.35)
    assert scores.luck is not None and scores.luck.judged == 1
    assert scores.luck.largest == pytest.approx(0.0)
    assert Scores.of([0.02] * 60, [False] * 60).luck is None  # nothing to judge
    assert Scores.of([0.5] * 49, [True, False] * 24 + [True]).luck is None  # no bin of fifty


def test_a_bin_of_many_chart_periods_gets_the_range_the_redraws_tend_to(monkeypatch):
    # 3,000 chart periods whose predictions all came true together, or not at all.
    generator = random.Random(3)
    chances, outcomes, periods = [], [], []
    for period in range(3000):
        came = generator.random() < 0.3
        for _ in range(generator.randint(5, 30)):
            chances.append(0.3)
            outcomes.append(came)
            periods.append(period)
    [normal] = Scores.of(chances, outcomes, periods).reliability
    monkeypatch.setattr(scores_module, "MANY_EVENTS", 5000)
    [redrawn] = Scores.of(chances, outcomes, periods).reliability
    assert normal.observed_range and redrawn.observed_range
    assert normal.observed_range != redrawn.observed_range
    for said, drawn in zip(normal.observed_range, redrawn.observed_range, strict=True):
        assert said == pytest.approx(drawn, abs=0.002)
    # Three times as wide as the 52,000 predictions would be as independent tries.
    low, high = normal.observed_range
    assert high - low > 0.02


def test_a_bin_where_none_came_true_still_has_the_range_of_coin_flips():
    # None of 60 chances of 2% came true (a 30% chance): not off.
    periods = [n // 6 for n in range(60)]
    [none] = Scores.of([0.02] * 60, [False] * 60, periods).reliability
    assert none.observed_range is not None
    low, high = none.observed_range
    assert low == 0.0 and 0.02 < high < 0.1
    assert not none.off


def test_within_the_horizon_a_bins_periods_are_redrawn_a_horizon_at_a_time():
    # Ten candidates a week on two charts: TV stores 30 weeks, Films every other one of
    # them. Whether one came true "within 3 periods" is the same for three of the chart's
    # own periods in a row (their horizons overlap): TV in chance 0.15, Films in 0.45.
    generator = random.Random(5)
    made = Predictions()
    for chart, chance, step in (("TV", 0.15, 1), ("Films", 0.45, 2)):
        weeks = range(0, 30, step)
        for block in range(0, len(weeks), 3):
            came = generator.random() < 0.5
            for week in weeks[block : block + 3]:
                period = (date(2024, 1, 7) + timedelta(weeks=week)).isoformat()
                for title in range(10):
                    made.append(
                        Prediction(
                            period=period,
                            chart=chart,
                            market="US",
                            title=title,
                            rank=title + 1,
                            next=0.1,
                            within=chance,
                            next_one=False,
                            within_one=came,
                            rank_next=0.1,
                            rank_within=0.2,
                        )
                    )

    def within(horizon: int) -> dict[float, Bin]:
        scores = Backtest(made, [], horizon).scores(Forecaster.MODEL, Target.WITHIN)
        return {b.low: b for b in scores.reliability}

    alone, together = within(1), within(3)
    for low, weeks in ((0.1, 30), (0.4, 15)):  # TV's bin, Films'
        assert alone[low].events == together[low].events == weeks  # the weeks predicted
        apart, drawn = alone[low].observed_range, together[low].observed_range
        assert apart is not None and drawn is not None
        assert drawn[1] - drawn[0] > 1.3 * (apart[1] - apart[0])  # a third as many tries


def test_a_horizons_blocks_are_each_charts_own_periods_in_a_row():
    weeks = [(date(2024, 1, 7) + timedelta(weeks=n)).isoformat() for n in range(12)]
    events = [("TV", week) for week in weeks[:6]] + [("Films", week) for week in weeks[::2]]
    assert (
        _blocks(events, 3)
        == [("TV", 0)] * 3 + [("TV", 1)] * 3 + [("Films", 0)] * 3 + [("Films", 1)] * 3
    )
    assert _blocks(events, 1) == [("TV", n) for n in range(6)] + [("Films", n) for n in range(6)]


def test_a_bin_of_few_chart_periods_gets_no_range():
    [few] = Scores.of(
        [0.9] * 60, [False] * 60, ["2024-01-01"] * 30 + ["2024-01-08"] * 30
    ).reliability
    assert (few.events, few.observed_range, few.off) == (2, None, False)


def test_a_certain_chance_that_failed_costs_a_finite_log_loss():
    assert math.isfinite(Scores.of([1.0, 0.0], [False, True]).log_loss)


def test_a_refit_point_depends_on_the_period_alone_and_is_never_after_it():
    points = [_refit_point(i) for i in range(5000)]
    assert all(p <= i for i, p in enumerate(points))
    assert points[:200] == list(range(200))  # every period early on
    assert len(set(points[2400:2500])) <= 10  # every twelfth or so after 2,400 periods


ROWS = [
    # period, market, rank, title: title 7 is #1 in US and BR, new in KR at #3; title 9 is
    # #1 in KR and charts nowhere else.
    ("2024-01-07", "US", 1, 7),
    ("2024-01-07", "US", 2, 8),
    ("2024-01-07", "BR", 1, 7),
    ("2024-01-07", "KR", 1, 9),
    ("2024-01-07", "KR", 2, 8),
    ("2024-01-14", "US", 1, 7),
    ("2024-01-14", "BR", 1, 7),
    ("2024-01-14", "KR", 1, 9),
    ("2024-01-14", "KR", 3, 7),
    ("2024-01-21", "KR", 1, 7),
    ("2024-01-21", "US", 1, 7),
    ("2024-01-21", "BR", 2, 7),
]


def test_a_title_number_one_elsewhere_is_a_candidate_where_it_does_not_chart():
    history = ChartHistory.of("TV", ROWS)
    first = {(e.market, e.title): e for e in next(all_examples(history, horizon=2))}
    # Title 7 does not chart in KR in the first week, but is #1 in two other markets.
    seven_in_kr = first["KR", 7]
    assert seven_in_kr.rank is None
    assert (seven_in_kr.next_one, seven_in_kr.within) == (False, True)  # #1 there in week 3
    assert seven_in_kr.next_period == "2024-01-14"
    assert seven_in_kr.horizon_end == "2024-01-21"
    # Title 9, #1 in KR only, is a candidate in the US: #1 in one of its 2 other markets.
    assert first["US", 9].features[FEATURES.index("ones_elsewhere")] == pytest.approx(0.5)
    assert {len(e.features) for e in first.values()} == {len(FEATURES)}


def test_a_titles_run_and_its_markets_race_are_features():
    # One market. Title 1 enters at #3, climbs to #1, slips to #2; title 2 enters at #1;
    # title 5 leaves in week 3 and comes back at #4 in week 4.
    weeks = [
        {1: 3, 4: 1, 5: 2},
        {1: 1, 4: 2, 5: 3},
        {1: 1, 4: 2, 6: 3},
        {2: 1, 1: 2, 4: 3, 5: 4},
    ]
    rows = [
        (f"2024-01-{7 * n + 7:02}", "US", rank, title)
        for n, week in enumerate(weeks)
        for title, rank in week.items()
    ]
    made = [{e.title: e for e in period} for period in all_examples(ChartHistory.of("M", rows), 1)]

    def feature(week: int, title: int, name: str) -> float:
        return made[week][title].features[FEATURES.index(name)]

    # Title 1: entered at #3 in week 1, best #1 since week 2.
    assert [feature(3, 1, n) for n in ("run_entry", "run_best", "since_best")] == [3, 1, 2]
    # Title 5 left and came back: its run began again at #4.
    assert [feature(3, 5, n) for n in ("run_entry", "run_best", "since_best")] == [4, 4, 0]
    # Week 4's race: two titles not there the week before (2 and 5), title 2 climbed from
    # off the chart (depth 4: "rank 5") to #1, and its #2 (title 1) was #1 the week before.
    race = ("churn", "top_churn", "top_climb", "runner_up_before")
    assert [feature(3, 4, n) for n in race] == [2, 2, 4, 1]
    # The same for every candidate of the market. Week 1 has no week before: all three
    # are new, #1 climbed from "rank 4" (depth 3), and its #2 was nowhere.
    assert {tuple(feature(3, t, n) for n in race) for t in made[3]} == {(2, 2, 4, 1)}
    assert [feature(0, 1, n) for n in race] == [3, 3, 3, 4]


def test_features_are_the_same_however_early_the_history_read_begins():
    # The bot reads CAP periods before those it learns from; the backtest, all of them.
    # Title 1 enters at #9, is #1 by week 4, then #2 for 70 weeks: a run longer than CAP.
    weeks = [{1: r, 2: 1 if r != 1 else 2} for r in (9, 5, 3, 1)] + [{2: 1, 1: 2}] * 70
    for n, week in enumerate(weeks):
        week.update({10 + (n + k) % 12: 3 + k for k in range(8)})
    rows = [
        (f"w{n:03}", "US", rank, title)
        for n, week in enumerate(weeks)
        for title, rank in week.items()
    ]

    def features(history_rows):
        made = all_examples(ChartHistory.of("M", history_rows), 3)
        return {(e.period, e.title): list(e.features) for period in made for e in period}

    full = features(rows)
    late = features([r for r in rows if r[0] >= "w040"])
    compared = [key for key in late if key[0] >= f"w{40 + CAP:03}"]
    assert compared and all(late[key] == full[key] for key in compared)
    assert full["w070", 1][FEATURES.index("run_entry")] == 2  # its run's last CAP weeks


def test_a_read_told_which_titles_charted_before_it_makes_a_full_reads_features():
    # Title 7 charts in the first weeks, then comes back in week 80 (a new season); the
    # chart lists 20 in its first ten weeks, 10 since. The bot's read begins at week 40.
    # Told which titles charted before it, every feature is a full read's; not told, the
    # title back would look like a debut.
    weeks = [
        {
            1: 1,
            2: 2,
            **({7: 3} if n < 4 or n >= 80 else {}),
            **{100 + k: k for k in range(4, 21 if n < 10 else 11)},
        }
        for n in range(90)
    ]
    rows = [
        (f"w{n:03}", "US", rank, title)
        for n, week in enumerate(weeks)
        for title, rank in week.items()
    ]
    late_rows = [r for r in rows if r[0] >= "w040"]
    before = frozenset(t for p, _, _, t in rows if p < "w040")

    def features(history: ChartHistory) -> dict[tuple[str, int], list[float]]:
        return {
            (e.period, e.title): list(e.features) for made in all_examples(history, 3) for e in made
        }

    full = features(ChartHistory.of("M", rows))
    told_history = ChartHistory.of("M", late_rows)
    told_history.earlier = before  # as source_histories tells a read from a period on
    told = features(told_history)
    untold = features(ChartHistory.of("M", late_rows))
    compared = [key for key in told if key[0] >= f"w{40 + CAP:03}"]
    assert compared and all(told[key] == full[key] for key in compared)
    age = FEATURES.index("age")
    assert full["w080", 7][age] == CAP and untold["w080", 7][age] == 0
    # Ranks off the chart read as its depth + 1: the last CAP + 1 weeks', not week 0's.
    assert full["w080", 7][FEATURES.index("previous_rank")] == 11


def test_the_last_periods_outcomes_are_unknown_not_false():
    history = ChartHistory.of("TV", ROWS)
    *_, last = all_examples(history, horizon=2)
    assert {(e.next_one, e.within, e.next_period) for e in last} == {(None, None, None)}
    *_, before_last, _ = all_examples(history, horizon=2)
    assert {e.within for e in before_last} == {None}
    assert {e.next_one for e in before_last} == {True, False}


def test_a_market_missing_from_the_next_period_has_no_outcome_there():
    rows = [r for r in ROWS if not (r[0] == "2024-01-14" and r[1] == "BR")]
    first = {(e.market, e.title): e for e in next(all_examples(ChartHistory.of("TV", rows), 2))}
    assert (first["BR", 7].next_one, first["BR", 7].within) == (None, None)  # not "lost #1"
    assert first["US", 7].next_one is True


def synthetic(periods: int, *, deeper_from: int, missing: tuple[int, str]) -> list[tuple]:
    """Three markets' weekly top tens from a seeded walk of 25 titles' popularity; from
    `deeper_from` on the charts are top fifteens, and one market misses one week."""
    rng = random.Random(7)
    heat = {title: rng.random() for title in range(25)}
    rows = []
    for week in range(periods):
        period = (date(2024, 1, 7) + timedelta(weeks=week)).isoformat()
        for title in heat:
            heat[title] = max(0.0, heat[title] + rng.gauss(0, 0.3))
        for market, taste in (("US", 0.0), ("BR", 0.4), ("KR", 0.8)):
            if (week, market) == missing:
                continue
            scored = sorted(heat, key=lambda t: -(heat[t] + taste * rng.random()))
            depth = 15 if week >= deeper_from else 10
            rows += [(period, market, rank, title) for rank, title in enumerate(scored[:depth], 1)]
    return rows


def test_later_periods_change_no_earlier_prediction_even_deeper_or_with_a_market_missing():
    rows = synthetic(60, deeper_from=52, missing=(51, "KR"))
    cut = "2024-12-08"  # week 48: the deeper weeks and the missing market come after it
    settings = ForecastConfig()  # horizon 3, window 520
    full = backtest(
        [ChartHistory.of("TV", rows)],
        start="2024-10-01",
        horizon=settings.horizon,
        window=settings.window,
    )
    early = backtest(
        [ChartHistory.of("TV", [r for r in rows if r[0] <= cut])],
        start="2024-10-01",
        horizon=settings.horizon,
        window=settings.window,
    )
    assert early.predictions and {p.period for p in early.predictions} <= {
        p.period for p in full.predictions
    }
    same = [p for p in full.predictions if p.period <= cut]
    assert [(p.period, p.market, p.title, p.next, p.within) for p in early.predictions] == [
        (p.period, p.market, p.title, p.next, p.within) for p in same
    ]

    # The features themselves, not only what trees make of them (a tree cannot tell 11
    # from 16 for "not charting" when no rank lies between).
    def features(history_rows):
        made = all_examples(ChartHistory.of("TV", history_rows), 3)
        return [(e.period, e.market, e.title, e.features) for p in made for e in p]

    assert features([r for r in rows if r[0] <= cut]) == [f for f in features(rows) if f[0] <= cut]


def test_a_source_of_many_markets_learns_from_fewer_periods():
    # One market (the US daily top 10, the Hot 100): its top 20, the config's window.
    assert candidates_per_period(1, 1) == 20
    assert learning_window(520, candidates_per_period(1, 1)) == 520
    # Netflix per-country, Films and TV: 94 countries each, about 15 titles #1 somewhere:
    # 30 weeks (the file holds 29).
    assert learning_window(520, 2 * candidates_per_period(94, 15)) == 30
    # 70 regions, top 200 and viral 50, with as many titles #1 somewhere as regions: 15 days.
    assert learning_window(520, 2 * candidates_per_period(70, 70)) == 15
    assert learning_window(520, 10_000_000) == 10  # never fewer


def test_a_local_hit_is_no_candidate_elsewhere_a_hit_in_several_markets_is():
    week = "2024-01-07"
    rows = []
    markets = ["US", "GB", "DE", "FR", "KR"]
    for market in markets:
        for rank in range(1, 11):
            rows.append((week, market, rank, 100 * markets.index(market) + rank))
    # Title 50: #2 in KR only (a local hit). Title 60: #3 in GB, DE and FR, nowhere else.
    rows = [r for r in rows if not (r[1] == "KR" and r[2] == 2)] + [(week, "KR", 2, 50)]
    for market in ("GB", "DE", "FR"):
        rows = [r for r in rows if not (r[1] == market and r[2] == 3)] + [(week, market, 3, 60)]
    rows.append(("2024-01-14", "US", 1, 60))
    first = next(all_examples(ChartHistory.of("TV", rows), horizon=1))
    in_us = {e.title for e in first if e.market == "US"}
    assert 60 in in_us  # top three in 3 other markets (SEVERAL)
    assert 50 not in in_us  # top three in one other market only
    assert 201 in in_us  # #1 in another market (DE's)


def test_a_rolling_backtest_of_many_markets_refits_a_few_times_one_market_every_period():
    assert refit_every(1, 60) == 1  # one market: a model a period (fits are small)
    assert refit_every(140, 17) == 5  # Spotify's 70 regions twice: 4 fits for 17 periods
    assert refit_every(188, 13) == 4  # Netflix's 94 countries, Films and TV
    assert refit_every(2_000, 8) == 40  # so many markets that examples decide


def test_predictions_held_as_columns_read_back_as_they_were_made():
    made = [
        Prediction("2024-01-08", "TV", "US", 70_000, None, 0.25, 0.5, None, None, 0.1, 0.2),
        Prediction("2024-01-08", "TV", "KR", 3, 1, 0.875, 0.9, True, False, 0.6, 0.7),
        Prediction("2024-01-15", "Films", "US", 4, 12, 0.0, 1e-9, False, True, 0.01, 0.02),
    ]
    held = Predictions(made)
    assert (len(held), list(held), held[1]) == (3, made, made[1])
    with pytest.raises(IndexError):
        held[3]


def test_a_one_market_chart_averages_trees_and_a_regression_without_look_ahead():
    rows = synthetic(60, deeper_from=52, missing=(-1, ""))
    us = [r for r in rows if r[1] == "US"]
    cut = "2024-12-08"

    def predicted(history_rows):
        history = ChartHistory.of("TV", history_rows)
        tested = backtest([history], start="2024-10-01", horizon=3, window=520)
        return [(p.period, p.title, p.next, p.within) for p in tested.predictions]

    early = predicted([r for r in us if r[0] <= cut])
    assert early and early == [p for p in predicted(us) if p[0] <= cut]

    def trained(history_rows):
        history = ChartHistory.of("TV", history_rows)
        periods, made = zip(*examples_by_period([history], 3), strict=True)
        return Model.train([e for held in made for e in held], through=periods[-1]), made[-2]

    one_market, latest = trained(us)
    assert set(one_market.linear) == set(Target) and not one_market.compete
    trees_alone = dataclasses.replace(one_market, linear={})
    assert trees_alone.predict(latest)[Target.NEXT] != one_market.predict(latest)[Target.NEXT]
    several, _ = trained(rows)
    assert several.compete and not several.linear


def test_a_backtest_learns_from_its_window_alone_however_many_periods_it_has_let_go():
    rows = synthetic(60, deeper_from=60, missing=(-1, ""))
    films = [r for r in synthetic(60, deeper_from=60, missing=(-1, "")) if r[0] >= "2024-02-11"]
    histories = [ChartHistory.of("TV", rows), ChartHistory.of("Films", films)]
    window, every = 12, 3
    tested = backtest(histories, start="2024-12-01", horizon=3, window=window, every=every)
    assert tested.horizon == 3  # its "within" bins are redrawn three periods at a time
    # What the last period's chances must be: a model trained on the `window` periods up
    # to its refit point, the examples made afresh (nothing let go).
    periods, made = zip(*examples_by_period(histories, 3), strict=True)
    index = len(periods) - 2  # the period whose examples predict the last one
    fitted = index - index % every
    past = [e for examples in made[max(0, fitted - window + 1) : fitted + 1] for e in examples]
    model = Model.train(past, through=periods[fitted])
    now = [e for e in made[index] if e.next_period is not None]
    expected = model.predict(now)
    last = [p for p in tested.predictions if p.period == periods[-1]]
    assert len(last) == len(now) > 0
    assert [p.next for p in last] == expected[Target.NEXT]
    assert [p.within for p in last] == expected[Target.WITHIN]
