"""FlixPatrol's official API (v2), as public clients of it show it shaped.

`GET {base}/top10s` with HTTP Basic auth (the key as the user name, no password) answers
`{"type": …, "data": [{"type": "top10s", "data": {...}}], "links": {"next": …}}`: each
item's `ranking`, `rankingLast` (0: new), `value` (points), `daysTotal`, `date` ({"type": 1,
"from", "to"} for a day), `type` (1 overall, 2 movies, 3 TV shows) and the linked `movie`,
`company` and `country` as `{"type": …, "data": {"id": …, …}}`. Filters are `field[op]=`
(`company[eq]`, `type[in]=2,3`, `date[type][eq]=1`, `date[from][gte]`, `date[to][lte]`);
an answer holds 300 rows at most and `links.next` names the next page. `GET {base}/quota`
says how much of the month's allowance is used. (Sources: the README's FlixPatrol section.)

One request at a time, a pause between two; a 429 is waited out; a refused key (401,
403) stops the source; the month's allowance is checked before a poll and counted as it
goes, and a poll that would run past it is stopped before it does.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import aiohttp

from bot import countries
from bot.engine.model import WORLDWIDE, ChartRow
from bot.engine.source_types import FailureKind
from bot.sources.base import FetchError, ParseError
from bot.sources.fetch import USER_AGENT

log = logging.getLogger(__name__)

PAGE_ROWS = 300  # the most rows one answer holds
LIST_TYPES = {"overall": 1, "movies": 2, "tv": 3}
CHART_OF_TYPE = {1: "Overall", 2: "Movies", 3: "TV Shows"}
DAILY = 1  # date[type]: a day
RATE_LIMIT_TRIES = 4
RATE_LIMIT_WAIT = 5.0  # seconds, doubling, when a 429 says no Retry-After
RESERVE = 5  # requests of the allowance never spent (a poll by hand still fits)
WORLD_NAMES = {"world", "worldwide", "global"}


class KeyRefused(FetchError):
    """FlixPatrol refused the API key (401, 403): polling again cannot help."""

    stops_source = True
    default_kind = FailureKind.KEY_REFUSED


class AllowanceSpent(FetchError):
    """The month's API allowance would run out: not asked, until it resets."""

    default_kind = FailureKind.ALLOWANCE_SPENT


@dataclass(frozen=True, slots=True)
class Quota:
    used: int
    limit: int  # the plan's allowance and any extra
    resets: str | None  # when, as FlixPatrol says it


@dataclass(slots=True)
class FlixPatrolApi:
    """A client of the API for one poll: it counts what it asks."""

    session: aiohttp.ClientSession
    base: str
    key: str
    timeout: timedelta
    pause: timedelta
    allowance: int
    requests: int = 0
    quota: Quota | None = None
    _titles: dict[str, str] = field(default_factory=dict)

    async def check_allowance(self, needed: int) -> Quota | None:
        """How much of the month's allowance is left, from FlixPatrol itself; stop before a
        poll of `needed` requests that would spend it."""
        try:
            answer = await self.get("quota", {})
        except FetchError as exc:
            if isinstance(exc, KeyRefused):
                raise
            log.info("the API's quota could not be read (%s): counting on our own", exc)
            return None
        data = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(data, dict) or not isinstance(data.get("used"), int):
            return None
        limit = int(data.get("limit") or self.allowance) + int(data.get("limitExtra") or 0)
        self.quota = Quota(int(data["used"]), min(limit, self.allowance), data.get("resetAt"))
        left = self.quota.limit - self.quota.used - RESERVE
        if left < needed:
            resets = f", it resets {self.quota.resets}" if self.quota.resets else ""
            raise AllowanceSpent(
                f"the API's monthly allowance is nearly spent ({self.quota.used:,} of "
                f"{self.quota.limit:,} requests used{resets}); this poll needs about {needed}: "
                "not asked"
            )
        return self.quota

    def left(self) -> int | None:
        """Requests left this month, as far as this poll knows."""
        if self.quota is None:
            return None
        return self.quota.limit - self.quota.used - self.requests

    async def top10s(
        self, company: str, first: date, last: date, types: list[int]
    ) -> list[dict[str, Any]]:
        """Every daily top-10 row of a platform from `first` to `last`, all countries, all
        pages (each answer holds 300 rows at most)."""
        params = {
            "company[eq]": company,
            "date[type][eq]": str(DAILY),
            "date[from][gte]": first.isoformat(),
            "date[to][lte]": last.isoformat(),
            "type[in]": ",".join(map(str, types)),
        }
        rows: list[dict[str, Any]] = []
        answer = await self.get("top10s", params)
        while True:
            items = answer.get("data") if isinstance(answer, dict) else None
            if not isinstance(items, list):
                raise ParseError("the API's answer has no list of rows (“data”)")
            rows += items
            following = (answer.get("links") or {}).get("next")
            if not following:
                return rows
            answer = await self.get_url(str(following))

    async def title(self, title_id: str) -> str:
        """A title's name, when a row carries only its id (asked once per title)."""
        if title_id not in self._titles:
            answer = await self.get(f"titles/{title_id}", {})
            data = _data(answer)
            name = str(data.get("title") or "").strip()
            if not name:
                raise ParseError(f"the API names no title for {title_id}")
            self._titles[title_id] = name
        return self._titles[title_id]

    async def get(self, path: str, params: dict[str, str]) -> Any:
        url = f"{self.base.rstrip('/')}/{path}"
        if params:
            url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
        return await self.get_url(url)

    async def get_url(self, url: str) -> Any:
        """One request (after the pause), 429s waited out; the answer's JSON."""
        wait = RATE_LIMIT_WAIT
        for attempt in range(1, RATE_LIMIT_TRIES + 1):
            if self.quota is not None and self.left() is not None and (self.left() or 0) <= 0:
                raise AllowanceSpent("the API's monthly allowance is spent: stopped mid-poll")
            if self.requests:
                await asyncio.sleep(self.pause.total_seconds())
            self.requests += 1
            status, body, retry_after = await self._request(url)
            if status == 429 and attempt < RATE_LIMIT_TRIES:
                delay = retry_after if retry_after is not None else wait
                log.info("FlixPatrol's API asked to slow down: waiting %.0fs", delay)
                await asyncio.sleep(delay)
                wait *= 2
                continue
            return _answer(status, body)
        raise AssertionError("unreachable")

    async def _request(self, url: str) -> tuple[int, bytes, float | None]:
        token = base64.b64encode(f"{self.key}:".encode()).decode()
        headers = {
            "Authorization": f"Basic {token}",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        seconds = self.timeout.total_seconds()
        try:
            async with asyncio.timeout(seconds):
                async with self.session.get(url, headers=headers) as response:
                    body = await response.read()
                    return response.status, body, _retry_after(response)
        except TimeoutError:
            raise FetchError(
                f"FlixPatrol's API timed out after {seconds:g}s", kind=FailureKind.TIMED_OUT
            ) from None
        except aiohttp.ClientError as exc:
            raise FetchError(
                f"cannot reach FlixPatrol's API: {type(exc).__name__}",
                kind=FailureKind.CANNOT_CONNECT,
            ) from None


def _retry_after(response: aiohttp.ClientResponse) -> float | None:
    try:
        return float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None


def _answer(status: int, body: bytes) -> Any:
    if status in (401, 403):
        raise KeyRefused(f"the API key was refused (HTTP {status})", status=status)
    if status == 429:
        raise FetchError(
            "HTTP 429: FlixPatrol's API kept asking to slow down",
            kind=FailureKind.HTTP_STATUS,
            status=429,
        )
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        if status != 200:
            raise FetchError(
                f"HTTP {status} from FlixPatrol's API", kind=FailureKind.HTTP_STATUS, status=status
            ) from None
        raise ParseError("the API's answer is not JSON") from None
    if status != 200:
        said = data.get("error", {}).get("message") if isinstance(data, dict) else None
        raise FetchError(
            f"HTTP {status} from FlixPatrol's API" + (f": {said}" if said else ""),
            kind=FailureKind.HTTP_STATUS,
            status=status,
        )
    return data


def _data(item: Any) -> dict[str, Any]:
    """A `{"type": …, "data": {...}}` wrapper's fields (or the item, when flat)."""
    inner = item.get("data") if isinstance(item, dict) else None
    return inner if isinstance(inner, dict) else item if isinstance(item, dict) else {}


@dataclass(frozen=True, slots=True)
class ApiRow:
    """One top-10 row of the API, before its title is known by name when it lacks one."""

    chart: str
    period: str
    country: str
    rank: int
    title: str | None
    title_id: str | None
    extra: dict[str, Any]
    days: int | None

    def chart_row(self, title: str) -> ChartRow:
        return ChartRow(
            self.chart,
            self.period,
            self.country,
            self.rank,
            title,
            weeks=self.days,
            extra=self.extra or None,
        )


def read_row(item: Any) -> ApiRow:
    """One item of `/top10s`, checked; ParseError names what is missing."""
    data = _data(item)
    when = _data(data.get("date"))
    if when.get("type") != DAILY or not isinstance(when.get("from"), str):
        raise ParseError(f"a row of the API is not a day's ({data.get('id')}): {when}")
    kind = data.get("type")
    if kind not in CHART_OF_TYPE:
        raise ParseError(f"a row of the API has an unknown list type {kind!r}")
    rank = data.get("ranking")
    if not isinstance(rank, int) or not 1 <= rank <= 100:
        raise ParseError(f"a row of the API has no ranking ({data.get('id')})")
    place = _data(data.get("country"))
    name = str(place.get("name") or place.get("code") or "").strip()
    chart = CHART_OF_TYPE[kind]
    if name.casefold() in WORLD_NAMES:
        code, chart = WORLDWIDE, f"{chart} worldwide"
    else:
        found = countries.lookup(str(place.get("code") or "")) or countries.lookup(name)
        if found is None:
            raise ParseError(f"a row of the API names an unknown country {name!r}")
        code = found
    movie = _data(data.get("movie"))
    extra = {
        key: value
        for key, value in (
            ("flixpatrol_id", movie.get("id")),
            ("points", data.get("value")),
            ("previous_rank", data.get("rankingLast") or None),
            ("tmdb", movie.get("tmdbId")),
            ("imdb", movie.get("imdbId")),
        )
        if value is not None
    }
    days = data.get("daysTotal")
    return ApiRow(
        chart=chart,
        period=str(when["from"])[:10],
        country=code,
        rank=rank,
        title=str(movie.get("title") or "").strip() or None,
        title_id=str(movie["id"]) if movie.get("id") else None,
        extra=extra,
        days=days if isinstance(days, int) else None,
    )


def days_wanted(latest: date | None, today: date, backfill: int) -> tuple[date, date] | None:
    """The days to ask for: after the newest stored one, up to today; on a first poll the
    last `backfill` days too (stored as history, without alerts). None: nothing new."""
    first = latest + timedelta(days=1) if latest else today - timedelta(days=backfill)
    return (first, today) if first <= today else None


def requests_needed(days: int, lists: int, countries_count: int = 100) -> int:
    """About how many requests a poll of these days takes (300 rows an answer)."""
    rows = days * lists * countries_count * 10
    return -(-rows // PAGE_ROWS) + 1  # and the quota
