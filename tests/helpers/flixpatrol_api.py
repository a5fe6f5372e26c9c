"""A fake of FlixPatrol's official API (v2) on 127.0.0.1, answering with documents shaped as
the real ones are (public clients' fixtures of real answers: see the README's FlixPatrol
section): `/v2/top10s` with its bracket filters and pages of 300 rows, `/v2/quota`,
`/v2/titles/{id}`; HTTP Basic auth with the key as the user name. It can refuse the key,
answer 429s, leave titles out of the rows, and count what it was asked.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from aiohttp import web

from bot import countries
from bot.config import PLATFORMS
from tests.helpers.loopback import LoopbackServer

KEY = "aku_test_key_0123456789"
PAGE_ROWS = 300
TYPES = {"Overall": 1, "Movies": 2, "TV Shows": 3, "TV": 3, "Films": 2}


def _id(prefix: str, text: str) -> str:
    return f"{prefix}_{hashlib.sha1(text.encode()).hexdigest()[:24]}"


@dataclass
class ApiRow:
    """A row to serve: a day's rank of a title in a country (None: the world)."""

    day: date
    country: str | None
    list_type: int
    rank: int
    title: str
    previous: int = 0
    points: int = 0
    days: int | None = None


@dataclass
class Asked:
    path: str
    query: dict[str, str]
    status: int


class FakeFlixPatrol(LoopbackServer):
    def __init__(self, platform: str = "netflix") -> None:
        super().__init__()
        self.platform = platform
        self.rows: list[ApiRow] = []
        self.limit = 1000
        self.used = 0
        self.refuse_key = 0  # 401 (or 403) to every request while set
        self.rate_limited = 0  # the next requests answered 429
        self.titles_in_rows = True  # False: rows carry the title's id only
        self.asked: list[Asked] = []
        self.delay = 0.0  # seconds each answer takes, as over a network

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/v2/top10s", self._top10s)
        app.router.add_get("/v2/quota", self._quota)
        app.router.add_get("/v2/titles/{title_id}", self._title)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/v2"

    def asked_for(self, path: str) -> list[Asked]:
        return [a for a in self.asked if a.path == path]

    # -- answers ---------------------------------------------------------------------------------

    async def _refused(self, request: web.Request) -> web.Response | None:
        if self.delay:
            await asyncio.sleep(self.delay)
        self.used += 1
        expected = "Basic " + base64.b64encode(f"{KEY}:".encode()).decode()
        status = 0
        if self.refuse_key or request.headers.get("Authorization") != expected:
            status = self.refuse_key or 401
        elif self.rate_limited:
            self.rate_limited -= 1
            status = 429
        self.asked.append(Asked(request.path, dict(request.query), status or 200))
        if status == 429:
            return web.Response(status=429, headers={"Retry-After": "0.05"}, text="")
        if status:
            return web.json_response(
                {"error": {"action": "auth", "code": "unauthorized", "message": "Unauthorized"}},
                status=status,
            )
        return None

    async def _quota(self, request: web.Request) -> web.Response:
        refused = await self._refused(request)
        if refused is not None:
            return refused
        return web.json_response(
            {
                "type": "apiquota",
                "data": {
                    "used": self.used,
                    "available": self.limit - self.used,
                    "limit": self.limit,
                    "limitExtra": 0,
                    "resetAt": "2027-01-01T00:00:00Z",
                },
            }
        )

    async def _title(self, request: web.Request) -> web.Response:
        refused = await self._refused(request)
        if refused is not None:
            return refused
        wanted = request.match_info["title_id"]
        for row in self.rows:
            if _id("ttl", row.title) == wanted:
                return web.json_response({"type": "titles", "data": self._title_data(row)})
        return web.json_response(
            {"error": {"code": "notFound", "message": "Not found"}}, status=404
        )

    async def _top10s(self, request: web.Request) -> web.Response:
        refused = await self._refused(request)
        if refused is not None:
            return refused
        query = request.query
        company = PLATFORMS[self.platform][1]
        if query.get("company[eq]") != company or query.get("date[type][eq]") != "1":
            return web.json_response({"type": "list", "data": [], "links": {}})
        first = date.fromisoformat(query["date[from][gte]"])
        last = date.fromisoformat(query["date[to][lte]"])
        types = {int(t) for t in query.get("type[in]", "1,2,3").split(",")}
        found = [
            row
            for row in sorted(
                self.rows, key=lambda r: (r.day, r.list_type, r.country or "", r.rank)
            )
            if first <= row.day <= last and row.list_type in types
        ]
        start = int(query.get("starting_after[id]", "0").removeprefix("tpt_page_") or 0)
        page = found[start : start + PAGE_ROWS]
        links: dict[str, Any] = {}
        if start + PAGE_ROWS < len(found):
            more = {**query, "starting_after[id]": f"tpt_page_{start + PAGE_ROWS}"}
            links["next"] = f"{self.base}/top10s?" + "&".join(f"{k}={v}" for k, v in more.items())
        return web.json_response(
            {"links": links, "type": "list", "data": [self._item(row) for row in page]}
        )

    def _title_data(self, row: ApiRow) -> dict[str, Any]:
        return {
            "id": _id("ttl", row.title),
            "title": row.title,
            "tmdbId": int(hashlib.sha1(row.title.encode()).hexdigest()[:6], 16),
            "imdbId": int(hashlib.sha1(row.title.encode()).hexdigest()[6:12], 16),
        }

    def _item(self, row: ApiRow) -> dict[str, Any]:
        country = countries.name(row.country) if row.country else "World"
        movie = self._title_data(row) if self.titles_in_rows else {"id": _id("ttl", row.title)}
        name, company = PLATFORMS[self.platform]
        return {
            "type": "top10s",
            "data": {
                "id": _id("tpt", f"{row.day}{row.country}{row.list_type}{row.rank}"),
                "movie": {"type": "titles", "data": movie},
                "company": {"type": "companies", "data": {"id": company, "name": name}},
                "country": {
                    "type": "countries",
                    "data": {"id": _id("cnt", country), "name": country},
                },
                "type": row.list_type,
                "date": {"type": 1, "from": row.day.isoformat(), "to": row.day.isoformat()},
                "ranking": row.rank,
                "rankingLast": row.previous,
                "value": row.points or 11 - row.rank,
                "valueLast": 0,
                "daysTotal": row.days,
                "updatedAt": f"{row.day.isoformat()}T10:57:43",
            },
        }
