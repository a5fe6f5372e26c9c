"""`python -m bench [name ...]`: run the benchmarks and print one table of figures."""

from __future__ import annotations

import importlib
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

from bench.common import MissingData

BENCHMARKS = [
    "import",
    "poll",
    "apple",
    "daily",
    "autocomplete",
    "rank",
    "rank_poll",
    "maps",
    "fanout",
    "languages",
    "memory",
    "forecast",
]
# 26 million rows (45 min), 100,000 servers (15 min), forecasts on the 26 million rows: by name
ON_REQUEST = ["big", "servers", "forecast_big"]


def main(names: list[str]) -> int:
    chosen = names or BENCHMARKS
    known = BENCHMARKS + ON_REQUEST
    unknown = [n for n in chosen if n not in known]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(known)}")
        return 2
    results = []
    started = time.perf_counter()
    for name in chosen:
        began = time.perf_counter()
        print(f"-- {name} ...", flush=True)
        try:
            module = importlib.import_module(f"bench.b_{name}")
            for result in module.run():
                results.append(result)
                print(result.row(), flush=True)
                if result.notes:
                    print(f"   {result.notes}", flush=True)
        except MissingData as missing:
            print(f"   skipped: {name} {missing}", flush=True)
        print(f"   ({time.perf_counter() - began:.0f}s)", flush=True)
    print()
    print("| benchmark | figure | bound (what) | ratio | target | met |")
    print("|---|---|---|---|---|---|")
    for result in results:
        print(result.row())
    print(f"\nall benchmarks: {time.perf_counter() - started:.0f}s")
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps([asdict(r) for r in results], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
