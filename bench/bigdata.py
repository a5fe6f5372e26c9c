"""A seeded stand-in for the combined Spotify charts dataset, at any size (built on demand,
never committed): `title,rank,date,artist,url,region,chart,trend,streams`, CRLF, regions by
name, top200 and viral50, daily, streams written as floats ("253019.0", empty on viral50).

Like the real file: about 70 regions, some starting later than others; charts that change
a little from day to day (songs climb, fall, leave and come back); songs shared between
regions, a few everywhere and most in a handful; each region's top200 and viral50 of a day
one contiguous group, days in order within a region.

    python -m bench.bigdata OUT.csv [ROWS]     # ROWS defaults to the public file's 26 million
"""

from __future__ import annotations

import csv
import random
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

FULL = 26_000_000
REGIONS = [
    "Global",
    "United States",
    "United Kingdom",
    "Germany",
    "France",
    "Spain",
    "Italy",
    "Brazil",
    "Mexico",
    "Argentina",
    "Chile",
    "Colombia",
    "Peru",
    "Ecuador",
    "Bolivia",
    "Uruguay",
    "Paraguay",
    "Costa Rica",
    "Panama",
    "Guatemala",
    "Honduras",
    "El Salvador",
    "Dominican Republic",
    "Canada",
    "Australia",
    "New Zealand",
    "Japan",
    "Taiwan",
    "Hong Kong",
    "Singapore",
    "Malaysia",
    "Indonesia",
    "Philippines",
    "Thailand",
    "Vietnam",
    "India",
    "Turkey",
    "Israel",
    "South Africa",
    "Egypt",
    "Morocco",
    "Saudi Arabia",
    "United Arab Emirates",
    "Sweden",
    "Norway",
    "Denmark",
    "Finland",
    "Iceland",
    "Ireland",
    "Netherlands",
    "Belgium",
    "Luxembourg",
    "Switzerland",
    "Austria",
    "Poland",
    "Czech Republic",
    "Slovakia",
    "Hungary",
    "Romania",
    "Bulgaria",
    "Greece",
    "Portugal",
    "Estonia",
    "Latvia",
    "Lithuania",
    "Ukraine",
    "Russia",
    "South Korea",
    "Nicaragua",
    "Andorra",
]
CHARTS = (("top200", 200), ("viral50", 50))
TRENDS = ("SAME_POSITION", "MOVE_UP", "MOVE_DOWN", "NEW_ENTRY")
FIRST_DAY = date(2017, 1, 1)
DOWNLOAD_HEADER = (
    "rank,uri,artist_names,track_name,source,peak_rank,previous_rank,days_on_chart,streams"
)


def songs(count: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """(title, artist, track url) for a catalogue of songs."""
    words = "love night fire heart dance summer dream gold rain city baby ocean star light".split()
    catalogue = []
    for n in range(count):
        title = " ".join(rng.choice(words).title() for _ in range(rng.randint(1, 3)))
        artist = f"Artist {n % (count // 4) + 1}"
        track = "".join(
            rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
            for _ in range(22)
        )
        catalogue.append((f"{title} {n}", artist, f"https://open.spotify.com/track/{track}"))
    return catalogue


def days_for(total: int) -> int:
    """How many days a file of about `total` rows spans."""
    per_day = sum(size for _, size in CHARTS)
    return max(2, total // (per_day * len(REGIONS)) * 10 // 9)  # later starters make up the rest


def rows(total: int = FULL, seed: int = 2017) -> Iterator[str]:
    """The file's lines, header first, about `total` data rows."""
    rng = random.Random(seed)
    days = days_for(total)
    catalogue = songs(max(2_000, total // 400), rng)
    yield "title,rank,date,artist,url,region,chart,trend,streams\r\n"
    written = 0
    for index, region in enumerate(REGIONS):
        start = 0 if index < len(REGIONS) * 8 // 10 else rng.randint(days // 10, days // 3)
        local = rng.sample(range(len(catalogue)), k=min(len(catalogue), 1200))
        charts = {name: local[:size] for name, size in CHARTS}
        for day in range(start, days):
            when = (FIRST_DAY + timedelta(days=day)).isoformat()
            for name, size in CHARTS:
                order = charts[name]
                for _ in range(rng.randint(1, 4)):  # a few songs leave, new ones come in
                    order[rng.randrange(size)] = rng.choice(local)
                order = _shuffled_a_little(order, rng)
                order = list(dict.fromkeys(order))
                while len(order) < size:
                    order.append(rng.choice(local))
                    order = list(dict.fromkeys(order))
                charts[name] = order[:size]
                for rank, song in enumerate(charts[name], 1):
                    title, artist, url = catalogue[song]
                    streams = (
                        f"{int(rng.randint(2_000, 400_000) / rank**0.5)}.0"
                        if name == "top200"
                        else ""
                    )
                    trend = TRENDS[(rank + day) % len(TRENDS)]
                    place = f"{region},{name},{trend},{streams}"
                    yield f'"{title}",{rank},{when},{artist},{url},{place}\r\n'
                written += size
                if written >= total:
                    return


def _shuffled_a_little(order: list[T], rng: random.Random) -> list[T]:
    order = list(order)
    for _ in range(len(order) // 10):
        i = rng.randrange(len(order) - 1)
        order[i], order[i + 1] = order[i + 1], order[i]
    return order


def next_day(folder: Path, history: Path, seed: int = 2017) -> tuple[str, int]:
    """The top 200 and viral 50 of every region of the file `history` for the day after
    it ends, as charts.spotify.com's downloads (regional-<code>-daily-<day>.csv and viral-…,
    two per region): each region's last day with a few songs gone, a few come in (songs
    the region charted before) and some moved, as a real next day is; the day, and the
    rows written."""
    from bot import countries  # the codes the regions' names stand for

    rng = random.Random(seed)
    last: dict[tuple[str, str], tuple[str, list[tuple[str, str, str]]]] = {}
    seen: dict[str, list[tuple[str, str, str]]] = {}
    with history.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        for title, _, when, artist, url, region, chart, _, _ in reader:
            day, songs_of = last.get((region, chart), ("", []))
            if when != day:
                songs_of = []
                last[(region, chart)] = (when, songs_of)
            songs_of.append((title, artist, url))
            if len(seen.setdefault(region, [])) < 2_000 and rng.random() < 0.01:
                seen[region].append((title, artist, url))
    day = max(when for when, _ in last.values())
    following = (date.fromisoformat(day) + timedelta(days=1)).isoformat()
    written = 0
    for (region, chart), (_, charted) in sorted(last.items()):
        code = "global" if region == "Global" else (countries.lookup(region) or "").lower()
        order = list(charted)
        for _ in range(rng.randint(1, 4)):  # a few songs leave, new ones come in
            order[rng.randrange(len(order))] = rng.choice(seen[region])
        order = list(dict.fromkeys(_shuffled_a_little(order, rng)))
        while len(order) < len(charted):  # a song that came in was there already
            order = list(dict.fromkeys([*order, rng.choice(seen[region])]))
        lines = [DOWNLOAD_HEADER]
        for rank, (title, artist, url) in enumerate(order, 1):
            uri = "spotify:track:" + url.rsplit("/", 1)[1]
            streams = int(rng.randint(2_000, 400_000) / rank**0.5) if chart == "top200" else ""
            lines.append(f'{rank},{uri},"{artist}","{title}",Label,{rank},{rank},1,{streams}')
        kind = "viral" if chart == "viral50" else "regional"
        (folder / f"{kind}-{code}-daily-{following}.csv").write_text("\n".join(lines) + "\n")
        written += len(order)
    return following, written


def write(path: Path, total: int = FULL) -> int:
    """Write the file; its size in bytes."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.writelines(rows(total))
    return path.stat().st_size


if __name__ == "__main__":
    target = Path(sys.argv[1])
    size = write(target, int(sys.argv[2]) if len(sys.argv) > 2 else FULL)
    print(f"{target}: {size:,} bytes")
