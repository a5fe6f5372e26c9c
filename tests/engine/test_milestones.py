"""Milestones from plain events and a title's stored past: pure values in, events out."""

from __future__ import annotations

from bot.engine import milestones
from bot.engine.diff import diff
from bot.engine.events import (
    BackAtNumberOne,
    NewNumberOne,
    NewPeak,
    NumberOneCount,
    Streak,
    WorldwideNumberOne,
)
from bot.engine.milestones import History, run_length
from bot.engine.model import ChartPeriod, PeriodUnit


def standings(period: str, ranks: dict[str, dict[str, int]]) -> ChartPeriod:
    """{country: {title: rank}} -> the standings of one period of chart "TV"."""
    return ChartPeriod.from_entries(
        "TV",
        period,
        (
            (country, title.lower(), rank, title, None)
            for country, titles in ranks.items()
            for title, rank in titles.items()
        ),
    )


WEEK_1 = standings(
    "2022-01-23",
    {"KR": {"Dead": 1, "Summer": 2}, "US": {"Ozark": 1, "Dead": 4}, "GLOBAL": {"Ozark": 1}},
)
WEEK_2 = standings(
    "2022-01-30",
    {
        "KR": {"Dead": 1, "Summer": 3},
        "US": {"Dead": 1, "Ozark": 2},
        "GLOBAL": {"Dead": 1, "Ozark": 2},
    },
)


def milestone_events(history: History, markets: set[str]) -> list:
    events = diff(WEEK_1, WEEK_2, source="netflix")
    wanted = milestones.wanted(events, WEEK_1, WEEK_2, markets)
    return milestones.apply(events, history, wanted, WEEK_2, PeriodUnit.WEEK, source="netflix")


def test_what_the_events_ask_of_the_past():
    events = diff(WEEK_1, WEEK_2, source="netflix")
    wanted = milestones.wanted(events, WEEK_1, WEEK_2, {"KR", "US", "GLOBAL"})
    assert wanted.peaks == {"dead"}  # its #1 count rose
    assert wanted.returns == {("dead", "US")}  # a new #1 outside the worldwide chart
    assert wanted.streaks == {("dead", "KR")}  # #1 both weeks in a market someone watches
    assert not milestones.wanted(events, WEEK_1, WEEK_2, set()).streaks


def test_a_first_time_everywhere_is_plain():
    # The store holds last week only: Dead was #1 in KR there, and nowhere before.
    events = milestone_events(History(runs={("dead", "KR"): 1}), {"KR", "US"})
    kinds = {type(e) for e in events}
    assert NumberOneCount in kinds and NewNumberOne in kinds
    assert WorldwideNumberOne in kinds  # a new #1 on the worldwide chart
    assert not kinds & {NewPeak, BackAtNumberOne}
    # Held #1 in KR since last week: a 2nd week.
    streak = next(e for e in events if isinstance(e, Streak))
    assert (streak.country, streak.periods) == ("KR", 2)
    # With no stored run behind it, a #1 held in both periods is no streak to announce.
    assert not any(isinstance(e, Streak) for e in milestone_events(History(), {"KR"}))


def test_the_past_makes_peaks_returns_and_longer_streaks():
    history = History(
        best_counts={"dead": 2},
        last_number_one={("dead", "US"): "2021-12-26"},
        runs={("dead", "KR"): 4},
    )
    events = milestone_events(history, {"KR", "US"})
    peak = next(e for e in events if isinstance(e, NewPeak))
    assert (peak.count, peak.previous, peak.previous_best) == (3, 1, 2)
    back = next(e for e in events if isinstance(e, BackAtNumberOne))
    assert (back.country, back.previous_rank, back.last_number_one) == ("US", 4, "2021-12-26")
    streak = next(e for e in events if isinstance(e, Streak))
    assert (streak.periods, streak.unit, streak.key) == (5, "week", streak.key)
    assert streak.key == "netflix|TV|2022-01-30|streak|dead|KR"


def test_a_count_not_past_the_best_is_no_peak():
    events = milestone_events(History(best_counts={"dead": 3}), set())
    assert not any(isinstance(e, NewPeak) for e in events)
    assert any(type(e) is NumberOneCount for e in events)


def test_a_run_counts_back_from_the_last_period_and_stops_at_a_gap():
    periods = ["2022-01-02", "2022-01-09", "2022-01-16", "2022-01-23"]
    assert run_length({"2022-01-16", "2022-01-23"}, periods) == 2
    assert run_length({"2022-01-02", "2022-01-09", "2022-01-23"}, periods) == 1
    assert run_length({"2022-01-09"}, periods) == 0
    assert run_length(set(periods), periods) == 4
