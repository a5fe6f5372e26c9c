"""Importing the full Netflix per-country history file, against plain sqlite3 executemany."""

from __future__ import annotations

import asyncio
import csv
import io
import sqlite3
import tempfile
from pathlib import Path

from bench.common import NETFLIX_NEW, Result, compare, netflix_text
from bot.config import config_from_dict
from bot.importer import import_history

SCHEMA = """
CREATE TABLE titles (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
                     artist TEXT);
CREATE TABLE ranks (chart_id INTEGER NOT NULL, period TEXT NOT NULL, country TEXT NOT NULL,
                    rank INTEGER NOT NULL, title_id INTEGER NOT NULL, season TEXT, weeks INTEGER,
                    extra TEXT, PRIMARY KEY (chart_id, period, country, rank)) WITHOUT ROWID;
CREATE INDEX ranks_by_title ON ranks(title_id, chart_id, period, weeks, season);
"""


def plain_import(text: str, database: Path) -> int:
    """The bound: read the rows with csv and executemany them, nothing else."""
    db = sqlite3.connect(database)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.executescript(SCHEMA)
    reader = csv.reader(io.StringIO(text), delimiter="\t")
    next(reader)
    titles: dict[str, int] = {}
    charts: dict[str, int] = {}
    rows = []
    for _, iso, week, category, rank, title, season, weeks in reader:
        title_id = titles.setdefault(title, len(titles) + 1)
        chart_id = charts.setdefault(category, len(charts) + 1)
        rows.append((chart_id, week, iso, int(rank), title_id, season, int(weeks)))
    with db:
        db.executemany(
            "INSERT INTO titles (id, key, name) VALUES (?, ?, ?)",
            [(i, t.casefold() + f"#{i}", t) for t, i in titles.items()],
        )
        db.executemany(
            "INSERT INTO ranks (chart_id, period, country, rank, title_id, season, weeks)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    db.close()
    return len(rows)


def chartbot_import(path: Path, folder: Path) -> None:
    config = config_from_dict(
        {
            "database": {"path": str(folder / "chartbot.db")},
            "sources": [{"name": "netflix", "kind": "netflix_top10", "url": str(path)}],
        },
        source="bench",
        base_dir=folder,
    )
    asyncio.run(import_history(config, "netflix", [str(path)]))


def run() -> list[Result]:
    text = netflix_text(NETFLIX_NEW)
    rows = text.count("\n")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        source = work / "all-weeks-countries.tsv"
        source.write_text(text, encoding="utf-8")
        runs = iter(range(100))

        def ours() -> None:
            folder = work / f"ours-{next(runs)}"
            folder.mkdir()
            chartbot_import(source, folder)

        def bound() -> None:
            plain_import(text, work / f"plain-{next(runs)}.db")

        ours_time, bound_time = compare(ours, bound, repeat=9)
    ratio = ours_time / bound_time
    return [
        Result(
            name=f"import the Netflix per-country history ({rows:,} rows)",
            figure=ours_time,
            unit="s",
            bound=bound_time,
            bound_what="csv + executemany into the same schema",
            ratio=ratio,
            target="≤ 1.2×",
            met=ratio <= 1.2,
            notes="chartbot also validates every row, hashes every period and builds titles",
        )
    ]
