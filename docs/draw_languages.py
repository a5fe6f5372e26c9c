"""The pictures of README's "Languages": a map and a rank history of two real titles of the
shared Netflix file (their real ranks), drawn with their Korean and Japanese names in a
Korean and a Japanese server's language.

    python docs/draw_languages.py ../shared/data/netflix/all-weeks-countries-2022-01-19.tsv.gz

(The store keeps a title by the chart's English name; the pictures show the same ranks
under the title Netflix shows in Korea and Japan: 솔로지옥, 呪術廻戦.)"""

from __future__ import annotations

import asyncio
import gzip
import sys
import tempfile
from pathlib import Path

from bot.config import config_from_dict
from bot.engine.model import WORLDWIDE
from bot.i18n import Language, texts
from bot.importer import import_history
from bot.pictures import worldmap
from bot.pictures.rank_history import rank_history_png
from bot.service.lookup import full_standing, title_standings
from bot.store.store import Store

DOCS = Path(__file__).parent
# (the chart's name, the name shown, the server's language, its watched markets)
PICTURES = [
    ("Single’s Inferno", "솔로지옥", Language.KO, ["KR", "JP", "US"]),
    ("Jujutsu Kaisen", "呪術廻戦", Language.JA, ["JP", "KR", "TW"]),
]


def main(shared_file: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / "all-weeks-countries.tsv"
        source.write_bytes(gzip.decompress(Path(shared_file).read_bytes()))
        config = config_from_dict(
            {
                "database": {"path": str(folder / "chartbot.db")},
                "sources": [{"name": "netflix", "kind": "netflix_top10", "url": str(source)}],
            },
            source="docs",
            base_dir=folder,
        )
        asyncio.run(import_history(config, "netflix", [str(source)]))
        with Store.open(folder / "chartbot.db") as store:
            for english, shown, language, markets in PICTURES:
                title = store.titles.by_key(english)
                assert title is not None, english
                chart = title_standings(store, title.id)[0].chart_id
                standing = full_standing(store, title.id, chart)  # every period, for the history
                assert standing is not None, english
                t = texts(language)
                ranks = {c: r for c, r in standing.ranks.items() if c != WORLDWIDE}
                drawn = worldmap.world_map_png(
                    title=shown,
                    chart=standing.heading,
                    period=standing.period,
                    ranks=ranks,
                    depth=standing.depth,
                    t=t,
                )
                (DOCS / f"world-map-{language.value}.png").write_bytes(drawn)
                history = rank_history_png(standing, shown, markets, t)
                assert history is not None
                (DOCS / f"rank-history-{language.value}.png").write_bytes(history)
                print(
                    f"{english} as {shown}: docs/world-map-{language.value}.png, "
                    f"docs/rank-history-{language.value}.png"
                )


if __name__ == "__main__":
    main(sys.argv[1])
