"""The pure diff: plain standings in, events out."""

from __future__ import annotations

import pytest

from bot.engine.diff import diff
from bot.engine.events import (
    AlertPolicy,
    Entered,
    Left,
    Moved,
    NewNumberOne,
    NumberOneCount,
)
from bot.engine.model import ChartPeriod, ChartRow


def period(day: str, table: dict[str, list[str]], chart: str = "TV") -> ChartPeriod:
    """{"US": ["A", "B"]} -> A is #1 and B #2 in the US."""
    rows = [
        ChartRow(chart, day, country, rank, title)
        for country, titles in table.items()
        for rank, title in enumerate(titles, 1)
    ]
    return ChartPeriod.from_rows(chart, day, rows)


def events(before: dict, after: dict) -> list:
    return diff(period("2022-01-30", before), period("2022-01-31", after), source="s")


def summary(found: list) -> set[tuple]:
    out = set()
    for e in found:
        if isinstance(e, NumberOneCount):
            out.add((e.kind, e.title, e.count, e.previous))
        else:
            out.add((e.kind, e.title, e.country, e.rank, e.previous_rank))
    return out


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        pytest.param(
            {"US": ["A", "B"]},
            {"US": ["B", "A"]},
            {
                ("number_one_count", "A", 0, 1),
                ("number_one_count", "B", 1, 0),
                ("new_number_one", "B", "US", 1, 2),
                ("moved", "B", "US", 1, 2),
                ("moved", "A", "US", 2, 1),
            },
            id="swap at the top",
        ),
        pytest.param(
            {"US": ["A", "B", "C"]},
            {"US": ["A", "C", "D"]},
            {
                ("moved", "C", "US", 2, 3),
                ("entered", "D", "US", 3, None),
                ("left", "B", "US", None, 2),
            },
            id="enter and leave",
        ),
        pytest.param(
            {"US": ["A", "B"]},
            {"US": ["C", "A"]},
            {
                ("number_one_count", "A", 0, 1),
                ("number_one_count", "C", 1, 0),
                ("new_number_one", "C", "US", 1, None),
                ("entered", "C", "US", 1, None),
                ("moved", "A", "US", 2, 1),
                ("left", "B", "US", None, 2),
            },
            id="new entry straight to #1",
        ),
        pytest.param(
            {"US": ["A", "Z"], "KR": ["A", "Z"], "JP": ["B", "Z"]},
            {"US": ["A", "Z"], "KR": ["B", "Z"], "JP": ["A", "Z"]},
            {
                ("number_one_count", "A", 2, 2),
                ("number_one_count", "B", 1, 1),
                ("new_number_one", "A", "JP", 1, None),
                ("new_number_one", "B", "KR", 1, None),
                ("entered", "A", "JP", 1, None),
                ("left", "B", "JP", None, 1),
                ("entered", "B", "KR", 1, None),
                ("left", "A", "KR", None, 1),
            },
            id="same count, other countries",
        ),
        pytest.param(
            {"US": ["A"], "KR": ["A"], "JP": ["B", "A"]},
            {"US": ["A"], "KR": ["B"], "JP": ["B"]},
            {
                ("number_one_count", "A", 1, 2),
                ("number_one_count", "B", 2, 1),
                ("new_number_one", "B", "KR", 1, None),
            },
            id="countries known at #1 only give new #1s only",
        ),
        pytest.param({"US": ["A", "B"]}, {"US": ["A", "B"]}, set(), id="nothing moved"),
        pytest.param(
            {"US": ["A"]},
            {"US": ["A"], "KR": ["A", "B"]},
            {("number_one_count", "A", 2, 1)},
            id="a newly covered country counts but does not flood",
        ),
    ],
)
def test_diff(before, after, expected):
    assert summary(events(before, after)) == expected


def test_a_title_held_twice_counts_at_its_best_rank():
    # Netflix lists two seasons of one show separately ("The Queen of Flow" at #2 and #5).
    before = period("2022-01-30", {"AR": ["X", "Q", "Y", "Z", "Q"]})
    after = period("2022-01-31", {"AR": ["Q", "X", "Y", "Z", "Q"]})
    moved = [e for e in diff(before, after, source="s") if e.title == "Q"]
    assert {(e.kind, e.rank, e.previous_rank) for e in moved if e.kind != "number_one_count"} == {
        ("new_number_one", 1, 2),
        ("moved", 1, 2),
    }


def test_number_one_count_lists_countries_gained_and_lost():
    found = events(
        {"US": ["A"], "KR": ["A"], "JP": ["B"], "FR": ["B"]},
        {"US": ["A"], "KR": ["B"], "JP": ["A"], "FR": ["A"]},
    )
    a = next(e for e in found if isinstance(e, NumberOneCount) and e.title == "A")
    assert (a.count, a.previous, a.change) == (3, 2, 1)
    assert a.countries == ("FR", "JP", "US")
    assert (a.gained, a.lost) == (("FR", "JP"), ("KR",))


def test_titles_match_across_spellings():
    found = events(
        {"US": ["Café con aroma de mujer", "B"]}, {"US": ["B", "Cafe Con Aroma De Mujer"]}
    )
    assert ("moved", "Cafe Con Aroma De Mujer", "US", 2, 1) in summary(found)
    assert not [e for e in found if isinstance(e, Entered | Left)]


def test_event_keys_are_stable_and_distinct():
    first = events({"US": ["A", "B"]}, {"US": ["B", "A"]})
    again = events({"US": ["A", "B"]}, {"US": ["B", "A"]})
    assert [e.key for e in first] == [e.key for e in again]
    assert len({e.key for e in first}) == len(first)
    assert "s|TV|2022-01-31|new_number_one|b|US" in {e.key for e in first}


def test_diff_refuses_periods_out_of_order():
    with pytest.raises(ValueError, match="does not follow"):
        diff(period("2022-01-31", {}), period("2022-01-30", {}), source="s")


def _count(count: int, previous: int, chart: str = "TV") -> NumberOneCount:
    return NumberOneCount("s", chart, "2022-01-31", "a", "A", None, count=count, previous=previous)


def _new_one(country: str) -> NewNumberOne:
    return NewNumberOne("s", "TV", "2022-01-31", "a", "A", None, country=country, rank=1)


@pytest.mark.parametrize(
    ("event", "alert"),
    [
        (_count(46, 44), True),
        (_count(10, 9), True),
        (_count(9, 8), False),  # under the minimum
        (_count(44, 46), False),  # shrinking
        (_count(12, 12), False),  # same count, other countries
        (_new_one("US"), True),
        (_new_one("FR"), False),  # not a watched market
        (_count(46, 44, chart="Films"), False),  # chart not followed
        (
            Moved("s", "TV", "2022-01-31", "a", "A", None, country="US", rank=2, previous_rank=3),
            False,
        ),
    ],
)
def test_channel_alert_policy(event, alert):
    policy = AlertPolicy(
        min_countries=10, watched_markets=frozenset({"US"}), charts=frozenset({"TV"})
    )
    assert policy.is_channel_alert(event) is alert


def test_moves_are_worked_out_only_for_followed_titles():
    before = period("2022-01-30", {"US": ["A", "B", "C"], "KR": ["C", "A"]})
    after = period("2022-01-31", {"US": ["B", "A", "D"], "KR": ["A", "C"]})
    everything = summary(diff(before, after, source="s"))
    followed = summary(diff(before, after, source="s", follow={"a"}))
    nobody = summary(diff(before, after, source="s", follow=set()))
    # Counts and new #1s are for everyone; climbs, falls, entries and exits only for A.
    kept = {e for e in everything if e[0] in ("number_one_count", "new_number_one")}
    assert nobody == kept
    assert followed == kept | {e for e in everything if e[1] == "A"}
    assert ("moved", "A", "US", 2, 1) in followed and (
        "entered",
        "D",
        "US",
        3,
        None,
    ) not in followed
    assert ("left", "C", "US", None, 3) in everything
