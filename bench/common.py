"""What the benchmarks share: results, timing, and the data they run on."""

from __future__ import annotations

import gzip
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.helpers.shared_data import SHARED

ROOT = Path(__file__).resolve().parent.parent
NETFLIX_OLD = SHARED / "netflix" / "all-weeks-countries-2022-01-12.tsv.gz"  # up to 2022-01-09
NETFLIX_NEW = SHARED / "netflix" / "all-weeks-countries-2022-01-19.tsv.gz"  # adds 2022-01-16


@dataclass
class Result:
    name: str
    figure: float
    unit: str
    bound: float | None
    bound_what: str
    ratio: float | None
    target: str
    met: bool
    notes: str = ""

    def row(self) -> str:
        bound = f"{self.bound:.3f} {self.unit}" if self.bound is not None else "—"
        ratio = f"{self.ratio:.2f}×" if self.ratio is not None else "—"
        return (
            f"| {self.name} | {self.figure:.3f} {self.unit} | {bound} ({self.bound_what}) "
            f"| {ratio} | {self.target} | {'yes' if self.met else 'NO'} |"
        )


def median_time(run: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def compare(
    ours: Callable[[], object], bound: Callable[[], object], repeat: int = 5
) -> tuple[float, float]:
    """Median times of ours and of the bound, run alternately so both see the same machine.

    One untimed round first: this kind of machine runs noticeably slower for its
    first second or so of work.
    """
    ours()
    bound()
    mine, theirs = [], []
    for _ in range(repeat):
        for run, times in ((ours, mine), (bound, theirs)):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
    return statistics.median(mine), statistics.median(theirs)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


class MissingData(Exception):
    """A benchmark's real data is not here (a clone outside this workplace)."""


def needs(path: Path) -> Path:
    """`path` (a file of ../shared/data), or MissingData saying what is missing."""
    if not path.exists():
        raise MissingData(f"needs {path}: the real data of ../shared/data")
    return path


def netflix_text(path: Path) -> str:
    return gzip.decompress(needs(path).read_bytes()).decode("utf-8")


def years_of_history(weeks: int = 261, seed: int = 5) -> tuple[str, str]:
    """A Netflix-shaped file of `weeks` weeks for 94 countries (built from the real 29 weeks,
    repeated with later dates and renamed titles), and the same file plus one more week."""
    header, *rows = netflix_text(NETFLIX_NEW).split("\n")
    by_week: dict[str, list[list[str]]] = {}
    for row in rows:
        fields = row.split("\t")
        by_week.setdefault(fields[2], []).append(fields)
    real = sorted(by_week)
    rng = random.Random(seed)
    from datetime import date, timedelta

    start = date(2021, 7, 4)
    out_rows: list[str] = []
    for n in range(weeks + 1):
        source = by_week[real[n % len(real)]]
        cycle = n // len(real)
        day = (start + timedelta(weeks=n)).isoformat()
        rng.shuffle(source)
        for fields in source:
            title = fields[5] if cycle == 0 else f"{fields[5]} ({cycle + 1})"
            out_rows.append(
                (day, [*fields[:2], day, fields[3], fields[4], title, fields[6], fields[7]])
            )
    out_rows.sort(key=lambda item: item[0], reverse=True)
    newest = max(day for day, _ in out_rows)
    lines = ["\t".join(fields) for _, fields in out_rows]
    older = ["\t".join(fields) for day, fields in out_rows if day != newest]
    return "\n".join([header, *older]), "\n".join([header, *lines])
