"""The `spotify_charts` source: Spotify chart downloads, one file, a watched folder, or imports.

A source's `url` may be one file (a path or a URL) or a folder of downloads; with no
`url` the source is only fed by `chartbot import FILE...`. A folder is read from each
chart's newest stored period on, and a period still missing countries that the one
before had is left for a later poll (the rest of its files are probably still
downloading), never read as titles leaving the chart. A file in the folder that is
not a chart (a saved login page, a cut file, another layout) is named with its reason
and skipped, and tried again only once it changes; the other files are read as usual.

The combined dataset (one CSV of every region and day) is recognised by its header
and streamed by `chartbot import`, in batches (bot/sources/spotify/combined.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import aiohttp

from bot.config import SpotifySourceConfig
from bot.engine.model import ChartRow
from bot.engine.source_types import FailureKind, ValidatorMap
from bot.engine.stored import SkippedFile
from bot.sources.base import (
    NOTHING_KNOWN,
    FetchError,
    ImportPart,
    Keep,
    Known,
    ParseError,
    Snapshot,
    Target,
    Unchanged,
    content_hash,
    keep_all,
)
from bot.sources.configured import ConfiguredSource
from bot.sources.decode import decode, human_size
from bot.sources.fetch import is_url, local_path, read_file
from bot.sources.spotify.combined import is_combined
from bot.sources.spotify.layouts import (
    Layout,
    download_row,
    layout_of,
    table_advice,
    without_note,
)
from bot.sources.spotify.names import ChartFile, describe_file
from bot.sources.spotify.reader import ReadElsewhere
from bot.sources.tabular import require, table_rows

log = logging.getLogger(__name__)

HEAD = 64 * 1024  # bytes read to tell a file's layout


@dataclass(frozen=True, slots=True)
class Download:
    """A chart file's name and bytes, and what its name says."""

    file: ChartFile
    body: bytes
    fingerprint: str = ""  # a watched folder's file: its size and modification time


def unplaced(name: str, columns: Sequence[str]) -> str:
    """Why a file cannot be placed, and what would place it: Spotify's own name for a
    Spotify download, else the `table` source that would read its layout."""
    if layout_of(columns) in (Layout.CHARTS, Layout.SPOTIFYCHARTS):
        return (
            f"{name}: cannot tell the country and date from the file name; name it as Spotify "
            "does: regional-<country|global>-<daily|weekly>-YYYY-MM-DD.csv"
        )
    return (
        f"{name}: not a Spotify chart download (no regional-<country>-<daily|weekly>-<date> "
        "in its name, and not the combined dataset's header); " + table_advice(columns)
    )


def chart_file(name: str, body: bytes, period: str | None = None) -> ChartFile:
    """What a download is, from its name (and `period` for a name without a date)."""
    described = describe_file(name)
    if described is None:
        head = decode(body[:HEAD]).partition("\n")[0] if body else ""
        raise ParseError(
            unplaced(Path(name).name, [c.strip().lower() for c in head.split(",")]),
            kind=FailureKind.UNKNOWN_LAYOUT,
        )
    return described.dated(period)


def download_rows(download: Download, rename: Callable[[str], str] = str) -> list[ChartRow]:
    """The rows of one download; ParseError names the file, the line and why."""
    name = download.file.name
    try:
        rows = []
        layout: Layout | None = None
        text, offset = without_note(decode(download.body))
        for line, fields in table_rows(text, "csv", offset=offset):
            if layout is None:
                layout = layout_of(list(fields))
                if layout is None or layout is Layout.COMBINED:
                    if layout is Layout.COMBINED:
                        raise ParseError(
                            "the combined dataset: load it with `chartbot import FILE --source "
                            "NAME` (it is not watched in a folder)"
                        )
                    require(Layout.CHARTS.columns, fields, "file")
            assert download.file.period is not None and layout is not None
            try:
                rows.append(
                    download_row(
                        layout,
                        fields,
                        chart=download.file.chart,
                        period=download.file.period,
                        country=download.file.country,
                        rename=rename,
                    )
                )
            except ValueError as exc:
                raise ParseError(f"line {line}: {exc}") from None
        return rows
    except ParseError as exc:
        raise exc.said_of(f"{name}: ") from None


def parse_downloads(
    downloads: Sequence[Download],
    *,
    source: str,
    keep: Keep = keep_all,
    rename: Callable[[str], str] = str,
    parsed: Sequence[list[ChartRow]] | None = None,
) -> Snapshot:
    """Chart downloads -> one snapshot; ParseError names the file that is not a chart.
    `parsed`: each download's rows, when they were read already."""
    snapshot = Snapshot(
        source=source,
        content_hash=content_hash(
            b"".join(d.body for d in downloads), [d.file.name for d in downloads]
        ),
    )
    for n, download in enumerate(downloads):
        rows = parsed[n] if parsed is not None else download_rows(download, rename)
        try:
            for row in rows:
                snapshot.add(row, keep)
        except ValueError as exc:  # two titles at one rank
            raise ParseError(f"{download.file.name}: {exc}") from None
        snapshot.units[download.file.chart] = download.file.unit
    return snapshot


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


def fingerprint(path: Path) -> str:
    """What changes when a file does: its size and modification time."""
    stat = path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


class SpotifyCharts(ConfiguredSource):
    """The `spotify_charts` source."""

    config: SpotifySourceConfig
    fixed_length = True  # top 200 and viral 50: a shorter country is a file cut short

    async def fetch_snapshot(
        self,
        *,
        session: aiohttp.ClientSession,
        validators: ValidatorMap,
        known: Known = NOTHING_KNOWN,
        target: Target | None = None,
    ) -> Snapshot | Unchanged:
        where = self.where(target)
        period = target.period if target else None
        if where is None:
            raise FetchError("this source has no url: feed it with `chartbot import FILE...`")
        folder = False
        skipped: list[SkippedFile] = []
        new_validators: ValidatorMap = {}
        if is_url(where):
            fetched = await self.fetch_one(where, session, validators)
            if fetched.body is None:
                return Unchanged({where: fetched.validators})
            name = Path(urlparse(where).path).name
            downloads = [Download(chart_file(name, fetched.body, period), fetched.body)]
            new_validators = {where: fetched.validators}
        else:
            path = local_path(where, self.base_dir)
            folder = path.is_dir()
            if folder:
                downloads, skipped = await asyncio.to_thread(self._read_folder, path, known)
            else:
                body = read_file(path, self.config.max_size).body or b""
                downloads = [Download(chart_file(path.name, body, period), body)]
        snapshot, bad = await asyncio.to_thread(self._parse, downloads, known.keep, folder)
        read = [d for d in downloads if d.file.name not in {b.name for b in bad}]
        await asyncio.to_thread(self._complete, snapshot, read, known)
        skipped += bad
        for waiting in complete_periods(snapshot):
            snapshot.notes.append(f"waiting for the rest of {waiting}")
        if not snapshot.periods:
            if skipped and known.latest:
                return Unchanged(new_validators, skipped)
            if skipped:
                raise FetchError(f"no chart file in {where} could be read: {_reasons(skipped)}")
            raise FetchError("no complete chart period in the files yet")
        snapshot.skipped = skipped
        if snapshot.content_hash == known.content_hash:
            return Unchanged(new_validators, skipped)
        snapshot.validators = new_validators
        return snapshot

    def _parse(
        self, downloads: list[Download], keep: Keep, folder: bool
    ) -> tuple[Snapshot, list[SkippedFile]]:
        """A file is read strictly; a folder's files each on their own, the bad ones skipped."""
        rename = self.aliases.canonical
        if not folder:
            return parse_downloads(downloads, source=self.name, keep=keep, rename=rename), []
        good, parsed, bad = [], [], []
        for download in downloads:
            try:
                parsed.append(download_rows(download, rename))
            except ParseError as exc:
                bad.append(
                    SkippedFile(download.file.name, download.fingerprint, str(exc), exc.kind)
                )
                continue
            good.append(download)
        snapshot = parse_downloads(good, source=self.name, keep=keep, rename=rename, parsed=parsed)
        return snapshot, bad

    def _complete(self, snapshot: Snapshot, downloads: list[Download], known: Known) -> None:
        """Rows for older periods found rewritten (a re-downloaded file), read once more."""
        rewritten = known.rewritten(snapshot)
        if rewritten:
            again = parse_downloads(
                downloads,
                source=self.name,
                keep=lambda chart, period: (chart, period) in rewritten,
                rename=self.aliases.canonical,
            )
            for key in rewritten:
                snapshot.rows[key] = again.rows.get(key, [])

    def _read_folder(self, path: Path, known: Known) -> tuple[list[Download], list[SkippedFile]]:
        downloads: list[Download] = []
        skipped: list[SkippedFile] = []
        total = 0
        for candidate in sorted(path.glob("*.csv")):
            mark = fingerprint(candidate)
            before = known.skipped.get(candidate.name)
            if before is not None and before.fingerprint == mark:
                skipped.append(before)  # as it was: not tried again until it changes
                continue
            try:
                described = describe_file(candidate.name)
                if described is not None and _older(described, known):
                    continue  # older than what is stored
                body = read_file(candidate, self.config.max_size).body or b""
                total += len(body)
                if total > self.config.max_size:
                    raise FetchError(
                        f"the folder's new files are over {human_size(self.config.max_size)}"
                    )
                downloads.append(Download(chart_file(candidate.name, body), body, mark))
            except ParseError as exc:
                skipped.append(SkippedFile(candidate.name, mark, str(exc), exc.kind))
        if not downloads and not skipped:
            raise FetchError(f"no chart files (regional-…-….csv) in {path}")
        return downloads, skipped

    async def import_snapshots(
        self, *, session: aiohttp.ClientSession, target: Target
    ) -> AsyncIterator[ImportPart]:
        """A download, a folder, or the combined dataset (streamed, in batches)."""
        where = self.where(target)
        path = local_path(where, self.base_dir) if where and not is_url(where) else None
        if path is not None and path.is_file() and _head_is_combined(path):
            reader = ReadElsewhere(
                path, source=self.name, aliases=self.aliases, from_line=target.from_line
            )
            try:
                while (batch := await asyncio.to_thread(reader.next_batch)) is not None:
                    yield ImportPart(
                        batch.snapshot, batch.rows, batch.position, batch.size, batch.line
                    )
            finally:
                reader.stop()  # also when the import is cancelled while a read is under way
            return
        snapshot = await self.fetch_snapshot(session=session, validators={}, target=target)
        if isinstance(snapshot, Unchanged):  # a 304 to a plain request
            raise FetchError("the server answered 304 Not Modified")
        yield ImportPart(snapshot)


def _older(described: ChartFile, known: Known) -> bool:
    return described.period is not None and not known.keep(described.chart, described.period)


def _reasons(skipped: Sequence[SkippedFile]) -> str:
    return "; ".join(s.reason for s in skipped[:3]) + (" …" if len(skipped) > 3 else "")


def _head_is_combined(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(4096)
    return is_combined(head.decode("utf-8", "replace"))
