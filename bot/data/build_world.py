"""How bot/data/world-110m.json was made from Natural Earth's 1:110m countries.

Natural Earth (naturalearthdata.com) is public domain. The shapes were read from the
copy geopandas 0.14.4 ships (geopandas/datasets/naturalearth_lowres, Natural Earth
v5 admin-0 countries at 1:110m) with pyshp, neither of them a dependency of chartbot:

    pip download geopandas==0.14.4 --no-deps && unzip geopandas-0.14.4-*.whl
    pip install --target lib pyshp
    PYTHONPATH=lib python bot/data/build_world.py geopandas/datasets/naturalearth_lowres

Each country (ISO 3166 alpha-2, Kosovo as XK) maps to its rings, each a flat list of
longitude, latitude pairs rounded to 0.1 degree. Antarctica is left out.
"""

from __future__ import annotations

import json
import sys
from itertools import pairwise
from pathlib import Path

import pycountry
import shapefile  # type: ignore[import-not-found]  # pyshp, for this script only

OUT = Path(__file__).parent / "world-110m.json"


def iso2(alpha3: str, name: str) -> str | None:
    if name == "Kosovo":
        return "XK"
    country = pycountry.countries.get(alpha_3=alpha3)
    return country.alpha_2 if country else None


def main(folder: str) -> None:
    reader = shapefile.Reader(str(Path(folder) / "naturalearth_lowres"))
    world: dict[str, list[list[float]]] = {}
    for shape, record in zip(reader.shapes(), reader.records(), strict=True):
        code = iso2(record["iso_a3"], record["name"])
        if code is None or code == "AQ":
            continue
        bounds = [*shape.parts, len(shape.points)]
        for start, end in pairwise(bounds):
            ring = [round(v, 1) for point in shape.points[start:end] for v in point]
            world.setdefault(code, []).append(ring)
    OUT.write_text(json.dumps(world, separators=(",", ":"), sort_keys=True), encoding="utf-8")
    print(f"{OUT}: {len(world)} countries, {OUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    main(sys.argv[1])
