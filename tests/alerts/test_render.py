"""Alert text: one formatting module, titles made inert."""

from __future__ import annotations

import pytest

from bot.alerts.render import alert_json, escape, markdown, plain
from bot.alerts.words import PUBLIC_REASONS, public_reason, streak
from bot.engine.events import (
    BackAtNumberOne,
    Entered,
    Left,
    Moved,
    NewNumberOne,
    NewPeak,
    NumberOneCount,
    Streak,
    WorldwideNumberOne,
)
from bot.engine.model import PeriodUnit
from bot.engine.source_types import FailureKind
from bot.i18n import Language, texts
from bot.sources.base import FetchError
from tests.helpers.standings import a_standing

EN = texts(Language.EN)
BASE = {"source": "netflix", "chart": "TV", "period": "2022-01-31", "title_key": "k"}


def count(title: str, count: int, previous: int) -> NumberOneCount:
    return NumberOneCount(**BASE, title=title, artist=None, count=count, previous=previous)


@pytest.mark.parametrize(
    ("event", "text"),
    [
        (count("All of Us Are Dead", 46, 44), "All of Us Are Dead is now #1 in 46 countries (+2)"),
        (count("Ozark", 1, 3), "Ozark is now #1 in 1 country (-2)"),
        (count("Ozark", 0, 3), "Ozark is no longer #1 anywhere (was #1 in 3 countries)"),
        (
            NewNumberOne(**BASE, title="Cheer", artist=None, country="US", rank=1, previous_rank=2),
            "Cheer takes #1 in United States (was #2)",
        ),
        (
            NewNumberOne(**BASE, title="Cheer", artist=None, country="KR", rank=1),
            "Cheer takes #1 in South Korea (new entry)",
        ),
        (
            Moved(
                **BASE,
                title="All of Us Are Dead",
                artist=None,
                country="US",
                rank=2,
                previous_rank=3,
            ),
            "All of Us Are Dead climbs to #2 in United States (was #3)",
        ),
        (
            Moved(**BASE, title="Ozark", artist=None, country="GB", rank=7, previous_rank=3),
            "Ozark falls to #7 in United Kingdom (was #3)",
        ),
        (
            Entered(**BASE, title="Ozark", artist=None, country="FR", rank=4),
            "Ozark enters the chart at #4 in France",
        ),
        (
            Left(**BASE, title="Ozark", artist=None, country="DE", previous_rank=9),
            "Ozark leaves the chart in Germany (was #9)",
        ),
        (
            NumberOneCount(
                **{**BASE, "chart": "songs"},
                title="greedy",
                artist="Tate McRae",
                count=12,
                previous=9,
            ),
            "greedy — Tate McRae is now #1 in 12 countries (+3)",
        ),
        (
            NewPeak(
                **BASE,
                title="All of Us Are Dead",
                artist=None,
                count=63,
                previous=29,
                previous_best=46,
            ),
            "All of Us Are Dead is now #1 in 63 countries (+34) — its most yet",
        ),
        (
            Streak(
                **BASE,
                title="Our Beloved Summer",
                artist=None,
                country="KR",
                rank=1,
                previous_rank=1,
                periods=3,
            ),
            "Our Beloved Summer is #1 in South Korea for the 3rd week in a row",
        ),
        (
            Streak(**BASE, title="greedy", artist=None, country="US", periods=2, unit="day"),
            "greedy is #1 in United States for the 2nd day in a row",
        ),
        (
            Streak(**BASE, title="Squid Game", artist=None, country="JP", periods=8),
            "Squid Game is #1 in Japan for the 8th week in a row",
        ),
        (
            Streak(**BASE, title="Squid Game", artist=None, country="JP", periods=11),
            "Squid Game is #1 in Japan for the 11th week in a row",
        ),
        (
            WorldwideNumberOne(
                **BASE, title="Squid Game", artist=None, country="GLOBAL", rank=1, previous_rank=3
            ),
            "Squid Game takes #1 worldwide (was #3)",
        ),
        (
            BackAtNumberOne(
                **BASE,
                title="Cobra Kai",
                artist=None,
                country="US",
                rank=1,
                previous_rank=2,
                last_number_one="2022-01-02",
            ),
            "Cobra Kai is back at #1 in United States (was #2)",
        ),
        (
            BackAtNumberOne(**BASE, title="Money Heist", artist=None, country="BR", rank=1),
            "Money Heist is back at #1 in Brazil (re-entry)",
        ),
    ],
)
def test_plain_text(event, text):
    assert plain(event, EN) == text
    assert markdown(event, EN).replace("**", "") == text.replace("—", "—")


@pytest.mark.parametrize(
    ("title", "safe"),
    [
        ("@everyone watch this", "@\u200beveryone watch this"),
        ("@here", "@\u200bhere"),
        ("<@123456789> fan club", "\\<@\u200b123456789\\> fan club"),
        ("**Bold** _move_", "\\*\\*Bold\\*\\* \\_move\\_"),
        ("[click](https://evil.example)", "\\[click\\](https:\u200b//evil.example)"),
        ("free nitro https://evil.example/gift", "free nitro https:\u200b//evil.example/gift"),
        ("-# tiny text", "\\-# tiny text"),
        ("Top \u202egnimoc\u202c 10", "Top gnimoc 10"),
        ("\u2066Rtl\u2069 Isolate", "Rtl Isolate"),
        ("a\nsecond line", "a second line"),
        ("`code` ~~gone~~ ||spoiler||", "\\`code\\` \\~\\~gone\\~\\~ \\|\\|spoiler\\|\\|"),
        ("Mother/Android", "Mother/Android"),
        ("Don't Look Up", "Don't Look Up"),
    ],
)
def test_titles_cannot_mention_or_format(title, safe):
    assert escape(title) == safe
    assert markdown(count(title, 46, 44), EN).startswith(f"**{safe}** is now")


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
        (103, "103rd"),
        (111, "111th"),
    ],
)
def test_ordinals(number, text):
    said = streak(EN, PeriodUnit.WEEK, number, title="T", country="Japan")
    assert said == f"T is #1 in Japan for the {text} week in a row"


def test_every_event_kind_has_its_text_and_comes_back_from_json():
    from bot.engine.events import EVENT_TYPES, event_from_json

    for kind, cls in EVENT_TYPES.items():
        event = cls(**BASE, title="T", artist=None)
        assert plain(event, EN)  # no kind without a sentence
        assert event_from_json(event.to_json(), title_key="k") == event, kind


def test_alert_json_keys():
    data = alert_json(count("All of Us Are Dead", 46, 44), EN)
    assert list(data)[:7] == ["type", "source", "chart", "period", "title", "milestone", "text"]
    assert data["text"] == "**All of Us Are Dead** is now #1 in 46 countries (+2)"
    assert (data["count"], data["previous"]) == (46, 44)


def country_event(cls, **fields):
    return cls(**BASE, title="T", artist=None, country="US", rank=1, **fields)


@pytest.mark.parametrize(
    ("event", "kind", "milestone"),
    [
        (count("T", 46, 44), "number_one_count", None),
        (
            NewPeak(**BASE, title="T", artist=None, count=63, previous=29),
            "number_one_count",
            "new_peak",
        ),
        (country_event(NewNumberOne, previous_rank=2), "new_number_one", None),
        (country_event(BackAtNumberOne, previous_rank=3), "new_number_one", "back_at_number_one"),
        (country_event(Streak, periods=3), "streak", "absent"),
        (country_event(WorldwideNumberOne, previous_rank=3), "worldwide_number_one", "absent"),
        (country_event(Moved, previous_rank=3), "moved", "absent"),
    ],
    ids=["count", "peak", "new-1", "back-at-1", "streak", "worldwide", "moved"],
)
def test_a_milestone_keeps_its_alerts_type_in_json(event, kind, milestone):
    data = alert_json(event, EN)
    assert data["type"] == kind
    assert data.get("milestone", "absent") == milestone


@pytest.mark.parametrize(
    ("kind", "status", "shown"),
    [
        (FailureKind.HTTP_STATUS, 500, "HTTP 500"),
        (FailureKind.HTTP_STATUS, None, "the data could not be read"),
        (FailureKind.TIMED_OUT, None, "timed out"),
        (FailureKind.HTML_PAGE, None, "not a chart: an HTML page"),
        (FailureKind.KEY_REFUSED, 401, "the API key was refused"),
        (None, None, "the data could not be read"),
    ],
    ids=["status", "status-unknown", "timeout", "html", "key", "none"],
)
def test_a_server_sees_the_kind_of_a_failure_only(kind, status, shown):
    assert public_reason(EN, kind, status) == shown


def test_every_kind_of_failure_has_words_for_a_server():
    assert {k for k in FailureKind if k is not FailureKind.HTTP_STATUS} <= set(PUBLIC_REASONS)


def test_a_failures_text_never_reaches_a_server():
    """Whatever follows "HTTP " in the text (a token, a URL) stays with the operator."""
    failure = FetchError("HTTP token=sk_live_abcdef from https://x.test/?key=1").failure
    assert failure.kind is FailureKind.UNREADABLE
    shown = public_reason(EN, failure.kind, failure.status)
    assert "sk_live" not in shown and "x.test" not in shown


WORLD = {**BASE, "title": "Squid Game", "artist": None, "country": "GLOBAL"}


@pytest.mark.parametrize(
    ("event", "text"),
    [
        (Moved(**WORLD, rank=3, previous_rank=5), "Squid Game climbs to #3 worldwide (was #5)"),
        (Moved(**WORLD, rank=7, previous_rank=5), "Squid Game falls to #7 worldwide (was #5)"),
        (Entered(**WORLD, rank=4), "Squid Game enters the worldwide chart at #4"),
        (Left(**WORLD, previous_rank=9), "Squid Game leaves the worldwide chart (was #9)"),
        (NewNumberOne(**WORLD, rank=1, previous_rank=2), "Squid Game takes #1 worldwide (was #2)"),
        (BackAtNumberOne(**WORLD, rank=1), "Squid Game is back at #1 worldwide (re-entry)"),
        (NewNumberOne(**WORLD, rank=1, top_only=True), "Squid Game takes #1 worldwide"),
    ],
)
def test_a_move_on_a_worldwide_chart_is_said_as_one(event, text):
    """Never "climbs to #3 in Worldwide"."""
    assert plain(event, EN) == text


@pytest.mark.parametrize(
    ("ranks", "chart_countries", "counted"),
    [
        ({"US": 2}, 1, False),  # a chart of one country: its rank line says it all
        ({"US": 2}, 94, True),  # one country of 94: "#1 in 0 countries", "charting in 1"
        # The chart's latest period holds one country so far; the title charts in two.
        ({"US": 2, "KR": 1}, 1, True),
    ],
)
def test_rank_counts_countries_on_a_chart_of_several(ranks, chart_countries, counted):
    from bot.alerts.standing import standing_rows

    standing = a_standing(
        ranks,
        source="spotify",
        chart="Top 50",
        period="2024-01-02",
        chart_latest="2024-01-02",
        previous_period="2024-01-01",
        best_rank_period="2024-01-01",
        best_rank_countries=["US"],
        chart_countries=chart_countries,
    )
    labels = [label for label, _ in standing_rows(standing, ["US"], EN)]
    assert ("#1 in" in labels, "charting in" in labels) == (counted, counted)
