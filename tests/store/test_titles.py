"""The titles table (bot/store/titles.py): spellings merged into one title."""

from __future__ import annotations

from bot.engine.model import ChartRow


def test_merged_spellings_become_one_title(fresh_db):
    store = fresh_db
    with store.write():
        store.titles.ids(
            [
                ChartRow("TV", "2022-01-09", "ES", 1, "El juego del calamar"),
                ChartRow("TV", "2022-01-09", "US", 1, "Squid Game"),
            ]
        )
    groups = [["Squid Game", "El juego del calamar"]]
    [planned] = store.titles.merges(groups)  # a dry run: what it would join
    assert [c.name for c in store.titles.candidates()] == ["El juego del calamar", "Squid Game"]
    assert (planned.kept and planned.kept.name, [c.name for c in planned.folded]) == (
        "Squid Game",
        ["El juego del calamar"],
    )
    assert (planned.ranks, planned.subscriptions) == (0, 0)  # titles only, in this test
    assert store.titles.merge(groups) == [planned]
    assert [c.name for c in store.titles.candidates()] == ["Squid Game"]
    assert store.titles.merge(groups) == []
