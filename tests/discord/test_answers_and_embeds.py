"""The pure pieces of the Discord face: ids members send, and embeds within Discord's limits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.discord.answers import parse_id
from bot.discord.embeds import status_embed
from bot.engine.source_types import SourceHealth
from bot.engine.stored import SkippedFile, SourceState
from bot.i18n import Language, texts
from bot.service.status import SourceReport, StatusReport

EN = texts(Language.EN)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("42", 42),
        ("9223372036854775807", 2**63 - 1),
        ("9223372036854775808", None),  # past what SQLite keeps as an integer
        ("1" * 200, None),
        ("²", None),  # "²".isdigit() is true, and int("²") raises
        ("٣", None),  # an Arabic-Indic three: a digit to Python, not an id
        ("", None),
        ("-1", None),
        (" 7", None),
    ],
    ids=[
        "small",
        "largest",
        "too-large",
        "200-digits",
        "superscript",
        "arabic",
        "empty",
        "sign",
        "space",
    ],
)
def test_ids_members_send_are_ascii_digits_sqlite_can_hold(text, number):
    assert parse_id(text) == number


def failing(name: str) -> SourceReport:
    """A source failing with a long error and long file names skipped."""
    since = datetime(2026, 12, 1, tzinfo=UTC)
    skipped = {
        f"file-{n}-{'y' * 80}.csv": SkippedFile(f"file-{n}-{'y' * 80}.csv", "1:2", "not a chart")
        for n in range(5)
    }
    state = SourceState(
        name=name,
        kind="table",
        location=None,
        validators={},
        content_hash=None,
        status=SourceHealth.FAILING,
        failures=3,
        failing_since=since,
        last_error="HTTP 500 " + "x" * 500,
        last_error_at=since,
        last_ok_at=since,
        last_change_at=since,
        last_attempt_at=since,
        next_poll_at=since,
        notified_failing=True,
        skipped=skipped,
    )
    return SourceReport(name, True, state, "2026-11-30", since)


@pytest.mark.parametrize("count", [1, 24, 25, 26, 60])
def test_the_status_embed_stays_within_discords_limits(count):
    report = StatusReport([failing(f"source-{n:02d}-{'z' * 30}") for n in range(count)], 7)
    embed = status_embed(report, EN)
    assert len(embed) <= 6000 and len(embed.fields) <= 25
    shown = [f for f in embed.fields if f.name != "…"]
    if len(shown) < count:
        assert embed.fields[-1].value == f"and {count - len(shown)} more sources"
