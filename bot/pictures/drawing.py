"""Pictures drawn in processes of their own.

matplotlib holds the interpreter while it draws (a map takes about 0.15 s) and grows a
process by about 70 MB (itself, its fonts, the shapes, its caches). Drawn in the bot's own
process, a round of maps in many languages delayed the messages going out beside them,
and the memory stayed. So the bot draws in child processes (`python -I -m
bot.pictures.drawing`, without the Discord token), started on first use, two at most (one
a core). A child is replaced once its peak memory passes MAX_CHILD_MB (or, as a backstop,
after DRAWINGS_PER_PROCESS pictures): matplotlib's caches grow a child by about 20 MB over
its first few dozen pictures, then it stays flat (measured over 1,200 maps and histories in
8 languages). Replacing every child after 200 pictures gained nothing and made the
slowest /rank pictures: the ones drawn while a fresh child imported matplotlib. A child
that dies or takes longer than DRAW_TIMEOUT is stopped: that picture is None (the alert
or the answer goes without it) and the next one starts a fresh child.

The parent and a child speak in frames: a 4-byte length, then a pickle (a `MapPicture` or
`HistoryPicture` one way; the other, PNG bytes or None and the child's peak memory in MB).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import pickle
import struct
import sys
from collections.abc import Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from bot import children
from bot.engine.standings import ChartStanding
from bot.i18n import texts
from bot.languages import Language

log = logging.getLogger(__name__)

PROCESSES = 2  # pictures drawn at once: one a core
MAX_CHILD_MB = 300  # a child past this peak memory is replaced (in the background)
DRAWINGS_PER_PROCESS = 20_000  # a backstop: then the child is replaced all the same
DRAW_TIMEOUT = 20.0  # seconds: a picture that takes longer is given up
_LENGTH = struct.Struct(">I")


@dataclass(frozen=True, slots=True)
class MapPicture:
    """The world map of where a title stands (bot/pictures/worldmap.py)."""

    title: str
    chart: str
    period: str
    ranks: Mapping[str, int]
    depth: int
    language: Language


@dataclass(frozen=True, slots=True)
class HistoryPicture:
    """The rank history of a title on one chart (bot/pictures/rank_history.py)."""

    standing: ChartStanding
    title: str
    markets: Sequence[str] = field(default_factory=tuple)
    language: Language = Language.EN


Picture = MapPicture | HistoryPicture


def draw(picture: Picture) -> bytes | None:
    """The PNG of a picture, drawn here (in a child, or in a test)."""
    from bot.pictures import worldmap
    from bot.pictures.rank_history import rank_history_png

    t = texts(picture.language)
    if isinstance(picture, MapPicture):
        if not worldmap.drawable(picture.ranks):
            return None  # it charts nowhere the map shows
        return worldmap.world_map_png(
            title=picture.title,
            chart=picture.chart,
            period=picture.period,
            ranks=picture.ranks,
            depth=picture.depth,
            t=t,
        )
    return rank_history_png(picture.standing, picture.title, picture.markets, t)


class _Child:
    """One drawing process and how many pictures it has drawn."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.drawn = 0
        self.peak_mb = 0  # its peak memory, as it said with its last picture

    @classmethod
    async def start(cls) -> _Child:
        process = await asyncio.create_subprocess_exec(
            *children.command("-m", "bot.pictures.drawing"),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env=children.environment(),
            process_group=children.OWN_GROUP,
        )
        return cls(process)

    async def draw(self, picture: Picture) -> bytes | None:
        assert self.process.stdin is not None and self.process.stdout is not None
        body = pickle.dumps(picture)
        self.process.stdin.write(_LENGTH.pack(len(body)) + body)
        await self.process.stdin.drain()
        (length,) = _LENGTH.unpack(await self.process.stdout.readexactly(_LENGTH.size))
        answer: bytes | None
        answer, self.peak_mb = pickle.loads(await self.process.stdout.readexactly(length))
        self.drawn += 1
        return answer

    async def stop(self) -> None:
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
        await self.process.wait()


class Drawings:
    """The bot's drawing processes: `await drawings.png(picture)` from anywhere on the loop."""

    def __init__(
        self,
        processes: int = PROCESSES,
        *,
        per_process: int = DRAWINGS_PER_PROCESS,
        max_mb: int = MAX_CHILD_MB,
        timeout: float = DRAW_TIMEOUT,
    ) -> None:
        self.per_process = per_process
        self.max_mb = max_mb
        self.timeout = timeout
        self._idle: asyncio.Queue[_Child | None] = asyncio.Queue()
        self._replacing: set[asyncio.Future[None]] = set()  # starts and stops in the background
        self._running: set[_Child] = set()
        self._closed = False
        for _ in range(processes):
            self._idle.put_nowait(None)  # a slot, its child started on first use

    async def png(self, picture: Picture) -> bytes | None:
        """The picture's PNG; None when it could not be drawn (logged), or once closed."""
        if self._closed:
            return None
        child = await self._idle.get()
        try:
            if child is None:
                child = await self._start()
            return await asyncio.wait_for(child.draw(picture), self.timeout)
        except (OSError, EOFError, asyncio.IncompleteReadError, TimeoutError, pickle.PickleError):
            log.warning(
                "a drawing process failed (%s): a fresh one draws the next picture",
                type(picture).__name__,
                exc_info=True,
            )
            await self._discard(child)
            child = None
            return None
        except BaseException:
            # Cancelled (or worse) halfway: the child's answer may be on its way, and the
            # next picture must not read it. It goes; the next picture starts a fresh one.
            await self._discard(child)
            child = None
            raise
        finally:
            if child is not None and (
                child.drawn >= self.per_process or child.peak_mb >= self.max_mb
            ):
                # Replaced off the path of any picture: the other process draws meanwhile.
                self._in_background(self._replace(child))
            else:
                self._idle.put_nowait(child)

    async def _discard(self, child: _Child | None) -> None:
        if child is not None:
            await asyncio.shield(self._stop(child))

    async def _replace(self, child: _Child) -> None:
        fresh: _Child | None = None
        try:
            await self._stop(child)
            if not self._closed:
                fresh = await self._start()
        except OSError:
            log.warning("could not start a drawing process", exc_info=True)
        finally:
            self._idle.put_nowait(fresh)  # the slot is back, a child in it or to start

    def warm(self) -> None:
        """Start one drawing process ahead of the first picture (a start takes a second or
        two: matplotlib's import), off the path of any answer."""
        self._in_background(self._warm())

    def _in_background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(work)
        self._replacing.add(task)
        task.add_done_callback(self._replacing.discard)

    async def _warm(self) -> None:
        child = await self._idle.get()
        try:
            if child is None:
                child = await self._start()
        except OSError:
            log.warning("could not start a drawing process", exc_info=True)
        finally:
            self._idle.put_nowait(child)

    def pids(self) -> set[int]:
        """The drawing processes running, by their pids."""
        return {child.process.pid for child in self._running}

    async def _start(self) -> _Child:
        child = await _Child.start()
        self._running.add(child)
        if self._closed:  # closed while it started
            await self._stop(child)
            raise OSError("the drawing processes are closed")
        return child

    async def _stop(self, child: _Child) -> None:
        self._running.discard(child)
        await child.stop()

    def idle(self) -> int:
        """Slots with no picture on its way (a child waiting, or one to start)."""
        return self._idle.qsize()

    async def settle(self) -> None:
        """Wait for the starts and stops under way in the background."""
        if self._replacing:
            await asyncio.gather(*self._replacing, return_exceptions=True)

    async def close(self) -> None:
        """Stop every child (the bot is stopping); no picture is drawn after this."""
        self._closed = True
        await self.settle()
        for child in list(self._running):
            await self._stop(child)


def _ready() -> None:
    """A child's start: matplotlib imported, the shapes and the fonts' coverage read, and
    all of it set aside from the garbage collector (`gc.freeze`). Otherwise a full
    collection walks matplotlib's hundreds of thousands of objects in the middle of a
    picture now and then: about 90 ms, the slowest tenth of the pictures."""
    import gc

    from bot.pictures import style, worldmap

    style.warm_up()
    style.fonts_for(["#1"])
    worldmap.prepare()
    gc.collect()
    gc.freeze()


def _peak_mb() -> int:
    """This process's peak resident memory in MB, from /proc (0 where there is none: then
    only DRAWINGS_PER_PROCESS replaces a child). Not getrusage's ru_maxrss: Linux carries
    it over an exec, so a child started by a bot that once peaked past MAX_CHILD_MB would
    say so and be replaced after every picture."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024  # kB
    except (OSError, ValueError):
        pass
    return 0


def _serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    """A child's loop: a picture in, its PNG (or None, the error logged) out, until the
    parent closes the pipe."""
    while head := requests.read(_LENGTH.size):
        (length,) = _LENGTH.unpack(head)
        picture: Picture = pickle.loads(requests.read(length))
        try:
            drawn = draw(picture)
        except Exception:
            log.exception("could not draw a %s", type(picture).__name__)
            drawn = None
        body = pickle.dumps((drawn, _peak_mb()))
        answers.write(_LENGTH.pack(len(body)) + body)
        answers.flush()


if __name__ == "__main__":
    # Run as the module the pictures were pickled from (not as __main__: a MapPicture
    # unpickled here is bot.pictures.drawing's own).
    from bot.pictures import drawing

    logging.basicConfig(level=logging.WARNING, format="drawing: %(levelname)s %(message)s")
    try:
        drawing._ready()
    except Exception:  # a picture that needs what failed says so when it is drawn
        drawing.log.exception("could not get ready to draw")
    drawing._serve(sys.stdin.buffer, sys.stdout.buffer)
