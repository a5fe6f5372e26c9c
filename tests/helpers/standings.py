"""A title's standing on a chart, made by hand for the tests that say or draw one."""

from __future__ import annotations

from typing import Any

from bot.engine.standings import ChartStanding


def a_standing(ranks: dict[str, int], **fields: Any) -> ChartStanding:
    """A standing on a weekly Netflix TV chart in `ranks` (country -> rank) this week and
    last, charted two weeks, its best rank first held this week where it holds it; any
    field may be given instead."""
    best = min(ranks.values(), default=1)
    made: dict[str, Any] = {
        "source": "netflix",
        "chart": "TV",
        "period": "2022-01-16",
        "chart_latest": "2022-01-16",
        "previous_period": "2022-01-09",
        "number_one_count": sum(rank == 1 for rank in ranks.values()),
        "previous_number_one_count": 0,
        "ranks": ranks,
        "previous_ranks": ranks,
        "in_chart": {},
        "best_rank": best,
        "best_rank_period": "2022-01-16",
        "best_rank_countries": sorted(c for c, rank in ranks.items() if rank == best),
        "periods_charted": 2,
        "chart_countries": len(ranks),
    }
    return ChartStanding(**{**made, **fields})
