"""How rows go into the ranks table, and a stored period's countries come back out."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from operator import attrgetter
from typing import Any

from bot.engine.model import ChartRow, PackedRows, extras_json
from bot.engine.titles import title_key

INSERT_RANK = """INSERT INTO ranks (chart_id, period, country, rank, title_id, season, weeks, extra)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)"""


_RANK_ORDER = attrgetter("country", "rank")
_RANK_FIELDS = attrgetter(
    "period", "country", "rank", "title", "artist", "season", "weeks", "extra"
)


def rank_rows(
    chart_id: int, rows: Sequence[ChartRow], title_ids: dict[str, int]
) -> list[tuple[Any, ...]]:
    """ranks table rows, in key order: appending to the B-tree beats inserting all over it."""
    if isinstance(rows, PackedRows):  # as they come, each song's title looked up once
        song_ids = {n: title_ids[title_key(*rows.songs[n])] for n in rows.named()}
        period = rows.period
        return [
            (chart_id, period, country, rank, song_ids[song], season, weeks, extra)
            for country, rank, song, season, weeks, extra in sorted(rows.lines)
        ]
    ids: dict[tuple[str, str | None], int] = {}
    values = []
    for period, country, rank, title, artist, season, weeks, extra in map(
        _RANK_FIELDS, sorted(rows, key=_RANK_ORDER)
    ):
        title_id = ids.get((title, artist))
        if title_id is None:
            title_id = ids[(title, artist)] = title_ids[title_key(title, artist)]
        if extra:
            extra = extras_json(extra)
        values.append((chart_id, period, country, rank, title_id, season, weeks, extra or None))
    return values


class LazyCountries(Mapping[str, int]):
    """A period's {country: rows}, decoded from its JSON when first read: a poll that
    adds a week reads only the newest stored period's."""

    __slots__ = ("_decoded", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._decoded: dict[str, int] | None = None

    def _data(self) -> dict[str, int]:
        if self._decoded is None:
            self._decoded = json.loads(self._text)
        return self._decoded

    def __getitem__(self, country: str) -> int:
        return self._data()[country]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data())

    def __len__(self) -> int:
        return len(self._data())
