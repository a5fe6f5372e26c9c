"""The rank-history picture for /rank, drawn with matplotlib's object API.

No pyplot: a Figure with an Agg canvas is safe to draw in a worker thread, so
the event loop never waits on it. Called through `asyncio.to_thread`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from bot import countries
from bot.engine.standings import ChartStanding

MAX_PERIODS = 52


def warm_up() -> None:
    """Import matplotlib ahead of the first /rank (the import alone takes most of a second)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: F401
    from matplotlib.figure import Figure  # noqa: F401


def rank_history_png(standing: ChartStanding, title: str, markets: Sequence[str]) -> bytes | None:
    """#1 countries per period above, the rank in each market below; PNG bytes (None with
    nothing to draw yet). Titles are drawn as plain text: "$" never starts maths."""
    import matplotlib

    with matplotlib.rc_context({"text.parse_math": False}):
        return _draw(standing, title, markets)


def _draw(standing: ChartStanding, title: str, markets: Sequence[str]) -> bytes | None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    periods = sorted(standing.history)[-MAX_PERIODS:]
    if len(periods) < 2:
        return None
    figure = Figure(figsize=(8, 4.5), dpi=100)
    FigureCanvasAgg(figure)
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=[1, 2])
    ones = [sum(1 for r in standing.history[p].values() if r == 1) for p in periods]
    top.bar(range(len(periods)), ones, color="#e50914")
    top.set_ylabel("#1 in")
    top.set_title(f"{title} · {standing.source} {standing.chart}", loc="left", fontsize=11)
    shown = [m for m in markets if any(m in standing.history[p] for p in periods)][:5]
    for market in shown:
        ranks = [standing.history[p].get(market) for p in periods]
        bottom.plot(
            range(len(periods)),
            [r if r is not None else float("nan") for r in ranks],
            marker="o",
            label=countries.name(market),
        )
    deepest = max((r for p in periods for r in standing.history[p].values()), default=10)
    bottom.set_ylim(deepest + 0.5, 0.5)
    bottom.set_ylabel("rank")
    if shown:
        bottom.legend(loc="lower left", fontsize=8)
    step = max(1, len(periods) // 8)
    bottom.set_xticks(range(0, len(periods), step))
    bottom.set_xticklabels([periods[i] for i in range(0, len(periods), step)], fontsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
