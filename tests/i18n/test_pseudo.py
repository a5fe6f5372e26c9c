"""Every text a person reads goes through the catalog: rendered in a pseudo-language, no
English word is left (a new string that skips the catalog fails here)."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import UTC, datetime

import pytest

from bot.alerts.notices import notice_text
from bot.alerts.standing import standing_heading, standing_rows
from bot.delivery.messages import build_messages
from bot.discord import embeds
from bot.discord.autocomplete import did_you_mean, unknown_country
from bot.discord.cogs.alerts import WELCOME, describe, setting_error
from bot.discord.cogs.subscriptions import refusal, subscribed, subscription_lines
from bot.engine.deliveries import Destination, PendingDelivery
from bot.engine.events import EVENT_TYPES, NumberOneCount
from bot.engine.model import PeriodUnit
from bot.engine.notices import FileSkipped, PicturesRefused, SourceFailing, SourceRecovered
from bot.engine.routing import Subscribed, Subscription, SubscriptionLimits, Via
from bot.engine.source_types import FailureKind, SourceHealth
from bot.engine.standings import Backed, ChartStanding, Odds
from bot.engine.stored import ChartInfo, ChartLine
from bot.engine.titles import Candidate, Match
from bot.i18n import Language
from bot.pictures.worldmap import map_words
from bot.service.settings import ServerSettings, SettingError, SettingProblem
from bot.service.status import SourceReport, StatusReport
from bot.store.forecasts import CallRecord
from tests.helpers.pseudo import PseudoTexts, english_words
from tests.helpers.stores import failing_source

T = PseudoTexts()
TITLE = "All of Us Are Dead"
DATA = (
    "`chartbot poll`",
    TITLE,
    "netflix",
    "Netflix",
    "TV",
    "Gold Land",
    "spotify",
    "regional-daily.csv",
)
BASE = {"source": "netflix", "chart": "TV", "period": "2022-01-30", "title_key": "k"}
NOW = datetime(2026, 12, 3, 17, tzinfo=UTC)


VALUES = {
    "country": "KR",
    "rank": 2,
    "previous_rank": 5,
    "count": 46,
    "previous": 44,
    "previous_best": 30,
    "periods": 3,
    "best_rank": 1,
    "best_country": "KR",
    "number_one_count": 6,
    "charting_in": 11,
}


def events():
    for kind, cls in EVENT_TYPES.items():
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in VALUES.items() if k in names}
        yield kind, cls(**BASE, title=TITLE, artist=None, **values)
    yield "gained", NumberOneCount(**BASE, title=TITLE, artist=None, count=3, gained=("BR",))
    yield "daily streak", EVENT_TYPES["streak"](**BASE, title=TITLE, artist=None, unit="day")
    course = EVENT_TYPES["on_course"]
    for unit in ("day", "period"):
        yield f"{unit} on course", course(**BASE, title=TITLE, artist=None, chance=0.7, unit=unit)
    # with how such chances fared in the backtest, and with none given in its tenth
    for unit, given in (("week", 25), ("day", 0), ("period", 3)):
        backed = {"backtest_given": given, "backtest_came_true": 1, "backtest_periods": 60}
        yield (
            f"backed {unit}",
            course(**BASE, title=TITLE, artist=None, chance=0.7, unit=unit, **backed),
        )
    for kind in ("moved", "entered", "left", "new_number_one", "back_at_number_one"):
        cls = EVENT_TYPES[kind]
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in VALUES.items() if k in names} | {"country": "GLOBAL"}
        yield f"worldwide {kind}", cls(**BASE, title=TITLE, artist=None, **values)


def delivery(id_: int, event=None, notice=None) -> PendingDelivery:
    return PendingDelivery(
        id_, None, Destination.channel(5), 1, 0, event, notice, language=Language.EN
    )


@pytest.mark.parametrize(("kind", "event"), list(events()), ids=lambda v: str(v)[:20])
def test_every_alert_kind_is_said_from_the_catalog(kind, event):
    [message] = build_messages([delivery(1, event)])
    texts = [e.description for e in message.embeds] + [e.footer or "" for e in message.embeds]
    # The message builder says it in the destination's language: render ours directly too.
    from bot.delivery.messages import alert_line

    assert english_words(alert_line(event, T), *DATA) == [], kind
    assert texts  # and the builder made a message of it


NOTICES = [
    SourceFailing("netflix", FailureKind.TIMED_OUT, None, NOW, paused=False),
    SourceFailing("netflix", FailureKind.HTTP_STATUS, 503, NOW, paused=True),
    FileSkipped("netflix", "regional-daily.csv", FailureKind.CUT_OFF),
    SourceRecovered("netflix"),
    PicturesRefused(81),
]


@pytest.mark.parametrize("notice", NOTICES, ids=lambda n: n.kind.value)
def test_every_notice_is_said_from_the_catalog(notice):
    assert english_words(notice_text(notice, T), *DATA) == []


@pytest.mark.parametrize("kind", list(FailureKind), ids=str)
def test_every_failure_a_server_sees_is_said_from_the_catalog(kind):
    notice = SourceFailing("netflix", kind, 500, NOW, paused=False)
    assert english_words(notice_text(notice, T), *DATA) == []


STANDING = ChartStanding(
    source="netflix",
    chart="TV",
    period="2022-01-23",
    chart_latest="2022-01-30",
    previous_period="2022-01-16",
    number_one_count=46,
    previous_number_one_count=44,
    ranks={"US": 2, "KR": 1, "GLOBAL": 1},
    previous_ranks={"US": 5, "KR": 1, "FR": 3},
    in_chart={"US": 2},
    best_rank=1,
    best_rank_period="2022-01-16",
    best_rank_countries=["KR", "BR", "MX", "AR", "CL", "CO", "PE"],
    periods_charted=3,
    unit=PeriodUnit.WEEK,
    chart_countries=94,
    chart_listed=frozenset({"US", "KR", "FR"}),
    seasons=("Season 1", "Season 2"),
    label="Netflix",
    # the chance within 3 weeks backed by nothing: "none given"
    chances={"US": Odds(Backed(0.38, 64, 31), Backed(0.71, 0, 0), horizon=3, scored=8)},
)


def test_rank_top_and_status_are_said_from_the_catalog():
    rank = embeds.rank_embed(Candidate(1, TITLE), [STANDING, STANDING], ["US", "FR", "JP"], T)
    said = [standing_heading(STANDING, T)]
    said += [f"{a} {b}" for a, b in standing_rows(STANDING, ["US", "FR", "JP"], T)]
    said += [f.name + " " + f.value for f in rank.fields]
    said.append(embeds.rank_embed(Candidate(1, TITLE), [], [], T).description or "")
    chart = ChartInfo(1, "netflix", "TV", "2022-01-30", "Netflix")
    line = ChartLine(1, 1, TITLE, None, None)
    top = embeds.top_embed(chart, "KR", [line], [], T)
    said += [top.title or "", top.description or "", top.footer.text or ""]
    said.append(embeds.top_embed(chart, "KR", [], [], T).description or "")
    failing = failing_source("netflix", status=SourceHealth.DISABLED, skipped=1, at=NOW)
    skipped = f"file-0-{'y' * 80}.csv"  # the file's name: data
    report = StatusReport([failing], 3, CallRecord(41, 38, 29, 27.4))
    status = embeds.status_embed(report, T)
    said += [status.title or "", status.footer.text or ""] + [f.value for f in status.fields]
    off = SourceReport("netflix", False, None, None, None)
    said += [
        f.value
        for f in embeds.status_embed(StatusReport([off], 1, CallRecord(0, 0, 0, 0.0)), T).fields
    ]
    for text in said:
        assert english_words(text, *DATA, skipped) == [], text


def test_answers_members_read_are_said_from_the_catalog():
    settings = ServerSettings(5, 7, ("US", "KR"), None, True, False, Language.KO, True)
    follow = Subscription(3, 1, 9, "k", TITLE, None, "KR", Via.HERE, 5)
    limits = SubscriptionLimits(per_member=25, per_server=1000, per_channel=50)
    said = [
        describe(settings, T),
        T.gettext(WELCOME, channel_command="", subscribe_command=""),
        setting_error(SettingError(SettingProblem.UNKNOWN_COUNTRIES, ["Narnia"]), T),
        setting_error(SettingError(SettingProblem.UNKNOWN_CHARTS, ["Cartoons"], ["TV"]), T),
        did_you_mean("squid gaem", Match(None, [Candidate(2, TITLE)]), T),
        did_you_mean("zzz", Match(None, []), T),
        unknown_country("Narnia", T),
        subscription_lines([follow], T, owners=True),
        subscribed(T, TITLE, "KR", Via.DM, None),
        subscribed(T, TITLE, None, Via.HERE, Candidate(2, TITLE)),
    ]
    said += [refusal(r, limits, T) for r in (Subscribed.MEMBER_FULL, Subscribed.SERVER_FULL)]
    for text in said:
        assert english_words(text, *DATA, "Narnia", "Cartoons", "squid", "gaem", "zzz") == [], text


def test_a_maps_words_are_said_from_the_catalog():
    words, legend = map_words(
        title=TITLE,
        chart="Netflix · TV",
        period="2022-01-30",
        ranks={"KR": 1, "US": 2},
        depth=10,
        t=T,
    )
    for text in [*words.values(), *legend]:
        assert english_words(text, *DATA) == [], text


def test_a_rank_historys_words_are_said_from_the_catalog():
    from matplotlib.figure import Figure
    from matplotlib.text import Text

    from bot.pictures.rank_history import draw_history
    from bot.pictures.style import card

    history = {"2022-01-16": {"US": 3, "KR": 1}, "2022-01-23": {"US": 2, "KR": 1}}
    standing = replace(STANDING, history=history)
    with card() as figure:
        assert isinstance(figure, Figure)
        draw_history(figure, standing, TITLE, ["US", "KR"], T)
        figure.canvas.draw()
        shown = [t.get_text() for t in figure.findobj(Text) if t.get_text()]
    for text in shown:
        assert english_words(text, *DATA) == [], text
