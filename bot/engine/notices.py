"""Notices: messages about chartbot itself (a source failing, a file skipped, maps turned
off) for a server's alert channel. Stored as their kind and values, not as text, so that
each is said at delivery in the language the server has then (bot/alerts/notices.py)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.engine.source_types import FailureKind


class NoticeKind(StrEnum):
    FAILING = "failing"
    SKIPPED = "skipped"
    RECOVERED = "recovered"
    PICTURES_REFUSED = "pictures_refused"
    TEXT = "text"  # queued as finished English text by a chartbot before languages


@dataclass(frozen=True, slots=True)
class SourceFailing:
    source: str
    failure: FailureKind | None
    status: int | None  # the HTTP status of an HTTP_STATUS failure
    since: datetime
    paused: bool  # paused until polled by hand, rather than retried
    kind = NoticeKind.FAILING


@dataclass(frozen=True, slots=True)
class FileSkipped:
    source: str
    file: str
    failure: FailureKind
    kind = NoticeKind.SKIPPED


@dataclass(frozen=True, slots=True)
class SourceRecovered:
    source: str
    kind = NoticeKind.RECOVERED


@dataclass(frozen=True, slots=True)
class PicturesRefused:
    channel_id: int
    kind = NoticeKind.PICTURES_REFUSED


@dataclass(frozen=True, slots=True)
class TextNotice:
    text: str
    kind = NoticeKind.TEXT


Notice = SourceFailing | FileSkipped | SourceRecovered | PicturesRefused | TextNotice


def notice_json(notice: Notice) -> str:
    """What is stored: '{"kind": "failing", "source": …}'."""
    values = asdict(notice)
    if isinstance(notice, SourceFailing):
        values["since"] = notice.since.isoformat()
    return json.dumps({"kind": notice.kind.value, **values}, ensure_ascii=False)


def notice_from_json(text: str) -> Notice:
    """A stored notice back; text that is not a stored notice is a finished one (queued
    before notices were stored as values). One of a kind this chartbot does not know (a
    newer chartbot's) is said as nothing: it must not stop the deliveries beside it."""
    try:
        data = json.loads(text)
    except ValueError:
        return TextNotice(text)
    if not isinstance(data, dict):
        return TextNotice(text)
    try:
        return _notice(NoticeKind(data.pop("kind")), data)
    except (ValueError, TypeError, KeyError):
        return TextNotice("")


def _notice(kind: NoticeKind, data: dict[str, Any]) -> Notice:
    match kind:
        case NoticeKind.FAILING:
            failure = data["failure"]
            return SourceFailing(
                data["source"],
                FailureKind(failure) if failure else None,
                data["status"],
                datetime.fromisoformat(data["since"]),
                data["paused"],
            )
        case NoticeKind.SKIPPED:
            return FileSkipped(data["source"], data["file"], FailureKind(data["failure"]))
        case NoticeKind.RECOVERED:
            return SourceRecovered(data["source"])
        case NoticeKind.PICTURES_REFUSED:
            return PicturesRefused(data["channel_id"])
    return TextNotice(data["text"])
