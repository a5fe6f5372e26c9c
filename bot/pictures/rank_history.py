"""The rank-history picture for /rank: the #1 count per period above (on a per-country
chart), the rank in each market below, on the chart's own depth (10, 50, 200).

Dates are placed by matplotlib's date locator with its concise labels, so they never run
into each other however many periods there are; markets that share ranks stay apart (each
line its own colour, marker and dash, nudged a little off the others); one period is a
picture too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING

from bot.engine.standings import ChartStanding
from bot.i18n import Texts
from bot.pictures.style import (
    DASHES,
    GRID,
    LINE_COLOURS,
    MARKERS,
    MUTED,
    NUMBER_ONE,
    card,
    fonts_for,
    png,
    shorten,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

MAX_PERIODS = 104
MAX_LINES = len(LINE_COLOURS)


def rank_history_png(
    standing: ChartStanding, title: str, markets: Sequence[str], t: Texts
) -> bytes | None:
    """PNG bytes (its words in t's language); None only for a standing with no stored
    period at all."""
    if not standing.history:
        return None
    said = [title, standing.heading, t.gettext("#1 in"), t.gettext("rank")]
    said += [t.country(m) for m in lines_for(standing, markets)]
    said.append(t.date_short(date(2022, 1, 31), "yMMMd"))  # how the dates on the axis read
    with card(fonts=fonts_for(said)) as figure:
        draw_history(figure, standing, title, markets, t)
        return png(figure)


def lines_for(standing: ChartStanding, markets: Sequence[str]) -> list[str]:
    """The markets drawn as lines: the watched ones it charts in, else (on a chart of a few
    countries, such as a worldwide one) the countries it charts in."""
    periods = standing.history.values()
    shown = [m for m in markets if any(m in held for held in periods)]
    if not shown and standing.chart_countries <= 3:
        shown = sorted({c for held in periods for c in held})
    return shown[:MAX_LINES]


def draw_history(
    figure: Figure, standing: ChartStanding, title: str, markets: Sequence[str], t: Texts
) -> None:
    periods = sorted(standing.history)[-MAX_PERIODS:]
    days = [date.fromisoformat(p) for p in periods]
    per_country = standing.chart_countries > 3
    if per_country:
        top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=[1, 2])
        ones = [sum(1 for r in standing.history[p].values() if r == 1) for p in periods]
        _bars(top, days, ones)
        top.set_ylabel(t.gettext("#1 in"))
        top.yaxis.get_major_locator().set_params(integer=True)
        top.grid(axis="y", color=GRID, linewidth=0.6)
        heading = top
    else:
        bottom = heading = figure.subplots()
    heading.set_title(
        f"{shorten(title)}\n{standing.heading}",
        loc="left",
        fontsize=14,
        fontweight="bold",
        linespacing=1.4,
    )
    shown = lines_for(standing, markets)
    depth = max(standing.depth, 10)
    nudge = depth * 0.012  # apart by a hair where ranks are the same, never a rank
    for index, market in enumerate(shown):
        offset = (index - (len(shown) - 1) / 2) * nudge
        ranks = [standing.history[p].get(market) for p in periods]
        bottom.plot(
            days,
            [r + offset if r is not None else float("nan") for r in ranks],
            color=LINE_COLOURS[index],
            marker=MARKERS[index],
            linestyle=DASHES[index],
            markersize=5,
            linewidth=1.6,
            label=t.country(market),
        )
    if len(shown) == 1 or len(days) == 1:  # say the latest rank beside its point
        for index, market in enumerate(shown):
            rank = standing.history[periods[-1]].get(market)
            if rank is not None:
                bottom.annotate(
                    t.gettext("#{rank}", rank=rank),
                    (days[-1], rank),
                    xytext=(8, 0),
                    textcoords="offset points",
                    va="center",
                    color=LINE_COLOURS[index],
                    fontweight="bold",
                )
    _rank_axis(bottom, depth, t)
    _date_axis(bottom, days, t)
    if shown:
        bottom.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, -0.2),
            ncol=min(len(shown), 3),
            frameon=False,
            fontsize=11,
            labelcolor=MUTED,
        )
    figure.tight_layout()


def _rank_axis(axes: Axes, depth: int, t: Texts) -> None:
    axes.set_ylim(depth + depth * 0.05, 1 - depth * 0.05)  # #1 at the top
    step = 5 if depth <= 10 else 10 if depth <= 50 else 50
    axes.set_yticks([1, *range(step, depth + 1, step)])
    axes.set_ylabel(t.gettext("rank"))
    axes.grid(axis="y", color=GRID, linewidth=0.6)


def _date_axis(axes: Axes, days: list[date], t: Texts) -> None:
    """Dates in t's language and order ('Jan 31', '31 ene', '1월 31일'), placed where
    matplotlib's date locator places them, so they never run into each other.

    The locator is asked once, for the finished view, and its ticks and their words are
    fixed: left to itself it is asked again at every layout pass and every draw (tens of
    times a picture), which took a third of a picture's time."""
    from matplotlib.dates import AutoDateLocator, date2num, num2date

    span = (days[-1] - days[0]).days
    skeleton = "yMMMd" if len(days) == 1 else "yMMM" if span > 300 else "MMMd"
    if len(days) == 1:  # one period: a little room on each side, its date as the one tick
        axes.set_xlim(date2num(days[0] - timedelta(days=4)), date2num(days[0] + timedelta(days=4)))
    low, high = axes.get_xlim()
    if len(days) <= 8:  # a few periods: a tick at each, by its date
        ticks = [date2num(day) for day in days]
    else:
        locator = AutoDateLocator(minticks=2, maxticks=7)
        ticks = [x for x in locator.tick_values(num2date(low), num2date(high)) if low <= x <= high]
    axes.set_xticks(ticks, [t.date_short(num2date(x).date(), skeleton) for x in ticks])
    axes.set_xlim(low, high)


def _bars(axes: Axes, days: list[date], heights: list[int]) -> None:
    """The #1 counts as bars, drawn as one collection: `Axes.bar` makes a patch a bar (up to
    104), and making and drawing them was a tenth of a picture's time."""
    from matplotlib.collections import PolyCollection
    from matplotlib.dates import date2num

    half = _bar_width(days) / 2
    boxes = []
    for day, height in zip(days, heights, strict=True):
        x = date2num(day)
        boxes.append([(x - half, 0), (x - half, height), (x + half, height), (x + half, 0)])
    bars = PolyCollection(boxes, facecolors=NUMBER_ONE, edgecolors="none", linewidths=0)
    bars.sticky_edges.y.append(0)  # as Axes.bar: the axis starts at 0, no margin below
    axes.add_collection(bars)
    axes.autoscale_view()


def _bar_width(days: list[date]) -> float:
    """Bars as wide as most of the gap between periods (in days)."""
    gaps = [(b - a).days for a, b in pairwise(days)]
    return 0.7 * min(gaps) if gaps else 3.0
