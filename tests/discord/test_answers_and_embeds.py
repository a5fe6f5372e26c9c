"""The pure pieces of the Discord face: ids members send, and embeds within Discord's limits."""

from __future__ import annotations

import pytest

from bot.discord.answers import parse_id
from bot.discord.embeds import status_embed
from bot.i18n import Language, texts
from bot.service.status import StatusReport
from bot.store.forecasts import CallRecord
from tests.helpers.stores import failing_source

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


@pytest.mark.parametrize("count", [1, 24, 25, 26, 60])
def test_the_status_embed_stays_within_discords_limits(count):
    sources = [failing_source(f"source-{n:02d}-{'z' * 30}") for n in range(count)]
    report = StatusReport(sources, 7, CallRecord(1_041, 1_000, 729, 727.4))
    embed = status_embed(report, EN)
    assert len(embed) <= 6000 and len(embed.fields) <= 25
    *listed, record = embed.fields  # the forecasts' record is always there, last
    assert record.name == "Forecasts"
    assert record.value == (
        "on-course calls: 1,000, came true: 729, expected from their probabilities: 727.4\n"
        "41 calls not resolved yet"
    )
    shown = [f for f in listed if f.name != "…"]
    if len(shown) < count:
        assert listed[-1].value == f"and {count - len(shown)} more sources"
