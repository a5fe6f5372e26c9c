"""What is known about a source between polls: its HTTP validators, its health, the files of
its folder that were skipped. Plain values, shared by the sources, the store and the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class SourceHealth(StrEnum):
    NEW = "new"  # never polled
    OK = "ok"
    FAILING = "failing"  # retried with backoff
    DISABLED = "disabled"  # paused after too many failures, until polled by hand


@dataclass(frozen=True, slots=True)
class SourceIdentity:
    """A configured source as the store keeps it: its name, kind, where it reads, and the
    name people read in alerts and /rank ("Netflix" for a FlixPatrol source)."""

    name: str
    kind: str
    location: str | None
    label: str


@dataclass(frozen=True, slots=True)
class Validators:
    """One URL's HTTP cache validators, sent back as If-None-Match / If-Modified-Since."""

    etag: str | None = None
    last_modified: str | None = None


ValidatorMap = dict[str, Validators]  # URL -> its validators


@dataclass(frozen=True, slots=True)
class SkippedFile:
    """A file of a watched folder that is not a chart: named, with why, and left alone until
    it changes (its fingerprint is its size and modification time)."""

    name: str
    fingerprint: str
    reason: str


@dataclass(frozen=True, slots=True)
class ImportMark:
    """How far an import of a big file has stored, written with each of its parts: a run
    stopped halfway resumes at `line` when the file is still the same (`fingerprint`: its
    size, modification time and a hash of its start) and the part of it already stored
    is byte for byte what was stored (`stored_hash`: of its first `position` bytes, all
    the stored lines and perhaps a little more)."""

    source: str
    file: str  # the file's absolute path
    fingerprint: str
    line: int  # the first line not stored yet
    rows: int  # rows stored before it
    at: datetime
    position: int | None = None
    stored_hash: str | None = None


@dataclass(frozen=True, slots=True)
class SourceState:
    name: str
    kind: str
    location: str | None
    validators: ValidatorMap
    content_hash: str | None
    status: SourceHealth
    failures: int
    failing_since: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    last_ok_at: datetime | None
    last_change_at: datetime | None
    last_attempt_at: datetime | None
    next_poll_at: datetime | None
    notified_failing: bool
    # The content hash of the last body stored exactly as it was: a body that only adds
    # lines to it may be read by its added lines (bot/sources/history.py).
    history_hash: str | None = None
    # Files of a watched folder that are not charts, by name.
    skipped: dict[str, SkippedFile] = field(default_factory=dict)
