"""Expected alerts worked out straight from a TSV, independently of the engine.

Deliberately naive: read the rows, collect each title's #1 countries in two
weeks, compare. The tests hold the pipeline's output up against this.
"""

from __future__ import annotations

from collections import defaultdict


def rows(text: str) -> list[dict[str, str]]:
    header, *lines = text.split("\n")
    names = header.split("\t")
    return [dict(zip(names, line.split("\t"), strict=True)) for line in lines if line]


def expected_alerts(
    text: str, week: str, before: str, *, min_countries: int, markets: set[str]
) -> set[tuple]:
    """The alerts as tuples:

    ("number_one_count", chart, title, count, previous) and
    ("new_number_one", chart, title, country, previous_rank).
    """
    number_ones: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    best: dict[tuple[str, str, str, str], int] = {}
    for row in rows(text):
        if row["week"] not in (week, before):
            continue
        rank = int(row["weekly_rank"])
        key = (row["week"], row["category"], row["country_iso2"], row["show_title"])
        best[key] = min(rank, best.get(key, rank))
        if rank == 1:
            number_ones[(row["week"], row["category"], row["show_title"])].add(row["country_iso2"])
    alerts: set[tuple] = set()
    for (w, chart, title), countries in number_ones.items():
        if w != week:
            continue
        previous = len(number_ones.get((before, chart, title), set()))
        if len(countries) > previous and len(countries) >= min_countries:
            alerts.add(("number_one_count", chart, title, len(countries), previous))
    for (w, chart, country, title), rank in best.items():
        if w == week and rank == 1 and country in markets:
            was = best.get((before, chart, country, title))
            if was != 1:
                alerts.add(("new_number_one", chart, title, country, was))
    return alerts


def as_tuples(alerts: list[dict]) -> set[tuple]:
    found = set()
    for a in alerts:
        if a["type"] == "number_one_count":
            found.add((a["type"], a["chart"], a["title"], a["count"], a["previous"]))
        else:
            found.add((a["type"], a["chart"], a["title"], a["country"], a["previous_rank"]))
    return found
