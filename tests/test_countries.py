"""Country codes, the names people type for them, and flags (bot/countries.py)."""

from __future__ import annotations

import pytest

from bot import countries


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("US", "US"),
        ("us", "US"),
        ("United States", "US"),
        ("south korea", "KR"),
        ("Korea", "KR"),
        ("UK", "GB"),
        ("Réunion", "RE"),
        ("reunion", "RE"),
        ("Czech Republic", "CZ"),
        ("narnia", None),
    ],
)
def test_country_lookup(text, code):
    assert countries.lookup(text) == code


def test_country_names_and_flags():
    assert countries.name("KR") == "South Korea"
    assert countries.name("US") == "United States"
    assert countries.flag("US") == "\U0001f1fa\U0001f1f8"
    assert countries.label("FR") == "\U0001f1eb\U0001f1f7 France"
    assert countries.search("ger")[0] == "DE"
