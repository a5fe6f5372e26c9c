"""Notices are stored as their kind and values, and come back whatever was stored."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.engine.notices import (
    FileSkipped,
    PicturesRefused,
    SourceFailing,
    SourceRecovered,
    TextNotice,
    notice_from_json,
    notice_json,
)
from bot.engine.source_types import FailureKind

SINCE = datetime(2026, 12, 3, 17, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    "notice",
    [
        SourceFailing("netflix", FailureKind.HTTP_STATUS, 503, SINCE, paused=True),
        SourceFailing("netflix", None, None, SINCE, paused=False),
        FileSkipped("spotify", "régional €.csv", FailureKind.CUT_OFF),
        SourceRecovered("netflix"),
        PicturesRefused(810_000_000_000_000_077),
        TextNotice("⚠️ queued by an older chartbot"),
    ],
    ids=lambda n: n.kind.value,
)
def test_a_notice_comes_back_as_it_was_stored(notice):
    assert notice_from_json(notice_json(notice)) == notice


@pytest.mark.parametrize(
    ("stored", "back"),
    [
        (
            "⚠️ Chart source **netflix** is failing",
            TextNotice("⚠️ Chart source **netflix** is failing"),
        ),
        ('{"kind": "forecast", "title": "x"}', TextNotice("")),
        ('{"kind": "failing", "source": "netflix"}', TextNotice("")),
        (
            '{"kind": "skipped", "source": "s", "file": "f", "failure": "no such kind"}',
            TextNotice(""),
        ),
    ],
    ids=["english text", "a kind unknown here", "values missing", "a failure unknown here"],
)
def test_a_notice_that_cannot_be_read_never_stops_the_deliveries(stored, back):
    assert notice_from_json(stored) == back
