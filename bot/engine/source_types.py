"""The words a source is described in: its kind, its health, its identity, its HTTP
validators and what kind of failure a poll was. Plain values, shared by the sources, the
store and the faces (what the store keeps of a source is bot/engine/stored.py SourceState)."""

from __future__ import annotations

from dataclasses import dataclass
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
