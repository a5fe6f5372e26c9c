"""The pictures' properties, measured on the drawn figures: sizes, labels that never run into
each other, lines told apart, the chart's own depth, one period drawn too, the map's colours."""

from __future__ import annotations

import struct
import threading
from datetime import date, timedelta
from itertools import combinations

import pytest

from bot.engine.model import PeriodUnit
from bot.engine.standings import ChartStanding
from bot.i18n import Language, texts
from bot.pictures import worldmap
from bot.pictures.rank_history import draw_history, rank_history_png
from bot.pictures.style import NEUTRAL, NUMBER_ONE, card

EN = texts(Language.EN)


def size_of(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])


def standing(history: dict[str, dict[str, int]], *, depth: int = 10, countries: int = 94):
    latest = max(history)
    return ChartStanding(
        source="netflix",
        chart="TV",
        period=latest,
        chart_latest=latest,
        previous_period=None,
        number_one_count=0,
        previous_number_one_count=0,
        ranks=history[latest],
        previous_ranks={},
        in_chart={},
        best_rank=1,
        best_rank_period=latest,
        best_rank_countries=[],
        periods_charted=len(history),
        unit=PeriodUnit.WEEK,
        history=history,
        depth=depth,
        chart_countries=countries,
    )


def periods(count: int, step: int) -> list[str]:
    start = date(2021, 7, 4)
    return [(start + timedelta(days=step * i)).isoformat() for i in range(count)]


def drawn(s: ChartStanding, markets: list[str]):
    with card() as figure:
        draw_history(figure, s, "All of Us Are Dead", markets, EN)
        figure.canvas.draw()
        yield figure


def labels_apart(figure) -> None:
    renderer = figure.canvas.get_renderer()
    for axes in figure.axes:
        shown = [t for t in axes.get_xticklabels() if t.get_visible() and t.get_text()]
        boxes = [t.get_window_extent(renderer) for t in shown]
        for a, b in combinations(boxes, 2):
            assert not a.overlaps(b), [t.get_text() for t in shown]


@pytest.mark.parametrize(("count", "step"), [(2, 7), (12, 7), (104, 7), (400, 1), (60, 1)])
def test_date_labels_never_run_into_each_other(count, step):
    history = {p: {"US": 1 + i % 10, "KR": 1} for i, p in enumerate(periods(count, step))}
    for figure in drawn(standing(history), ["US", "KR"]):
        labels_apart(figure)
        assert len(figure.axes[-1].get_xticklabels()) >= 2


def test_markets_with_the_same_ranks_stay_apart():
    history = {p: {"US": 2, "KR": 2, "JP": 2} for p in periods(6, 7)}
    for figure in drawn(standing(history), ["US", "KR", "JP"]):
        lines = figure.axes[-1].get_lines()
        assert len(lines) == 3
        styles = {(line.get_color(), line.get_marker(), line.get_linestyle()) for line in lines}
        assert len(styles) == 3
        heights = {round(float(line.get_ydata()[0]), 3) for line in lines}
        assert len(heights) == 3 and all(abs(h - 2) < 0.5 for h in heights)  # still rank 2


@pytest.mark.parametrize(("depth", "top_tick"), [(10, 10), (50, 50), (200, 200)])
def test_the_rank_axis_is_the_charts_own_depth(depth, top_tick):
    history = {p: {"US": 3} for p in periods(4, 7)}
    for figure in drawn(standing(history, depth=depth), ["US"]):
        axes = figure.axes[-1]
        low, high = axes.get_ylim()
        assert low > depth >= 1 > high  # #1 at the top, the chart's last rank at the bottom
        assert max(axes.get_yticks()) == top_tick and 1 in axes.get_yticks()


def test_one_period_is_a_picture_too():
    png = rank_history_png(standing({"2022-01-16": {"US": 4}}), "Brazen", ["US"], EN)
    assert png is not None and size_of(png) == (800, 450)


def test_a_worldwide_chart_draws_its_one_line_without_the_count_panel():
    history = {p: {"GLOBAL": 1 + i} for i, p in enumerate(periods(3, 7))}
    for figure in drawn(standing(history, countries=1), ["US"]):
        assert len(figure.axes) == 1  # no "#1 in N countries" panel for one country
        assert [line.get_label() for line in figure.axes[0].get_lines()] == ["Worldwide"]


def test_titles_are_plain_text_in_both_pictures():
    title = "Paris — $uicideboy$ $\\frac{a}$"
    png = rank_history_png(standing({"2022-01-16": {"US": 4}}), title, ["US"], EN)
    assert png is not None
    ranks = {"US": 1, "FR": 4}
    assert size_of(
        worldmap.world_map_png(
            title=title, chart="TV", period="2022-01-16", ranks=ranks, depth=10, t=EN
        )
    ) == (800, 460)


def test_pictures_drawn_at_once_in_two_threads_keep_titles_plain_text():
    """matplotlib's settings are global: a picture finished in one thread must not put back
    maths parsing under a picture another thread is drawing."""
    first_in, second_trying, second_in, first_done = (threading.Event() for _ in range(4))
    parsed: list[bool] = []

    def first() -> None:
        with card():
            first_in.set()
            second_trying.wait(5)
            second_in.wait(0.3)  # one at a time: the second cannot get in while this draws
        first_done.set()

    def second() -> None:
        first_in.wait(5)
        second_trying.set()
        with card() as figure:
            second_in.set()
            first_done.wait(5)  # the first picture is finished, its settings put back
            parsed.append(figure.suptitle("Ke$ha $x^2$").get_parse_math())

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert parsed == [False]


def test_the_map_colours_number_ones_charting_and_the_rest():
    ranks = {"KR": 1, "JP": 1, "US": 2, "BR": 10, "SG": 1}
    with card() as figure:
        axes = figure.add_axes((0, 0, 1, 1))
        worldmap.draw_map(axes, ranks, depth=10)
        [countries] = axes.collections[:1]
        colours = [tuple(c) for c in countries.get_facecolors()]
    rings = worldmap.shapes()
    order = [code for code, shape in rings.items() for _ in shape]
    by_code = {code: colours[i] for i, code in enumerate(order)}

    def rgb(hex_colour: str) -> tuple[float, ...]:
        return tuple(int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))

    assert by_code["KR"][:3] == pytest.approx(rgb(NUMBER_ONE), abs=0.01)
    assert by_code["FR"][:3] == pytest.approx(rgb(NEUTRAL), abs=0.01)
    light, dark = by_code["US"][:3], by_code["BR"][:3]
    assert sum(light) > sum(dark)  # #2 lighter than #10
    assert "SG" not in rings and "SG" in worldmap.DOTS  # too small at 1:110m: a dot


def test_every_country_netflix_charts_can_be_shown():
    netflix = set(
        "AR AT AU BD BE BG BH BO BR BS CA CH CL CO CR CY CZ DE DK DO EC EE EG ES FI "
        "FR GB GP GR GT HK HN HR HU ID IE IL IN IS IT JM JO JP KE KR KW LB LT LU LV MA "
        "MQ MT MU MV MX MY NG NI NL NO NZ OM PA PE PH PK PL PT PY QA RE RO RS RU SA SE "
        "SG SI SK SV TH TR TT TW UA US UY VE VN ZA".split()
    )
    assert not netflix - set(worldmap.shapes()) - set(worldmap.DOTS)
