"""Saying an alert in each language against saying it in English: every kind of alert of
a week (the lines of a channel's message, with the "new: 🇧🇷" flags), rendered through the
catalog and CLDR as delivery renders them; the median of 7 alternating rounds each."""

from __future__ import annotations

import statistics
import time

from bench.common import Result
from bot.delivery.messages import alert_line
from bot.engine.events import (
    BackAtNumberOne,
    Entered,
    Event,
    FirstCharted,
    Left,
    Moved,
    NewNumberOne,
    NewPeak,
    NumberOneCount,
    Streak,
    WorldwideNumberOne,
)
from bot.i18n import Language, Texts, texts

ROUNDS = 7
REPEAT = 100
COUNTRIES = ("US", "KR", "JP", "BR", "FR", "DE", "MX", "IN", "GB", "ES")


def week() -> list[Event]:
    """A week's alerts of every kind, over ten countries."""
    events: list[Event] = []
    for n, country in enumerate(COUNTRIES):
        base = ("netflix", "TV", "2022-01-30", f"title {n}", f"Title {n}", None)
        events += [
            NumberOneCount(*base, count=40 + n, previous=38, gained=("BR", "MX")),
            NewPeak(*base, count=50 + n, previous=40, previous_best=45),
            NewNumberOne(*base, country=country, rank=1, previous_rank=2),
            BackAtNumberOne(*base, country=country, rank=1, previous_rank=3),
            Moved(*base, country=country, rank=2, previous_rank=5),
            Moved(*base, country=country, rank=7, previous_rank=3),
            Entered(*base, country=country, rank=4),
            Left(*base, country=country, previous_rank=9),
            Streak(*base, country=country, rank=1, previous_rank=1, periods=n + 2),
            WorldwideNumberOne(*base, country="GLOBAL", rank=1, previous_rank=3),
            FirstCharted(
                *base, best_rank=1, best_country=country, number_one_count=6, charting_in=11
            ),
        ]
    return events


def _time(events: list[Event], t: Texts) -> float:
    start = time.perf_counter()
    for _ in range(REPEAT):
        for event in events:
            alert_line(event, t)
    return (time.perf_counter() - start) / (REPEAT * len(events))


def run() -> list[Result]:
    events = week()
    spoken = [texts(language) for language in Language]  # catalogs read before timing
    for t in spoken:
        _time(events, t)  # warm: each language's country names are looked up once
    times: dict[Language, list[float]] = {t.language: [] for t in spoken}
    for _ in range(ROUNDS):
        for t in spoken:
            times[t.language].append(_time(events, t))
    english = statistics.median(times[Language.EN])
    results = []
    for t in spoken[1:]:
        figure = statistics.median(times[t.language])
        ratio = figure / english
        results.append(
            Result(
                name=f"an alert said in {t.language.value} ({len(events)} alerts of 11 kinds)",
                figure=figure * 1e6,
                unit="µs",
                bound=english * 1e6,
                bound_what="the same alerts in English",
                ratio=ratio,
                target="≤ 1.10×",
                met=ratio <= 1.10,
            )
        )
    return results
