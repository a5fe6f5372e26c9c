"""The combined dataset read in a process of its own, beside the import that stores it.

Reading the CSV (fields, songs, each row's hash and extras) is about half of what an
import does in Python; in the importing process it takes turns with storing (an
interpreter runs one thread at a time), in a child process it runs on another core. The
child writes parcels (`Parcel`: batches with their rows packed, small to pickle) to its
stdout; the importer stores them as they come. A pipe holds little, so the child is at
most a parcel ahead and memory stays bounded. A broken file is said as it would be
read in-process; the child stops when the import does (it is killed, at any moment: Ctrl-C
included) or dies (its next write finds nobody reading).
"""

from __future__ import annotations

import codecs
import io
import os
import pickle
import signal
import subprocess
import sys
import threading
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path

from bot import children
from bot.engine.source_types import FailureKind
from bot.engine.titles import TitleAliases
from bot.sources.base import ParseError, SourceError
from bot.sources.spotify.combined import Batch, Parcel, combined_parcels


@dataclass(frozen=True, slots=True)
class _Job:
    path: Path
    source: str
    aliases: TitleAliases
    from_line: int


@dataclass(frozen=True, slots=True)
class _Failed:
    reason: str
    kind: FailureKind = FailureKind.UNREADABLE


@dataclass(frozen=True, slots=True)
class _Done:
    """The file was read to its end."""


class ReadElsewhere:
    """The combined dataset at `path` in batches, as `combined_batches` reads it, read by a
    child process. `next_batch` blocks (call it in a thread); `stop` may be called from
    any thread at any moment, a read under way included: it ends the child, and the read
    waiting on it returns None."""

    def __init__(
        self, path: Path, *, source: str, aliases: TitleAliases, from_line: int = 0
    ) -> None:
        self.path = path
        self._child = subprocess.Popen(  # -c, not -m: the parcels' classes are this module's
            children.command("-c", "from bot.sources.spotify.reader import main; main()"),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=children.environment(),
            process_group=children.OWN_GROUP,
        )
        self._reading = threading.Lock()  # held while a batch is read
        self._ended = False
        self._stopped = False
        assert self._child.stdin is not None
        try:
            with self._child.stdin:
                pickle.dump(_Job(path, source, aliases, from_line), self._child.stdin)
        except OSError:  # it died at once: say so, and leave nothing behind
            self.stop()
            raise SourceError(
                f"{path.name}: the process reading it stopped as it started "
                f"(exit code {self._child.returncode})"
            ) from None

    def next_batch(self) -> Batch | None:
        """The next batch; None at the end of the file, or once stopped."""
        with self._reading:
            if self._ended:
                return None
            assert self._child.stdout is not None
            try:
                said = pickle.load(self._child.stdout)
            except (EOFError, pickle.UnpicklingError, ValueError, OSError):
                self._ended = True  # the child is gone (ValueError: its pipe closed by stop)
                if self._stopped:
                    return None
                raise SourceError(
                    f"{self.path.name}: the process reading it stopped "
                    f"(exit code {self._child.wait()})"
                ) from None
            if isinstance(said, _Done):
                self._ended = True
                return None
            if isinstance(said, _Failed):
                self._ended = True
                raise ParseError(said.reason, kind=said.kind)
            return said.batch()

    def stop(self) -> None:
        """End the child (if it is still reading) and wait for it."""
        self._stopped = True
        if self._child.poll() is None:
            self._child.kill()  # a read waiting on it ends at once
        with self._reading:
            self._ended = True
            if self._child.stdout is not None:
                self._child.stdout.close()
        self._child.wait()


def main() -> None:
    """The child: read the job from stdin, write parcels and then how it ended to stdout."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the import's to handle
    job: _Job = pickle.load(sys.stdin.buffer)
    out = sys.stdout.buffer
    try:
        said: _Failed | _Done = _Done()
        try:
            for parcel in _parcels(job):
                pickle.dump(parcel, out, protocol=pickle.HIGHEST_PROTOCOL)
                out.flush()
        except ParseError as exc:
            said = _Failed(str(exc), exc.kind)
        except UnicodeDecodeError:
            said = _Failed(
                f"{job.path.name}: line {_first_undecodable_line(job.path):,} is not UTF-8 "
                "text (save the file as UTF-8)",
                FailureKind.NOT_TEXT,
            )
        except OSError as exc:
            said = _Failed(f"{job.path.name}: {exc}")
        pickle.dump(said, out)
        out.flush()
    except BrokenPipeError:  # the import is gone
        os._exit(1)


def _parcels(job: _Job) -> Generator[Parcel]:
    size = job.path.stat().st_size
    with (
        job.path.open("rb") as raw,
        io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text,
    ):
        yield from combined_parcels(
            text,
            source=job.source,
            name=job.path.name,
            rename=job.aliases.canonical,
            position=raw.tell,
            size=size,
            from_line=job.from_line,
        )


def _first_undecodable_line(path: Path) -> int:
    """The line of the file's first byte that is not UTF-8 (the text reader decodes in
    chunks, so where it failed says little)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with path.open("rb") as raw:
        while chunk := raw.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return line + chunk.count(b"\n", 0, exc.start)
            line += chunk.count(b"\n")
    return line
