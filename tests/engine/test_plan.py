"""Checking a parsed file against the store, with plain values."""

from __future__ import annotations

from datetime import date

import pytest

from bot.engine.model import ChartRow, PeriodSummary
from bot.engine.plan import Promises, Rejected, StoredPeriod, plan, plan_import

TODAY = date(2022, 1, 20)


def summaries(table: dict[tuple[str, str], dict[str, int]]) -> dict:
    """{("TV", "2022-01-09"): {"US": 3}} -> ranks 1..3 in the US."""
    found = {}
    for (chart, period), countries in table.items():
        summary = PeriodSummary(chart, period)
        for country, rows in countries.items():
            for rank in range(1, rows + 1):
                summary.add(ChartRow(chart, period, country, rank, f"{country}{rank}"))
        found[(chart, period)] = summary
    return found


def stored_from(table: dict[tuple[str, str], dict[str, int]]) -> dict:
    stored: dict = {}
    for (chart, period), summary in summaries(table).items():
        stored.setdefault(chart, {})[period] = StoredPeriod(
            dict(summary.countries), summary.digest_hex
        )
    return stored


WEEK_1 = {("TV", "2022-01-02"): {"US": 3, "KR": 3}, ("TV", "2022-01-09"): {"US": 3, "KR": 3}}
WEEK_2 = {**WEEK_1, ("TV", "2022-01-16"): {"US": 3, "KR": 3}}


def test_a_first_file_is_a_baseline():
    decided = plan(summaries(WEEK_1), {}, today=TODAY)
    assert decided.baseline
    assert decided.new == {"TV": ["2022-01-02", "2022-01-09"]}


def test_a_new_week_is_new_and_follows_the_stored_one():
    decided = plan(summaries(WEEK_2), stored_from(WEEK_1), today=TODAY)
    assert not decided.baseline
    assert decided.new_keys == [("TV", "2022-01-16")]
    assert decided.previous[("TV", "2022-01-16")] == "2022-01-09"
    assert decided.rewritten == []


def test_a_single_period_file_follows_the_stored_period():
    # Per-country feeds (Apple) carry one period; the one before it is in the store.
    decided = plan(
        summaries({("TV", "2022-01-16"): {"US": 3, "KR": 3}}), stored_from(WEEK_1), today=TODAY
    )
    assert decided.previous[("TV", "2022-01-16")] == "2022-01-09"


REJECTIONS = {
    "stale copy": ({("TV", "2022-01-02"): {"US": 3, "KR": 3}}, "older than the stored 2022-01-09"),
    "a stored week missing": (
        {("TV", "2022-01-02"): {"US": 3, "KR": 3}, ("TV", "2022-01-16"): {"US": 3, "KR": 3}},
        "the file lacks 2022-01-09",
    ),
    "a stored country missing": (
        {**WEEK_2, ("TV", "2022-01-02"): {"US": 3}},
        "2022-01-02: the file lacks KR, stored before",
    ),
    "stored rows missing": (
        {**WEEK_2, ("TV", "2022-01-09"): {"US": 3, "KR": 2}},
        "KR has 2 rows where 3 were stored",
    ),
    "a country missing in the new week": (
        {**WEEK_1, ("TV", "2022-01-16"): {"US": 3}},
        "KR charted in 2022-01-09 but not in the new period",
    ),
    "rows missing in the new week": (
        {**WEEK_1, ("TV", "2022-01-16"): {"US": 3, "KR": 2}},
        "KR has 2 rows where 2022-01-09 had 3",
    ),
    "a week from the future": (
        {**WEEK_1, ("TV", "2022-02-20"): {"US": 3, "KR": 3}},
        "dated 2022-02-20, after today",
    ),
}


@pytest.mark.parametrize("case", list(REJECTIONS), ids=list(REJECTIONS))
def test_rejections(case):
    table, reason = REJECTIONS[case]
    with pytest.raises(Rejected, match=reason):
        plan(summaries(table), stored_from(WEEK_1), today=TODAY)


def test_a_chart_missing_without_a_new_one_is_rejected():
    stored = stored_from({**WEEK_1, ("Films", "2022-01-09"): {"US": 3}})
    with pytest.raises(Rejected, match="chart TV is missing"):
        plan(summaries({("Films", "2022-01-16"): {"US": 3}}), stored, today=TODAY)


def test_a_rank_gap_in_the_new_week_is_rejected():
    periods = summaries(WEEK_1)
    gap = PeriodSummary("TV", "2022-01-16")
    for country in ("US", "KR"):
        for rank in (1, 2, 4):
            gap.add(ChartRow("TV", "2022-01-16", country, rank, f"t{rank}"))
    periods[("TV", "2022-01-16")] = gap
    with pytest.raises(Rejected, match="KR lacks rank #3"):
        plan(periods, stored_from(WEEK_1), today=TODAY)


def test_a_duplicate_rank_cannot_be_summarised():
    summary = PeriodSummary("TV", "2022-01-16")
    summary.add(ChartRow("TV", "2022-01-16", "US", 1, "A"))
    with pytest.raises(ValueError, match="two titles at #1 for US TV 2022-01-16"):
        summary.add(ChartRow("TV", "2022-01-16", "US", 1, "B"))


def test_rewritten_past_periods_are_found_by_digest():
    periods = summaries(WEEK_2)
    rewritten = PeriodSummary("TV", "2022-01-02")
    for country in ("US", "KR"):
        for rank in (1, 2, 3):
            rewritten.add(ChartRow("TV", "2022-01-02", country, rank, f"renamed {rank}"))
    periods[("TV", "2022-01-02")] = rewritten
    decided = plan(periods, stored_from(WEEK_1), today=TODAY)
    assert decided.rewritten == [("TV", "2022-01-02")]
    assert decided.new_keys == [("TV", "2022-01-16")]


def test_trimmed_history_is_kept_with_a_warning():
    trimmed = {k: v for k, v in WEEK_2.items() if k[1] != "2022-01-02"}
    decided = plan(summaries(trimmed), stored_from(WEEK_1), today=TODAY)
    assert decided.new_keys == [("TV", "2022-01-16")]
    assert "1 older stored periods are kept" in decided.warnings[0]


def test_a_renamed_chart_alerts_only_after_the_stored_history():
    renamed = {("Series", p): c for (_, p), c in WEEK_2.items()}
    decided = plan(summaries(renamed), stored_from(WEEK_1), today=TODAY)
    assert decided.new_keys == [("Series", "2022-01-16")]
    assert decided.previous[("Series", "2022-01-16")] == "2022-01-09"
    assert "renamed?" in decided.warnings[0]


def test_a_chart_left_out_by_the_config_filter_is_not_required():
    films_only = {("Films", "2022-01-16"): {"US": 3}}
    stored = stored_from({**WEEK_1, ("Films", "2022-01-09"): {"US": 3}})
    decided = plan(summaries(films_only), stored, today=TODAY, promises=Promises(charts=("Films",)))
    assert decided.new_keys == [("Films", "2022-01-16")]


def test_an_import_deepens_countries_stored_at_number_one_only():
    # A world page's #1s were stored; a country page of the same day lists KR in full.
    stored = stored_from({("TV", "2022-01-09"): {"US": 1, "KR": 1, "JP": 10}})
    decided = plan_import(summaries({("TV", "2022-01-09"): {"KR": 10, "JP": 10}}), stored)
    assert decided.new_keys == []
    assert decided.deepened == {("TV", "2022-01-09"): ["KR"]}
    assert decided.extended == {("TV", "2022-01-09"): ["KR"]} and decided.changed
    shallower = plan_import(summaries({("TV", "2022-01-09"): {"JP": 1}}), stored)
    assert (shallower.deepened, shallower.extended) == ({}, {})  # a #1 never thins a list


def test_import_adds_what_is_missing_and_keeps_the_rest():
    decided = plan_import(summaries(WEEK_2), stored_from(WEEK_1))
    assert decided.new_keys == [("TV", "2022-01-16")]
    again = plan_import(summaries(WEEK_2), stored_from(WEEK_2))
    assert again.new_keys == []
