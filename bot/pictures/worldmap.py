"""A world map of where a title stands: #1 countries in gold, the other countries it
charts in shaded by rank (darker is lower), the rest neutral; the title, the chart, the
period and "#1 in N countries" on it.

The shapes are Natural Earth's 1:110m countries, shipped with the package
(bot/data/world-110m.json, public domain; how it was made: bot/data/build_world.py), so
nothing is downloaded. Countries too small for that scale are drawn as dots.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from bot.i18n import Texts
from bot.pictures.style import (
    GRID,
    MUTED,
    NEUTRAL,
    NUMBER_ONE,
    PANEL,
    TEXT,
    card,
    fonts_for,
    png,
    shorten,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# Charted countries missing at 1:110m (longitude, latitude), drawn as dots.
DOTS = {
    "AD": (1.5, 42.5),
    "BH": (50.6, 26.1),
    "GP": (-61.6, 16.2),
    "HK": (114.2, 22.3),
    "LI": (9.6, 47.2),
    "MC": (7.4, 43.7),
    "MQ": (-61.0, 14.6),
    "MT": (14.4, 35.9),
    "MU": (57.6, -20.3),
    "MV": (73.2, 3.2),
    "RE": (55.5, -21.1),
    "SG": (103.8, 1.4),
}
CHARTING = ("#9cc3ff", "#2f5fb3")  # rank 2 .. the chart's depth: light to dark


@cache
def shapes() -> dict[str, list[list[float]]]:
    """Country code -> its rings, each a flat [lon, lat, lon, lat, ...] list."""
    text = resources.files("bot").joinpath("data/world-110m.json").read_text(encoding="utf-8")
    data: dict[str, list[list[float]]] = json.loads(text)
    return data


def world_map_png(
    *,
    title: str,
    chart: str,
    period: str,
    ranks: Mapping[str, int],
    depth: int,
    t: Texts,
) -> bytes:
    """`ranks`: country -> the title's rank there in `period` (worldwide rows are left out);
    its words in t's language."""
    words, legend = map_words(
        title=title, chart=chart, period=period, ranks=ranks, depth=depth, t=t
    )
    fonts = fonts_for([*words.values(), *legend])
    with card(height=4.6, fonts=fonts) as figure:
        axes = figure.add_axes((0.0, 0.11, 1.0, 0.72))
        draw_map(axes, ranks, depth)
        figure.text(0.02, 0.955, words["title"], fontsize=17, weight="bold", va="top")
        figure.text(0.02, 0.875, words["chart"], fontsize=12, color=MUTED, va="top")
        figure.text(0.02, 0.03, words["count"], fontsize=16, weight="bold", color=NUMBER_ONE)
        figure.text(0.98, 0.03, words["charting"], fontsize=12, color=MUTED, ha="right")
        _legend(figure, depth, legend)
        return png(figure)


def map_words(
    *, title: str, chart: str, period: str, ranks: Mapping[str, int], depth: int, t: Texts
) -> tuple[dict[str, str], list[str]]:
    """What a map says (its title, chart and date, "#1 in N countries", "charting in N") and
    its legend's labels, in t's language."""
    ones = sorted(c for c, r in ranks.items() if r == 1 and c in _known())
    charting = sum(1 for c in ranks if c in _known())
    words = {
        "title": shorten(title),
        "chart": f"{chart} · {t.date(period)}",
        "count": t.ngettext("#1 in {count} country", "#1 in {count} countries", len(ones)),
        "charting": t.ngettext(
            "charting in {count} country", "charting in {count} countries", charting
        ),
    }
    legend = [t.gettext("#{rank}", rank=1), t.gettext("#{rank}", rank=2)]
    legend += [t.gettext("#{rank}", rank=depth), t.gettext("not charting")]
    return words, legend


def _legend(figure: Figure, depth: int, labels: list[str]) -> None:
    """#1 · #2 ... #depth · not charting, as small swatches along the bottom."""
    from matplotlib.patches import Patch

    colours = [NUMBER_ONE, colour_for(2, depth), colour_for(depth, depth), NEUTRAL]
    swatches = [Patch(color=c, label=label) for c, label in zip(colours, labels, strict=True)]
    figure.legend(
        handles=swatches,
        loc="upper right",
        bbox_to_anchor=(0.995, 0.99),
        ncol=2,
        frameon=False,
        fontsize=11,
        labelcolor=MUTED,
        handlelength=1.2,
    )


def draw_map(axes: Axes, ranks: Mapping[str, int], depth: int) -> None:
    from matplotlib.collections import PolyCollection

    codes, polygons = _polygons()
    colours = [colour_for(ranks.get(code), depth) for code in codes]
    axes.add_collection(
        PolyCollection(polygons, facecolors=colours, edgecolors=PANEL, linewidths=0.3)
    )
    dots = [(code, point) for code, point in DOTS.items() if code in ranks]
    if dots:
        axes.scatter(
            [p[0] for _, p in dots],
            [p[1] for _, p in dots],
            s=18,
            c=[colour_for(ranks[code], depth) for code, _ in dots],
            edgecolors=TEXT,
            linewidths=0.4,
            zorder=3,
        )
    axes.set_xlim(-170, 190)
    axes.set_ylim(-57, 84)
    axes.set_aspect(1.15)
    axes.axis("off")
    axes.set_facecolor(GRID)


def colour_for(rank: int | None, depth: int) -> str:
    if rank is None:
        return NEUTRAL
    if rank == 1:
        return NUMBER_ONE
    share = min(max((rank - 2) / max(depth - 2, 1), 0.0), 1.0)
    return _mix(CHARTING[0], CHARTING[1], share)


def _mix(light: str, dark: str, share: float) -> str:
    a = [int(light[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(dark[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * share):02x}" for x, y in zip(a, b, strict=True))


def prepare() -> None:
    """Read the shapes and make the map's polygons now, ahead of the first map."""
    _polygons()
    _known()


@cache
def _polygons() -> tuple[tuple[str, ...], tuple[Any, ...]]:
    """Each ring's country and its (longitude, latitude) points as an array, made once a
    process: made for every map, the lists of points were a fifth of a map's time."""
    import numpy

    codes, polygons = [], []
    for code, rings in shapes().items():
        for ring in rings:
            codes.append(code)
            polygons.append(numpy.array(ring, dtype=float).reshape(-1, 2))
    return tuple(codes), tuple(polygons)


@cache
def _known() -> frozenset[str]:
    """Every country the map can show."""
    return frozenset(shapes()) | frozenset(DOTS)


def drawable(ranks: Mapping[str, int]) -> bool:
    """Whether a map says anything: the title charts in a country the map shows."""
    return any(code in _known() for code in ranks)
