"""What is known about a source between polls: its HTTP validators, its health, the files of
its folder that were skipped. Plain values, shared by the sources, the store and the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class SourceKind(StrEnum):
    """The kinds of source a config can set up (each has its config model and its class)."""

    NETFLIX = "netflix_top10"
    SPOTIFY = "spotify_charts"
    APPLE = "apple_rss"
    TABLE = "table"
    FLIXPATROL = "flixpatrol"
    HTML = "html"


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
    kind: SourceKind
    location: str | None
    label: str


@dataclass(frozen=True, slots=True)
class Validators:
    """One URL's HTTP cache validators, sent back as If-None-Match / If-Modified-Since."""

    etag: str | None = None
    last_modified: str | None = None


ValidatorMap = dict[str, Validators]  # URL -> its validators


class FailureKind(StrEnum):
    """What kind of failure a fetch was: what a server is shown of it, and what the faces
    render from (a failure's text is for the operator: it can hold a URL, a path or part of
    a body)."""

    HTTP_STATUS = "http status"  # with the status: "HTTP 500"
    TIMED_OUT = "timed out"
    CANNOT_CONNECT = "cannot connect"
    CONNECTION_CUT = "connection cut"
    SERVER_CLOSED = "server closed"
    TOO_MANY_REDIRECTS = "too many redirects"
    FILE_NOT_FOUND = "file not found"
    TOO_LARGE = "too large"
    HTML_PAGE = "html page"
    JSON_BODY = "json body"
    EMPTY_BODY = "empty body"
    NOT_TEXT = "not text"
    CUT_OFF = "cut off"
    NO_DATE_IN_NAME = "no date in name"
    UNKNOWN_LAYOUT = "unknown layout"
    LAYOUT_CHANGED = "layout changed"
    CHALLENGE_PAGE = "challenge page"
    COUNTRIES_FAILED = "countries failed"
    ROWS_MISSING = "rows missing"
    COUNTRIES_MISSING = "countries missing"
    HISTORY_MISSING = "history missing"
    OLDER_THAN_STORED = "older than stored"
    DATED_IN_FUTURE = "dated in future"
    RACED = "raced"  # another poll stored the source's data meanwhile
    KEY_REFUSED = "key refused"
    ALLOWANCE_SPENT = "allowance spent"
    PROCESS_LOST = "process lost"
    UNEXPECTED = "unexpected"
    UNREADABLE = "unreadable"  # any other reason the data could not be read


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a poll failed: its kind, the text for the operator, and an HTTP status."""

    kind: FailureKind
    reason: str
    status: int | None = None


@dataclass(frozen=True, slots=True)
class SkippedFile:
    """A file of a watched folder that is not a chart: named, with why, and left alone until
    it changes (its fingerprint is its size and modification time)."""

    name: str
    fingerprint: str
    reason: str
    kind: FailureKind = FailureKind.UNREADABLE


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
    kind: SourceKind
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
    last_error_kind: FailureKind | None = None
    last_error_status: int | None = None  # the HTTP status, for an HTTP error

    @property
    def failure(self) -> Failure | None:
        """The last failure, as its kind and its text."""
        if self.last_error is None:
            return None
        return Failure(
            self.last_error_kind or FailureKind.UNREADABLE, self.last_error, self.last_error_status
        )
