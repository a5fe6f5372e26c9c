"""Spotify's chart CSV downloads (charts.spotify.com): one country, one day or week, per file.

The file name says what the file is: `regional-<country|global>-<weekly|daily>-<date>.csv`
(the date is the chart's day, or the last day of its week). Columns: rank, uri,
artist_names, track_name, source, peak_rank, previous_rank, weeks_on_chart,
streams; some downloads add more, and some start with a byte-order mark.

A source's `url` may be one file (a path or a URL) or a folder of downloads;
with no `url` the source is only fed by `chartbot import FILE...`. A folder is
read from each chart's newest stored period on, and a period still missing
countries that the one before had is left for a later poll (the rest of its
files are probably still downloading), never read as titles leaving the chart.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from bot import countries
from bot.config import SpotifySourceConfig
from bot.engine.model import ChartRow
from bot.sources.base import (
    NOTHING_KNOWN,
    FetchError,
    Keep,
    Known,
    ParseError,
    Snapshot,
    Unchanged,
    ValidatorMap,
    content_hash,
    keep_all,
)
from bot.sources.configured import ConfiguredSource
from bot.sources.decode import decode, human_size
from bot.sources.fetch import is_url, local_path, read_file
from bot.sources.tabular import optional_number, require, table_rows, whole_number

log = logging.getLogger(__name__)

FILE_NAME = re.compile(
    r"regional-(?P<country>[a-z]{2}|global)-(?P<span>weekly|daily)-(?P<date>\d{4}-\d{2}-\d{2})",
    re.IGNORECASE,
)
COLUMNS = ("rank", "track_name", "artist_names")


def describe_file(name: str) -> tuple[str, str, str]:
    """'regional-global-weekly-2023-11-16.csv' -> (chart, country, period)."""
    found = FILE_NAME.search(Path(name).name)
    if found is None:
        raise ParseError(
            f"{Path(name).name}: cannot tell the country and date from the file name; name it "
            "like Spotify does: regional-global-weekly-2023-11-16.csv"
        )
    code = found["country"].upper()
    if code != "GLOBAL" and countries.lookup(code) is None:
        raise ParseError(f"{Path(name).name}: {code} is not a country code")
    try:
        period = date.fromisoformat(found["date"]).isoformat()
    except ValueError:
        raise ParseError(f"{Path(name).name}: {found['date']} is not a date") from None
    return found["span"].lower(), code, period


def parse_spotify(
    files: Sequence[tuple[str, bytes]],
    *,
    source: str,
    keep: Keep = keep_all,
    rename: Callable[[str], str] = str,
) -> Snapshot:
    """Parse Spotify chart files (name, bytes) into one snapshot; ParseError names the file."""
    names = [name for name, _ in files]
    snapshot = Snapshot(
        source=source, content_hash=content_hash(b"".join(b for _, b in files), names)
    )
    snapshot.reparse = lambda again: parse_spotify(files, source=source, keep=again, rename=rename)
    for name, body in files:
        chart, country, period = describe_file(name)
        label = Path(name).name
        try:
            for line, fields in table_rows(decode(body), "csv"):
                require(COLUMNS, fields, "file")
                try:
                    snapshot.add(_row(fields, chart, country, period, rename), keep)
                except ValueError as exc:
                    raise ParseError(f"line {line}: {exc}") from None
        except ParseError as exc:
            raise ParseError(f"{label}: {exc}") from None
    return snapshot


def _row(
    fields: dict[str, str], chart: str, country: str, period: str, rename: Callable[[str], str]
) -> ChartRow:
    title = fields["track_name"]
    if not title:
        raise ValueError("the track name is empty")
    extra = {
        key: value
        for key in ("uri", "streams", "peak_rank", "previous_rank", "source")
        if (value := fields.get(key))
    }
    return ChartRow(
        chart=chart,
        period=period,
        country=country,
        rank=whole_number(fields["rank"], "rank"),
        title=rename(title),
        artist=fields["artist_names"] or None,
        weeks=optional_number(fields.get("weeks_on_chart", "")),
        extra=extra or None,
    )


def complete_periods(snapshot: Snapshot) -> list[str]:
    """Drop trailing periods that still lack countries the period before had; say which."""
    waiting = []
    for chart, periods in snapshot.charts().items():
        while len(periods) >= 2:
            last, before = periods[-1], periods[-2]
            have = set(snapshot.periods[(chart, last)].countries)
            had = set(snapshot.periods[(chart, before)].countries)
            if had <= have:
                break
            waiting.append(f"{chart} {last} ({len(have)} of {len(had | have)} countries so far)")
            snapshot.periods.pop((chart, last))
            snapshot.rows.pop((chart, last), None)
            periods.pop()
    return waiting


class SpotifyCharts(ConfiguredSource):
    """The `spotify_charts` source."""

    config: SpotifySourceConfig

    async def fetch_snapshot(
        self,
        *,
        session: Any,
        validators: ValidatorMap,
        known: Known = NOTHING_KNOWN,
        location: str | None = None,
    ) -> Snapshot | Unchanged:
        where = location or self.config.url
        if where is None:
            raise FetchError("this source has no url: feed it with `chartbot import FILE...`")
        if is_url(where):
            fetched = await self.fetch_one(where, session, validators)
            if fetched.body is None:
                return Unchanged({where: fetched.validators})
            files = [(Path(urlparse(where).path).name, fetched.body)]
            new_validators = {where: fetched.validators}
        else:
            files = await asyncio.to_thread(
                self._read_local, local_path(where, self.base_dir), known.keep
            )
            new_validators = {}
        snapshot = await asyncio.to_thread(
            parse_spotify, files, source=self.name, keep=known.keep, rename=self.aliases.canonical
        )
        for waiting in complete_periods(snapshot):
            snapshot.notes.append(f"waiting for the rest of {waiting}")
        if not snapshot.periods:
            raise FetchError("no complete chart period in the files yet")
        if snapshot.content_hash == known.content_hash:
            return Unchanged(new_validators)
        snapshot.validators = new_validators
        return snapshot

    def _read_local(self, path: Path, keep: Keep) -> list[tuple[str, bytes]]:
        if not path.is_dir():
            return [(path.name, read_file(path, self.config.max_size).body or b"")]
        files = []
        total = 0
        for candidate in sorted(path.glob("*.csv")):
            try:
                chart, _, period = describe_file(candidate.name)
            except ParseError:
                continue  # not a chart download: someone else's file in the folder
            if not keep(chart, period):
                continue  # older than what is stored
            body = read_file(candidate, self.config.max_size).body or b""
            total += len(body)
            if total > self.config.max_size:
                raise FetchError(
                    f"the folder's new files are over {human_size(self.config.max_size)}"
                )
            files.append((candidate.name, body))
        if not files:
            raise FetchError(f"no chart files (regional-…-….csv) in {path}")
        return files
