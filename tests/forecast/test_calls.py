"""On-course calls: made once a run, carried while the title stays a candidate, scored
by the same outcome a backtest scores."""

from __future__ import annotations

from bot.forecast.calls import Call, Chance, carry_calls, outcomes
from bot.forecast.examples import ChartHistory

SHOWN = frozenset({"TV"})


def chance(period: str, within: float, *, rank: int | None = 2, chart: str = "TV") -> Chance:
    return Chance(chart, "US", 7, period, rank, next=within / 2, within=within)


def step(period: str, within: float, before: dict, **kwargs) -> tuple[list[Chance], list[Call]]:
    return carry_calls(
        [chance(period, within, **kwargs)], before, alert_at=0.6, callable_charts=SHOWN
    )


def test_a_title_is_called_once_when_it_first_crosses_and_not_again_in_that_run():
    kept, calls = step("2022-01-01", 0.4, {})
    assert calls == [] and kept[0].called is None
    kept, calls = step("2022-01-02", 0.7, {kept[0].key: kept[0].called})
    assert calls == [Call("TV", "US", 7, "2022-01-02", 0.7)]
    assert kept[0].called == "2022-01-02"
    # Down below the threshold and up again: the same run, no second call.
    kept, calls = step("2022-01-03", 0.5, {kept[0].key: kept[0].called})
    assert calls == [] and kept[0].called == "2022-01-02"
    kept, calls = step("2022-01-04", 0.8, {kept[0].key: kept[0].called})
    assert calls == [] and kept[0].called == "2022-01-02"


def test_a_run_ends_when_the_title_takes_number_one_or_stops_being_a_candidate():
    called = {("TV", "US", 7): "2022-01-02"}
    kept, calls = step("2022-01-03", 0.9, called, rank=1)
    assert calls == [] and kept[0].called is None  # #1 now: never "on course" for it
    _, calls = step("2022-01-05", 0.7, {kept[0].key: kept[0].called})
    assert calls == [Call("TV", "US", 7, "2022-01-05", 0.7)]  # lost #1, on course again
    # Not among the last forecast's candidates (dropped out): a new run.
    _, calls = step("2022-01-09", 0.65, {})
    assert [c.period for c in calls] == ["2022-01-09"]


def test_no_call_on_a_chart_whose_forecasts_are_not_shown():
    kept, calls = step("2022-01-02", 0.95, {}, chart="Films")
    assert calls == [] and kept[0].called is None


def test_a_call_comes_true_by_the_charts_history_and_stays_open_until_it_is_known():
    # Title 7, #2 in the US, called each week: #1 in the week after the first call; not in
    # the two weeks after the second (KR only then); the third's horizon not stored yet.
    weeks = ["2022-01-02", "2022-01-09", "2022-01-16", "2022-01-23", "2022-01-30"]
    tops = {"2022-01-09": 7, "2022-01-16": 8, "2022-01-23": 8, "2022-01-30": 8}
    rows = [(w, "US", 1, tops.get(w, 9)) for w in weeks] + [(w, "US", 2, 7) for w in weeks]
    rows += [(w, "KR", 1, 7) for w in weeks]
    history = ChartHistory.of("TV", sorted(rows))
    hit = Call("TV", "US", 7, "2022-01-02", 0.7)
    missed = Call("TV", "US", 7, "2022-01-16", 0.6)
    pending = Call("TV", "US", 7, "2022-01-23", 0.65)
    elsewhere = Call("Films", "US", 7, "2022-01-02", 0.65)  # a chart not read: stays open
    found = outcomes([hit, missed, pending, elsewhere], [history], horizon=2)
    assert found == {hit: True, missed: False}
