"""Keeping database work off the event loop: the writer thread, and readers beside it.

sqlite-utils is synchronous and an SQLite connection belongs to the thread that
made it, so the async side hands whole functions to a thread that owns a Store
(`await db.call(fn, ...)` runs `fn(store, ...)` there) and never shares a
connection. Polls, deliveries and settings write through the one `StoreThread`;
commands read through a `ReadPool` of read-only connections, which WAL lets
read while a poll holds the write lock, so an answer never queues behind a poll.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from bot.store.store import BUSY_TIMEOUT, Store

P = ParamSpec("P")
T = TypeVar("T")


class StoreThread:
    """The writer: one Store, owned by one worker thread."""

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

    async def call(
        self, fn: Callable[Concatenate[Store, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run fn(store, *args, **kwargs) in the store's thread."""
        store = self._store
        if store is None:
            raise RuntimeError("StoreThread.open() first")
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(
                self._executor, functools.partial(fn, store, *args, **kwargs)
            )
        except sqlite3.OperationalError as exc:
            raise store.unusable(exc) from None

    async def close(self) -> None:
        if self._store is not None:
            store, self._store = self._store, None
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(self._executor, store.close)
        self._executor.shutdown(wait=True)


class ReadPool:
    """Readers: a few threads, each with its own read-only connection to the database."""

    def __init__(
        self, path: str | Path, busy_timeout: float = BUSY_TIMEOUT, *, size: int = 2
    ) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self._local = threading.local()
        self._stores: list[Store] = []
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix="reader")

    def _store(self) -> Store:
        store: Store | None = getattr(self._local, "store", None)
        if store is None:
            store = Store.open(self.path, busy_timeout=self.busy_timeout, read_only=True)
            self._local.store = store
            with self._lock:
                self._stores.append(store)
        return store

    async def call(
        self, fn: Callable[Concatenate[Store, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run fn(store, *args, **kwargs) on a reader's connection, beside any write."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._executor, lambda: fn(self._store(), *args, **kwargs)
        )

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self._executor.shutdown, True)
        with self._lock:
            stores, self._stores = self._stores, []
        for store in stores:
            store.db.conn.close()  # made in another thread: closed once it is idle
