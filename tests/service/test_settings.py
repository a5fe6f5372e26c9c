"""A server's settings: what admins type read as markets and charts, changes applied on
top of the defaults declared once from the config."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import utcnow
from bot.config import config_from_dict
from bot.engine.model import ChartRow, PeriodSummary
from bot.languages import Language
from bot.service.settings import (
    ServerDefaults,
    SettingError,
    SettingProblem,
    SettingsChange,
    change_settings,
    parse_charts,
    parse_markets,
    server_settings,
)

DEFAULTS = ServerDefaults(min_countries=10, watched_markets=("US",), milestones=True, pictures=True)
GUILD, ADMIN = 1, 2


@pytest.mark.parametrize(
    ("typed", "markets"),
    [
        ("US, KR, Japan", ["US", "KR", "JP"]),
        ("us;kr", ["US", "KR"]),
        ("South Korea, KR", ["KR"]),  # once
        ("default", None),
        ("Reset", None),
        ("none", []),
        ("-", []),
    ],
)
def test_markets_as_admins_type_them(typed, markets):
    assert parse_markets(typed) == markets


def test_unknown_markets_are_named():
    with pytest.raises(SettingError) as refused:
        parse_markets("US, Atlantis, Narnia")
    assert (refused.value.problem, refused.value.typed) == (
        SettingProblem.UNKNOWN_COUNTRIES,
        ["Atlantis", "Narnia"],
    )


def charted(store, *charts: str) -> None:
    with store.write():
        ids = store.charts.ids("netflix", list(charts))
        for chart in charts:
            row = ChartRow(chart, "2022-01-16", "US", 1, "Squid Game")
            store.charts.put_period(
                ids[chart],
                PeriodSummary.of(chart, "2022-01-16", [row]),
                [row],
                store.titles.ids([row]),
                1,
            )


def test_charts_by_their_stored_names(fresh_db):
    charted(fresh_db, "TV", "Films")
    assert parse_charts(fresh_db, "tv, FILMS") == ["TV", "Films"]
    assert parse_charts(fresh_db, "all") is None
    with pytest.raises(SettingError) as refused:
        parse_charts(fresh_db, "TV, Anime")
    assert (refused.value.problem, refused.value.typed, refused.value.known) == (
        SettingProblem.UNKNOWN_CHARTS,
        ["Anime"],
        ["Films", "TV"],
    )


def test_defaults_come_from_the_config_once():
    config = config_from_dict(
        {
            "alerts": {"min_countries": 4, "watched_markets": ["KR", "Japan"], "milestones": False},
            "discord": {"alert_pictures": False},
        },
        source="test",
        base_dir=Path("."),
    )
    assert ServerDefaults.of(config) == ServerDefaults(4, ("KR", "JP"), False, False)


def test_a_change_applies_on_top_of_the_defaults_and_keeps_the_rest(fresh_db):
    store = fresh_db
    before = server_settings(store, GUILD, DEFAULTS)
    assert (before.min_countries, before.watched_markets, before.pictures) == (10, ("US",), True)
    after = change_settings(
        store,
        GUILD,
        SettingsChange(min_countries=3, pictures=False),
        DEFAULTS,
        by=ADMIN,
        now=utcnow(),
    )
    assert (after.min_countries, after.watched_markets, after.pictures) == (3, ("US",), False)
    again = change_settings(
        store, GUILD, SettingsChange(watched_markets="KR"), DEFAULTS, by=ADMIN, now=utcnow()
    )
    assert (again.min_countries, again.watched_markets, again.pictures) == (3, ("KR",), False)
    reset = change_settings(
        store, GUILD, SettingsChange(watched_markets="default"), DEFAULTS, by=ADMIN, now=utcnow()
    )
    assert reset.watched_markets == ("US",)


def test_a_change_that_cannot_be_used_changes_nothing(fresh_db):
    with pytest.raises(SettingError):
        change_settings(
            fresh_db,
            GUILD,
            SettingsChange(min_countries=5, watched_markets="Atlantis"),
            DEFAULTS,
            by=ADMIN,
            now=utcnow(),
        )
    assert server_settings(fresh_db, GUILD, DEFAULTS).min_countries == 10


def test_a_server_setting_up_takes_its_preferred_locales_language_until_it_picks_one(fresh_db):
    store = fresh_db
    change = SettingsChange(min_countries=5)
    now = datetime(2026, 12, 3, tzinfo=UTC)
    korean = change_settings(store, 1, change, DEFAULTS, by=9, now=now, preferred="ko")
    assert (korean.language, korean.language_chosen) == (Language.KO, True)
    italian = change_settings(store, 2, change, DEFAULTS, by=9, now=now, preferred="it")
    assert (italian.language, italian.language_chosen) == (Language.EN, False)  # the config's
    picked = SettingsChange(language=Language.DE)
    change_settings(store, 3, picked, DEFAULTS, by=9, now=now, preferred="ja")
    german = change_settings(store, 3, change, DEFAULTS, by=9, now=now, preferred="ja")
    assert german.language is Language.DE  # chosen: a preferred locale never overrides it
