"""The world map per title, drawn as /rank and a channel's alert draw it, beside the
rank-history picture of the same titles: the full Netflix history imported, the 100 titles
charted in the most weeks, each map and each history timed on its own."""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from bench.b_rank import popular_titles
from bench.common import NETFLIX_NEW, Result, netflix_text, percentile
from bot.config import config_from_dict
from bot.engine.model import WORLDWIDE
from bot.i18n import Language, texts
from bot.importer import import_history
from bot.pictures import worldmap
from bot.pictures.rank_history import rank_history_png
from bot.pictures.style import warm_up
from bot.service.lookup import full_standing, title_standings
from bot.store.store import Store

TITLES = 100
MARKETS = ["US", "KR", "JP", "GB", "BR", "IN"]


ENGLISH = texts(Language.EN)


def run() -> list[Result]:
    text = netflix_text(NETFLIX_NEW)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / "all-weeks-countries.tsv"
        source.write_text(text, encoding="utf-8")
        config = config_from_dict(
            {
                "database": {"path": str(folder / "chartbot.db")},
                "sources": [{"name": "netflix", "kind": "netflix_top10", "url": str(source)}],
            },
            source="bench",
            base_dir=folder,
        )
        asyncio.run(import_history(config, "netflix", [str(source)]))
        store = Store.open(folder / "chartbot.db")
        try:
            found = []
            for name in popular_titles(text, TITLES):
                title = store.titles.by_key(name)
                assert title is not None
                chart = title_standings(store, title.id)[0].chart_id
                drawn = full_standing(store, title.id, chart)  # every period, for the history
                assert drawn is not None
                found.append((title.label, drawn))
        finally:
            store.close()
    warm_up()
    maps, histories = [], []
    for label, standing in found:
        ranks = {c: r for c, r in standing.ranks.items() if c != WORLDWIDE}
        start = time.perf_counter()
        worldmap.world_map_png(
            title=label,
            chart=f"{standing.source} · {standing.chart}",
            period=standing.period,
            ranks=ranks,
            depth=standing.depth,
            t=ENGLISH,
        )
        middle = time.perf_counter()
        rank_history_png(standing, label, MARKETS, ENGLISH)
        maps.append(middle - start)
        histories.append(time.perf_counter() - middle)
    p99, history_p99 = percentile(maps, 99) * 1000, percentile(histories, 99) * 1000
    return [
        Result(
            name=f"world map per title ({len(maps)} titles, 94 countries)",
            figure=p99,
            unit="ms p99",
            bound=history_p99,
            bound_what="the rank-history picture of the same titles, p99",
            ratio=None,
            target="p99 ≤ 1 s, never past 3 s",
            met=p99 <= 1000 and max(maps) <= 3,
            notes=(
                f"map p50 {percentile(maps, 50) * 1000:.0f} ms, slowest "
                f"{max(maps) * 1000:.0f} ms (the first loads the shapes: "
                f"{maps[0] * 1000:.0f} ms); history p50 {percentile(histories, 50) * 1000:.0f} ms"
            ),
        )
    ]
