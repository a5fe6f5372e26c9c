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

    ("number_one_count", chart, title, count, previous), or "new_peak" when count is more
    than the title was ever #1 in before (and it had been #1 somewhere);
    ("new_number_one", chart, title, country, previous_rank), or "back_at_number_one" when
    the title had been #1 there before;
    ("streak", chart, title, country, weeks) for a #1 held for the 2nd+ week running.
    """
    number_ones: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    best: dict[tuple[str, str, str, str], int] = {}
    weeks: dict[str, set[str]] = defaultdict(set)  # chart -> its weeks
    for row in rows(text):
        weeks[row["category"]].add(row["week"])
        if row["week"] > week:
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
            most = max(
                (
                    len(c)
                    for (w2, ch, t), c in number_ones.items()
                    if (ch, t) == (chart, title) and w2 < week
                ),
                default=0,
            )
            kind = "new_peak" if 0 < most < len(countries) else "number_one_count"
            alerts.add((kind, chart, title, len(countries), previous))
    for (w, chart, country, title), rank in best.items():
        if w != week or rank != 1 or country not in markets:
            continue
        was = best.get((before, chart, country, title))
        earlier = sorted((p for p in weeks[chart] if p < week), reverse=True)
        held = [best.get((p, chart, country, title)) == 1 for p in earlier]
        if was != 1:
            kind = "back_at_number_one" if any(held) else "new_number_one"
            alerts.add((kind, chart, title, country, was))
        else:
            run = 1 + next((i for i, h in enumerate(held) if not h), len(held))
            alerts.add(("streak", chart, title, country, run))
    return alerts


def kind_of(alert: dict) -> str:
    """An alert's kind as the oracle names it: the milestone it says, else its type (a new
    peak is `"type": "number_one_count", "milestone": "new_peak"` in the JSON)."""
    return alert.get("milestone") or alert["type"]


def as_tuples(alerts: list[dict]) -> set[tuple]:
    found = set()
    for a in alerts:
        kind = kind_of(a)
        if a["type"] == "number_one_count":
            found.add((kind, a["chart"], a["title"], a["count"], a["previous"]))
        elif a["type"] == "streak":
            found.add((kind, a["chart"], a["title"], a["country"], a["periods"]))
        else:
            found.add((kind, a["chart"], a["title"], a["country"], a["previous_rank"]))
    return found
