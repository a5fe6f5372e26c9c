"""Keeping database work off the event loop: one Store, owned by one worker thread.

sqlite-utils is synchronous and an SQLite connection belongs to the thread
that made it, so the async side hands whole functions to this thread
(`await db.call(fn, ...)` runs `fn(store, ...)` there) and never shares the
connection.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from bot.store.store import BUSY_TIMEOUT, Store

T = TypeVar("T")


class StoreThread:
    def __init__(self, path: str | Path, busy_timeout: float = BUSY_TIMEOUT) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")
        self._store: Store | None = None

    async def open(self) -> StoreThread:
        loop = asyncio.get_running_loop()
        self._store = await loop.run_in_executor(
            self._executor,
            functools.partial(Store.open, self.path, busy_timeout=self.busy_timeout),
        )
        return self

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run fn(store, *args, **kwargs) in the store's thread."""
        if self._store is None:
            raise RuntimeError("StoreThread.open() first")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._executor, functools.partial(fn, self._store, *args, **kwargs)
        )

    async def close(self) -> None:
        if self._store is not None:
            store, self._store = self._store, None
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(self._executor, store.close)
        self._executor.shutdown(wait=True)
