"""A chart server on 127.0.0.1 that serves fixture files and fails on demand.

It runs its own event loop in a thread, so the code under test (the CLI, or a
bot with its own loop) talks to it over real loopback HTTP. Each path serves
whatever was last set for it, behaving as told:

- ``ok``: the body, with ETag / Last-Modified, and 304 to a matching
  conditional request;
- ``stall``: headers and half the body, then nothing (the client must time out);
- ``cut``: half the body, then the connection is closed (Content-Length promised more);
- ``slow``: no answer at all until the client gives up.

A route can also wait `delay` seconds before answering, and answer its first
`failures` requests with `fail_status`. `max_in_flight` records the most
requests the server was answering at once.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.helpers.loopback import LoopbackServer


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    behaviour: str = "ok"
    etag: str | None = None
    last_modified: str | None = None
    content_type: str = "text/tab-separated-values"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    failures: int = 0
    fail_status: int = 500


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    status: int


class ChartServer(LoopbackServer):
    def __init__(self) -> None:
        super().__init__()
        self.served: dict[str, Route] = {}
        self.requests: list[Seen] = []
        self.in_flight = 0
        self.max_in_flight = 0

    def routes(self, app: web.Application) -> None:
        app.router.add_route("GET", "/{path:.*}", self._handle)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def serve(self, path: str, body: bytes | str, **options: Any) -> str:
        """Serve `body` at /path from now on; returns the URL."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.served[path] = Route(body=body, **options)
        return self.url(path)

    def hits(self, path: str) -> list[Seen]:
        return [seen for seen in self.requests if seen.path == path]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return await self._answer(request)
        finally:
            self.in_flight -= 1

    async def _answer(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        route = self.served.get(path)
        headers = dict(request.headers)
        if route is None:
            self.requests.append(Seen(path, headers, 404))
            return web.Response(status=404, text="not found")
        if route.delay:
            await asyncio.sleep(route.delay)
        if route.failures > 0:
            route.failures -= 1
            self.requests.append(Seen(path, headers, route.fail_status))
            return web.Response(status=route.fail_status, text="try again later")
        if route.behaviour == "slow":
            self.requests.append(Seen(path, headers, 0))
            await self._stop.wait()
            return web.Response(status=503)
        if route.etag and request.headers.get("If-None-Match") == route.etag:
            self.requests.append(Seen(path, headers, 304))
            return web.Response(status=304, headers={"ETag": route.etag})
        self.requests.append(Seen(path, headers, route.status))
        reply_headers = {"Content-Type": route.content_type, **route.headers}
        if route.etag:
            reply_headers["ETag"] = route.etag
        if route.last_modified:
            reply_headers["Last-Modified"] = route.last_modified
        if route.behaviour == "ok":
            return web.Response(status=route.status, body=route.body, headers=reply_headers)
        response = web.StreamResponse(status=route.status, headers=reply_headers)
        response.content_length = len(route.body)
        await response.prepare(request)
        await response.write(route.body[: len(route.body) // 2])
        if route.behaviour == "stall":
            await self._stop.wait()
        else:  # cut: close the connection with half the promised body sent
            assert request.transport is not None
            request.transport.close()
        return response
