"""Apple Music per-country feeds, built in the documented shape for tests.

`.../api/v2/{cc}/music/most-played/{n}/songs.json` answers
{"feed": {"title", "country", "updated", "results": [{"artistName", "id", "name",
"releaseDate", "kind", "genres", "url"}]}}; real feeds date `updated` in RFC 2822.
The songs are real ones from the Spotify charts of the same weeks (tests/fixtures/spotify).
"""

from __future__ import annotations

import json

SONGS = [
    ("greedy", "Tate McRae"),
    ("Standing Next to You", "Jung Kook"),
    ("Si No Estás", "iñigo quintero"),
    ("Lovin On Me", "Jack Harlow"),
    ("Cruel Summer", "Taylor Swift"),
    ("Seven (feat. Latto)", "Jung Kook"),
    ("Paint The Town Red", "Doja Cat"),
    ("Houdini", "Dua Lipa"),
    ("LALA", "Myke Towers"),
    ("vampire", "Olivia Rodrigo"),
]
COUNTRIES = ["us", "gb", "kr", "jp", "fr"]


def feed(country: str, order: list[int], updated: str) -> bytes:
    """One country's feed: `order` lists SONGS indexes from #1 down."""
    results = []
    for index in order:
        name, artist = SONGS[index]
        results.append(
            {
                "artistName": artist,
                "id": str(1_700_000_000 + index),
                "name": name,
                "releaseDate": "2023-10-27",
                "kind": "songs",
                "artistId": str(100 + index),
                "artworkUrl100": f"https://is1-ssl.mzstatic.com/{index}.jpg",
                "genres": [
                    {"genreId": "14", "name": "Pop", "url": "https://itunes.apple.com/genre/14"}
                ],
                "url": f"https://music.apple.com/{country}/album/{index}",
            }
        )
    return json.dumps(
        {
            "feed": {
                "title": "Top Songs",
                "id": f"https://rss.applemarketingtools.com/api/v2/{country}/music/most-played/10/songs.json",
                "author": {"name": "Apple", "url": "https://www.apple.com/"},
                "copyright": "Copyright © 2023 Apple Inc. All rights reserved.",
                "country": country,
                "icon": "https://www.apple.com/favicon.ico",
                "updated": updated,
                "results": results,
            }
        }
    ).encode()


# Day 1: "Standing Next to You" leads in KR and JP, "greedy" in US, GB, FR.
DAY_1 = {
    "us": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    "gb": [0, 4, 1, 2, 3, 5, 6, 7, 8, 9],
    "kr": [1, 5, 0, 2, 3, 4, 6, 7, 8, 9],
    "jp": [1, 0, 5, 2, 3, 4, 6, 7, 8, 9],
    "fr": [0, 2, 1, 3, 4, 5, 6, 7, 8, 9],
}
# Day 2: it takes the US and GB as well: now #1 in 4 countries (+2).
DAY_2 = {
    "us": [1, 0, 2, 3, 4, 5, 6, 7, 8, 9],
    "gb": [1, 0, 4, 2, 3, 5, 6, 7, 8, 9],
    "kr": [1, 5, 0, 2, 3, 4, 6, 7, 8, 9],
    "jp": [1, 0, 5, 2, 3, 4, 6, 7, 8, 9],
    "fr": [0, 2, 1, 3, 4, 5, 6, 7, 8, 9],
}
UPDATED_1 = "Thu, 16 Nov 2023 18:24:49 +0000"
UPDATED_2 = "Fri, 17 Nov 2023 18:21:02 +0000"
