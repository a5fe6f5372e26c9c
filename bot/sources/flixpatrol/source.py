"""The `flixpatrol` source: one platform's daily per-country charts, from FlixPatrol's
official API (with an API key) or from its pages.

The API: every country's lists of the days after the newest stored one, in as few
requests as it allows (all countries in one answer of 300 rows, then its next pages); a
first poll back-fills `backfill_days` days as history, without alerts.

Pages: `url` is a world page or a country page (or a saved one). A world page gives the
worldwide lists by points and each country's #1s; with `countries`, the pages of those
countries for the same day (the world page links them) are read too, one at a time with
a pause, and their full lists win over the world page's #1s (they must agree at #1).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urljoin, urlparse

import aiohttp

from bot.config import PLATFORMS, FlixPatrolSourceConfig
from bot.engine.model import ChartRow
from bot.engine.source_types import ValidatorMap
from bot.engine.titles import TitleAliases
from bot.sources.base import (
    NOTHING_KNOWN,
    FetchError,
    Known,
    ParseError,
    Snapshot,
    Target,
    Unchanged,
    pieces_hash,
)
from bot.sources.configured import ConfiguredSource
from bot.sources.flixpatrol.api import (
    LIST_TYPES,
    FlixPatrolApi,
    days_wanted,
    read_row,
    requests_needed,
)
from bot.sources.flixpatrol.pages import FlixPatrolPage, PageKind, read_page
from bot.sources.flixpatrol.snapshot import combine
from bot.sources.html import page_text

log = logging.getLogger(__name__)


class FlixPatrol(ConfiguredSource):
    """The `flixpatrol` source."""

    config: FlixPatrolSourceConfig
    fixed_length = True  # a country's list keeps its length (10; Hulu's 15)

    def __init__(
        self, config: FlixPatrolSourceConfig, base_dir: Path, aliases: TitleAliases | None = None
    ) -> None:
        super().__init__(config, base_dir, aliases)
        if config.uses_api and isinstance(config.countries, list):
            self.expected_countries = frozenset(config.countries)

    @property
    def location(self) -> str | None:
        return self.config.url or (self.config.api_base if self.config.uses_api else None)

    @property
    def label(self) -> str:
        """The platform's name unless the config says otherwise."""
        if self.config.label:
            return self.config.label
        slug = self.config.platform or _platform_in(self.config.url or "")
        return PLATFORMS[slug][0] if slug in PLATFORMS else self.name

    async def fetch_snapshot(
        self,
        *,
        session: aiohttp.ClientSession,
        validators: ValidatorMap,
        known: Known = NOTHING_KNOWN,
        target: Target | None = None,
    ) -> Snapshot | Unchanged:
        location = target.location if target is not None else None
        if location is None and self.config.uses_api:
            return await self._from_api(session, known)
        location = location or self.config.url
        if location is None:
            raise FetchError("no page to read: give one (or set url, or the API's key)")
        return await self._from_pages(session, location, validators, known)

    # -- the official API ---------------------------------------------------------------------

    async def _from_api(self, session: aiohttp.ClientSession, known: Known) -> Snapshot | Unchanged:
        config = self.config
        key = config.key()
        if not key:
            raise FetchError(
                f"no API key: set api_key, or the environment variable {config.api_key_env}"
            )
        company = config.company
        assert company is not None  # checked with the config
        latest = max(known.latest.values(), default=None)
        today = datetime.now(UTC).date()
        wanted = days_wanted(
            date.fromisoformat(latest) if latest else None, today, config.backfill_days
        )
        if wanted is None:
            return Unchanged()
        first, last = wanted
        api = FlixPatrolApi(
            session,
            base=config.api_base,
            key=key,
            timeout=config.timeout,
            pause=config.pause,
            allowance=config.monthly_requests,
        )
        days = (last - first).days + 1
        await api.check_allowance(requests_needed(days, len(config.lists)))
        types = [LIST_TYPES[kind] for kind in config.lists]
        items = await api.top10s(company, first, last, types)
        rows = []
        for item in items:
            row = read_row(item)
            if isinstance(config.countries, list) and row.country not in config.countries:
                continue
            title = row.title or (await api.title(row.title_id) if row.title_id else None)
            if title is None:
                raise ParseError(f"a row of the API names no title ({row.chart} {row.country})")
            rows.append(row.chart_row(self.aliases.canonical(title)))
        if not rows:
            raise ParseError(
                f"the API has no {', '.join(config.lists)} rows from {first} to {last}"
            )
        snapshot = combine(
            [("the API", rows)],
            source=self.name,
            content_hash=pieces_hash([repr(sorted(map(_row_key, rows))).encode()]),
            keep=known.keep,
        )
        left = api.left()
        snapshot.notes.append(
            f"{api.requests} requests to FlixPatrol's API"
            + (f" ({left:,} left this month)" if left is not None else "")
        )
        return snapshot

    # -- pages ----------------------------------------------------------------------------------

    async def _from_pages(
        self, session: aiohttp.ClientSession, location: str, validators: ValidatorMap, known: Known
    ) -> Snapshot | Unchanged:
        fetched = await self.fetch_one(location, session, validators)
        if fetched.body is None:
            return Unchanged({location: fetched.validators})
        bodies = [fetched.body]
        page = await asyncio.to_thread(self._read, fetched.body, _name(location))
        pages = [page]
        new_validators = {location: fetched.validators}
        for url in self._country_pages(page, location):
            await asyncio.sleep(self.config.pause.total_seconds())
            more = await self.fetch_one(url, session, {})
            assert more.body is not None  # asked unconditionally
            country_page = await asyncio.to_thread(self._read, more.body, _name(url))
            if country_page.day != page.day:
                raise ParseError(
                    f"{_name(url)} is the chart of {country_page.day}, the world page's of "
                    f"{page.day}"
                )
            bodies.append(more.body)
            pages.append(country_page)
        body_hash = pieces_hash(bodies, self.config.model_dump_json(exclude={"api_key"}))
        if body_hash == known.content_hash:
            return Unchanged(new_validators)
        snapshot = await asyncio.to_thread(self._combine, pages, body_hash, known)
        snapshot.validators = new_validators
        return snapshot

    def _read(self, body: bytes, name: str) -> FlixPatrolPage:
        return read_page(page_text(body, name), selectors=self.config.selectors, name=name)

    def _combine(self, pages: Sequence[FlixPatrolPage], body_hash: str, known: Known) -> Snapshot:
        places = [
            (f"the {p.platform} page of {p.country or 'the world'}", self._renamed(p.rows))
            for p in pages
        ]
        snapshot = combine(places, source=self.name, content_hash=body_hash, keep=known.keep)
        for page in pages:
            snapshot.notes += page.notes
        return snapshot

    def _renamed(self, rows: list[ChartRow]) -> list[ChartRow]:
        rename = self.aliases.canonical
        for row in rows:
            row.title = rename(row.title)
        return rows

    def _country_pages(self, page: FlixPatrolPage, location: str) -> list[str]:
        """The pages of the configured countries a world page links, for the same day."""
        wanted = self.config.countries
        if page.kind is not PageKind.WORLD or not wanted:
            return []
        links = page.country_links
        codes = sorted(links) if wanted == "all" else [c for c in wanted if c in links]
        missing = [] if wanted == "all" else [c for c in wanted if c not in links]
        if missing:
            log.info("source %s: no page of %s on the world page", self.name, ", ".join(missing))
        return [urljoin(location, links[code].path) for code in codes]


def _platform_in(url: str) -> str | None:
    """The platform's slug in a FlixPatrol address: /top10/<platform>/…"""
    parts = [p for p in urlparse(url).path.split("/") if p]
    if len(parts) >= 2 and parts[0] == "top10":
        return parts[1]
    return None


def _name(location: str) -> str:
    path = urlparse(location).path
    return Path(path).name or location


def _row_key(row: ChartRow) -> tuple[str, str, str, int, str]:
    return (row.chart, row.period, row.country, row.rank, row.title)
