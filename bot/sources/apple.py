"""Apple Music's per-country charts: one JSON feed per country, fetched concurrently.

`.../api/v2/{country}/music/most-played/{limit}/songs.json` answers
`{"feed": {"country": "us", "updated": ..., "results": [{"name", "artistName",
"id", "url", "releaseDate", "genres"}, ...]}}`, the results in chart order.

All countries form one snapshot, dated by the feeds' `updated` day. It is
complete or it is not stored: a country that fails is tried again (with a
short backoff) and, if it still fails, the whole poll fails with the reasons,
so a flaky country can never look like every song leaving its chart. At most
`concurrency` requests are in flight to one host. Each country's ETag is sent
back; when every feed answers 304 nothing is parsed at all.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import aiohttp

from bot.config import AppleSourceConfig
from bot.engine.model import ChartRow, PeriodUnit
from bot.engine.source_types import FailureKind, ValidatorMap
from bot.engine.titles import TitleAliases
from bot.sources.base import (
    NOTHING_KNOWN,
    FetchError,
    Keep,
    Known,
    ParseError,
    Snapshot,
    SourceError,
    Target,
    Unchanged,
    content_hash,
    keep_all,
)
from bot.sources.configured import ConfiguredSource
from bot.sources.decode import decode, not_a_table
from bot.sources.fetch import Fetched

log = logging.getLogger(__name__)

RETRY_PAUSE = 0.5  # seconds before the first retry of a failed country; doubles after


def feed_results(body: bytes, country: str) -> tuple[list[dict[str, Any]], date | None]:
    """The ordered results of one country's feed, and the day it was updated."""
    text = decode(body)
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise not_a_table(text, "JSON feed") or ParseError("not JSON") from None
    feed = data.get("feed") if isinstance(data, dict) else None
    if not isinstance(feed, dict):
        raise ParseError("the JSON has no feed")
    results = feed.get("results")
    if not isinstance(results, list) or not results:
        raise ParseError("the feed has no results")
    for position, item in enumerate(results, 1):
        if not isinstance(item, dict) or not str(item.get("name") or "").strip():
            raise ParseError(f"result {position} has no name")
    served = str(feed.get("country") or country).lower()
    if served != country.lower():
        raise ParseError(f"asked for {country.upper()}, the feed is for {served.upper()}")
    return results, _updated(feed.get("updated"))


def _updated(value: Any) -> date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC).date()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value).astimezone(UTC).date()
    except (TypeError, ValueError):
        return None


def parse_feeds(
    bodies: Sequence[tuple[str, bytes]],
    *,
    source: str,
    chart: str,
    today: date,
    keep: Keep = keep_all,
    rename: Callable[[str], str] = str,
) -> Snapshot:
    """(country, body) pairs -> one snapshot for one period: the newest `updated` day."""
    parsed = []
    for country, body in bodies:
        try:
            parsed.append((country, *feed_results(body, country)))
        except ParseError as exc:
            raise exc.said_of(f"{country.upper()}: ") from None
    days = [day for _, _, day in parsed if day is not None]
    period = max(days).isoformat() if days else today.isoformat()
    snapshot = Snapshot(source=source, content_hash=content_hash(b"".join(b for _, b in bodies)))
    snapshot.units[chart] = PeriodUnit.DAY  # the feeds are updated daily
    for country, results, _ in parsed:
        for rank, item in enumerate(results, 1):
            extra = {k: str(item[k]) for k in ("id", "url", "releaseDate") if item.get(k)}
            genres = [g.get("name") for g in item.get("genres") or [] if isinstance(g, dict)]
            if genres:
                extra["genres"] = ", ".join(str(g) for g in genres if g)
            snapshot.add(
                ChartRow(
                    chart=chart,
                    period=period,
                    country=country.upper(),
                    rank=rank,
                    title=rename(str(item["name"]).strip()),
                    artist=str(item.get("artistName") or "").strip() or None,
                    extra=extra or None,
                ),
                keep,
            )
    return snapshot


class AppleMusic(ConfiguredSource):
    """The `apple_rss` source."""

    config: AppleSourceConfig

    def __init__(
        self, config: AppleSourceConfig, base_dir: Path, aliases: TitleAliases | None = None
    ) -> None:
        super().__init__(config, base_dir, aliases)
        self.expected_countries = frozenset(c.upper() for c in config.country_codes())

    def url_for(self, country: str, template: str | None = None) -> str:
        return (template or self.config.url).format(country=country, limit=self.config.limit)

    async def fetch_snapshot(
        self,
        *,
        session: aiohttp.ClientSession,
        validators: ValidatorMap,
        known: Known = NOTHING_KNOWN,
        target: Target | None = None,
    ) -> Snapshot | Unchanged:
        codes = self.config.country_codes()
        urls = {code: self.url_for(code, self.where(target)) for code in codes}
        slots = _HostSlots(self.config.concurrency)
        answers = await asyncio.gather(
            *(
                self._fetch_country(session, code, url, validators, slots)
                for code, url in urls.items()
            ),
            return_exceptions=True,
        )
        failures = [
            f"{code.upper()} ({answer})"
            for code, answer in zip(codes, answers, strict=True)
            if isinstance(answer, BaseException)
        ]
        if failures:
            raise FetchError(
                f"{len(failures)} of {len(codes)} countries failed, so nothing is stored: "
                + "; ".join(failures[:5])
                + (" …" if len(failures) > 5 else ""),
                kind=FailureKind.COUNTRIES_FAILED,
            )
        fetched: dict[str, Fetched] = dict(zip(codes, answers, strict=True))  # type: ignore[arg-type]
        new_validators = {urls[code]: f.validators for code, f in fetched.items()}
        if all(f.body is None for f in fetched.values()):
            return Unchanged(new_validators)
        unchanged = [code for code, f in fetched.items() if f.body is None]
        if unchanged:
            # Some feeds said 304, others changed: the snapshot needs every country's chart.
            again = await asyncio.gather(
                *(self._fetch_country(session, c, urls[c], {}, slots) for c in unchanged),
                return_exceptions=True,
            )
            for code, answer in zip(unchanged, again, strict=True):
                if isinstance(answer, BaseException):
                    raise FetchError(
                        f"{code.upper()} failed on a second request: {answer}",
                        kind=FailureKind.COUNTRIES_FAILED,
                    )
                fetched[code] = answer
        bodies = [(code, fetched[code].body or b"") for code in codes]
        snapshot = await asyncio.to_thread(
            parse_feeds,
            bodies,
            source=self.name,
            chart=self.config.chart,
            today=datetime.now(UTC).date(),
            keep=known.keep,
            rename=self.aliases.canonical,
        )
        if snapshot.content_hash == known.content_hash:
            return Unchanged(new_validators)
        snapshot.validators = new_validators
        return snapshot

    async def _fetch_country(
        self,
        session: aiohttp.ClientSession,
        code: str,
        url: str,
        validators: ValidatorMap,
        slots: _HostSlots,
    ) -> Fetched:
        pause = RETRY_PAUSE
        for attempt in range(self.config.retries + 1):
            try:
                async with slots.take(url):
                    fetched = await self.fetch_one(url, session, validators)
                if fetched.body is not None:
                    feed_results(fetched.body, code)  # a broken feed is a failure worth a retry
                return fetched
            except SourceError as exc:
                if attempt == self.config.retries:
                    raise
                log.debug("source %s: %s failed (%s); trying again", self.name, code, exc)
                await asyncio.sleep(pause)
                pause *= 2
        raise AssertionError("unreachable")


class _HostSlots:
    """At most `limit` requests in flight to any one host."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._hosts: dict[str, asyncio.Semaphore] = {}

    def take(self, url: str) -> asyncio.Semaphore:
        host = urlparse(url).netloc or "local"
        return self._hosts.setdefault(host, asyncio.Semaphore(self.limit))


def looks_like(head: str) -> str | None:
    """What a file's start says it is, when it is an Apple Music chart feed."""
    start = head.lstrip("\ufeff \r\n\t")
    return "an Apple Music chart feed" if start.startswith("{") and '"feed"' in start else None
