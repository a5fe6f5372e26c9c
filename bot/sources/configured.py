"""What every kind of source shares: its config, where its relative paths start, the
config's title merges, and fetching one of its URLs within its limits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import ClassVar

import aiohttp

from bot.bulk import collector_paused
from bot.config.file_sources import SourceBase
from bot.engine.source_types import SourceIdentity, SourceKind, ValidatorMap, Validators
from bot.engine.titles import TitleAliases
from bot.sources.base import (
    NOTHING_KNOWN,
    ImportPart,
    Keep,
    Known,
    Snapshot,
    SourceError,
    Target,
    Unchanged,
    content_hash,
)
from bot.sources.fetch import Fetched, fetch

Parse = Callable[[bytes, str, Keep], Snapshot]  # (body, its hash, which rows to keep)


def parse_complete(parse: Parse, body: bytes, body_hash: str, known: Known) -> Snapshot:
    """The body's snapshot with rows for every period the commit will write: the newest
    stored period on, and any older one the source has rewritten (read once more)."""
    with collector_paused():
        snapshot = parse(body, body_hash, known.keep)
        rewritten = known.rewritten(snapshot)
        if rewritten:
            again = parse(body, body_hash, lambda chart, period: (chart, period) in rewritten)
            for key in rewritten:
                snapshot.rows[key] = again.rows.get(key, [])
    return snapshot


class ConfiguredSource:
    fixed_length: ClassVar[bool] = False
    whole_history: ClassVar[bool] = False  # every file carries every period (Netflix's)

    def __init__(
        self, config: SourceBase, base_dir: Path, aliases: TitleAliases | None = None
    ) -> None:
        self.config = config
        self.base_dir = base_dir
        self.aliases = aliases or TitleAliases()
        # The countries a source is configured to carry (None: whatever the file holds).
        self.expected_countries: frozenset[str] | None = None

    @property
    def name(self) -> str:
        return str(self.config.name)

    @property
    def location(self) -> str | None:
        return self.config.url

    @property
    def label(self) -> str:
        """The name people read for the source: the config's label, else its name."""
        return str(self.config.label or self.config.name)

    @property
    def identity(self) -> SourceIdentity:
        return SourceIdentity(self.name, SourceKind(self.config.kind), self.location, self.label)

    def where(self, target: Target | None) -> str | None:
        """The location to read: the import's, or the configured one."""
        return (target.location if target else None) or self.location

    async def fetch_snapshot(
        self,
        *,
        session: aiohttp.ClientSession,
        validators: ValidatorMap,
        known: Known = NOTHING_KNOWN,
        target: Target | None = None,
    ) -> Snapshot | Unchanged:
        raise NotImplementedError

    async def import_snapshots(
        self, *, session: aiohttp.ClientSession, target: Target
    ) -> AsyncIterator[ImportPart]:
        """One snapshot of the target, read as it is (no validators, nothing known)."""
        if target.period is not None:
            raise SourceError(
                f"--period does not apply to a {self.config.kind} source: its files carry dates"
            )
        snapshot = await self.fetch_snapshot(session=session, validators={}, target=target)
        if isinstance(snapshot, Unchanged):  # a 304 to a plain request
            raise SourceError("the server answered 304 Not Modified")
        yield ImportPart(snapshot)

    async def fetch_parsed(
        self,
        url: str,
        session: aiohttp.ClientSession,
        validators: ValidatorMap,
        known: Known,
        parse: Parse,
        salt: object = None,
    ) -> Snapshot | Unchanged:
        """One body, parsed in a worker thread unless it is what was stored last time.

        `salt` is whatever besides the bytes changes what the body means (a charts filter,
        a column mapping); the parser is handed the body and its hash with that salt.
        """
        fetched = await self.fetch_one(url, session, validators)
        if fetched.body is None:
            return Unchanged({url: fetched.validators})
        body_hash = content_hash(fetched.body, salt)
        if body_hash == known.content_hash:
            return Unchanged({url: fetched.validators})
        snapshot = await asyncio.to_thread(parse_complete, parse, fetched.body, body_hash, known)
        snapshot.validators = {url: fetched.validators}
        return snapshot

    async def fetch_one(
        self, url: str, session: aiohttp.ClientSession, validators: ValidatorMap
    ) -> Fetched:
        """One URL (or path), conditionally, within the source's deadline and size limit."""
        return await fetch(
            url,
            session=session,
            timeout=self.config.timeout,
            max_size=self.config.max_size,
            validators=validators.get(url, Validators()),
            base_dir=self.base_dir,
        )
