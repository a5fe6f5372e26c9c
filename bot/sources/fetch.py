"""Getting a chart's bytes from a URL or a local file, defensively.

One overall deadline covers connecting, headers and body, so a server that
stalls halfway through is given up on. The size limit is enforced while the
body streams in, so an oversized body is refused without being held. ETag and
Last-Modified are sent back so an unchanged file costs a 304.
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import aiohttp

from bot import __version__
from bot.engine.source_types import FailureKind, Validators
from bot.sources.base import FetchError
from bot.sources.decode import gunzip, human_size

log = logging.getLogger(__name__)

USER_AGENT = f"chartbot/{__version__} (+https://github.com/chartbot/chartbot)"
_CHUNK = 64 * 1024
NO_VALIDATORS = Validators()


@dataclass(frozen=True, slots=True)
class Fetched:
    """A body (None when the server said 304 Not Modified) and its new validators."""

    body: bytes | None
    validators: Validators


def http_session(**kwargs: Any) -> aiohttp.ClientSession:
    """The HTTP session sources fetch with, sending chartbot's User-Agent."""
    return aiohttp.ClientSession(headers={"User-Agent": USER_AGENT}, **kwargs)


def is_url(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def local_path(location: str, base_dir: Path) -> Path:
    if location.startswith("file://"):
        location = unquote(urlparse(location).path)
    path = Path(location).expanduser()
    return path if path.is_absolute() else base_dir / path


async def fetch(
    location: str,
    *,
    session: aiohttp.ClientSession | None,
    timeout: timedelta,
    max_size: int,
    validators: Validators = NO_VALIDATORS,
    base_dir: Path = Path("."),
) -> Fetched:
    """Fetch a URL (conditionally) or read a local file, within the deadline and size limit."""
    if is_url(location):
        if session is None:
            raise FetchError("no HTTP session to fetch with")
        fetched = await fetch_url(
            location, session=session, timeout=timeout, max_size=max_size, validators=validators
        )
    else:
        fetched = await asyncio.to_thread(read_file, local_path(location, base_dir), max_size)
    if fetched.body is None:
        return fetched
    return Fetched(gunzip(fetched.body, max_size), fetched.validators)


async def fetch_url(
    url: str,
    *,
    session: aiohttp.ClientSession,
    timeout: timedelta,
    max_size: int,
    validators: Validators = NO_VALIDATORS,
) -> Fetched:
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"}
    if validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    seconds = timeout.total_seconds()
    received = 0
    declared: int | None = None
    try:
        async with asyncio.timeout(seconds):
            async with session.get(
                url,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=seconds),
                allow_redirects=True,
                max_redirects=5,
            ) as response:
                if response.status == 304:
                    return Fetched(None, _validators(response, validators))
                if response.status != 200:
                    reason = response.reason or ""
                    raise FetchError(
                        f"HTTP {response.status} {reason}".strip(),
                        kind=FailureKind.HTTP_STATUS,
                        status=response.status,
                    )
                declared = response.content_length
                if declared is not None and declared > max_size:
                    raise FetchError(
                        f"the body is {human_size(declared)}, over the {human_size(max_size)} "
                        "limit",
                        kind=FailureKind.TOO_LARGE,
                    )
                chunks = []
                async for chunk in response.content.iter_chunked(_CHUNK):
                    received += len(chunk)
                    if received > max_size:
                        raise FetchError(
                            f"the body grew past the {human_size(max_size)} limit",
                            kind=FailureKind.TOO_LARGE,
                        )
                    chunks.append(chunk)
                return Fetched(b"".join(chunks), _validators(response, Validators()))
    except TimeoutError:
        got = f" ({human_size(received)} received)" if received else ""
        raise FetchError(f"timed out after {seconds:g}s{got}", kind=FailureKind.TIMED_OUT) from None
    except aiohttp.ClientPayloadError:
        of = f" of {human_size(declared)}" if declared else ""
        raise FetchError(
            f"the connection was cut mid-body after {human_size(received)}{of}",
            kind=FailureKind.CONNECTION_CUT,
        ) from None
    except aiohttp.TooManyRedirects:
        raise FetchError("too many redirects", kind=FailureKind.TOO_MANY_REDIRECTS) from None
    except aiohttp.ClientConnectorError as exc:
        raise FetchError(
            f"cannot connect to {exc.host}:{exc.port}: {exc.os_error}",
            kind=FailureKind.CANNOT_CONNECT,
        ) from None
    except aiohttp.ServerDisconnectedError:
        raise FetchError(
            "the server closed the connection before answering", kind=FailureKind.SERVER_CLOSED
        ) from None
    except aiohttp.ClientError as exc:
        raise FetchError(f"{type(exc).__name__}: {exc}") from None


def _validators(response: aiohttp.ClientResponse, fallback: Validators) -> Validators:
    return Validators(
        etag=response.headers.get("ETag") or fallback.etag,
        last_modified=response.headers.get("Last-Modified") or fallback.last_modified,
    )


def read_file(path: Path, max_size: int) -> Fetched:
    try:
        with path.open("rb") as handle:
            too_big = os.fstat(handle.fileno()).st_size > max_size
            # read(limit), not read(): the buffer is set aside at the limit's size, which
            # the allocator maps afresh and hands back whole when freed. A buffer the file's
            # size (tens of MB) may come from the heap instead and stay in the process.
            body = b"" if too_big else handle.read(max_size + 1)
    except FileNotFoundError:
        raise FetchError(f"file not found: {path}", kind=FailureKind.FILE_NOT_FOUND) from None
    except IsADirectoryError:
        raise FetchError(f"{path} is a folder, not a file") from None
    except OSError as exc:
        raise FetchError(f"cannot read {path}: {exc.strerror or exc}") from None
    if too_big or len(body) > max_size:
        raise FetchError(
            f"{path} is over the {human_size(max_size)} limit", kind=FailureKind.TOO_LARGE
        )
    return Fetched(body, Validators())
