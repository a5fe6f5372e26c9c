"""Milestones on real data, through the real CLI: Netflix's weeks replayed one at a time
(the file as it stood after each week), each poll's alerts held up against the naive
oracle (tests/oracle.py), which reads the same rows on its own."""

from __future__ import annotations

import json
from itertools import pairwise

from bot.alerts.render import markdown
from bot.clock import utcnow
from bot.engine.deliveries import Destination
from bot.engine.routing import Subscribed, SubscriptionLimits, Via
from bot.i18n import Language, texts
from bot.service import subscriptions
from bot.service.subscriptions import SubscribeRequest
from bot.store.store import Store
from tests.helpers.cli import poll_json, run_cli
from tests.helpers.configs import write_config
from tests.helpers.netflix import WEEK_2
from tests.helpers.oracle import as_tuples, expected_alerts, kind_of, rows
from tests.helpers.shared_data import needs_shared_data, shared

EN = texts(Language.EN)

# The twelve countries of the cut, all watched: every streak there is an alert.
MARKETS = ["US", "KR", "JP", "FR", "DE", "GB", "BR", "MX", "IN", "ES", "CA", "AU"]
ALERTS = f"min_countries = 3\nwatched_markets = {json.dumps(MARKETS)}"
WEEKS = sorted({row["week"] for row in rows(WEEK_2)})  # 2021-12-19 .. 2022-01-16
STEPS = list(pairwise(WEEKS[1:]))  # (week before, week polled) after a two-week baseline
MILESTONES = {"new_peak", "streak", "back_at_number_one", "worldwide_number_one"}
LIMITS = SubscriptionLimits(per_member=25, per_server=1000, per_channel=20)


def as_published(last_week: str) -> str:
    """The whole-history file as Netflix served it once `last_week` was out."""
    header, *lines = WEEK_2.split("\n")
    return "\n".join([header, *(line for line in lines if line.split("\t")[2] <= last_week)])


def expected(week: str, before: str) -> set[tuple]:
    return expected_alerts(as_published(week), week, before, min_countries=3, markets=set(MARKETS))


@needs_shared_data
def test_a_weekly_replay_gives_each_milestone_the_oracle_finds(tmp_path, chart_server):
    url = chart_server.serve("top10.tsv", as_published(WEEKS[1]))
    config = write_config(tmp_path, url, alerts=ALERTS)
    assert poll_json(config)[:2] == (0, [])  # the baseline: two weeks, no alerts
    seen: dict[str, list[str]] = {}
    for before, week in STEPS:
        chart_server.serve("top10.tsv", as_published(week))
        code, alerts, stderr = poll_json(config)
        assert code == 0, stderr
        assert as_tuples(alerts) == expected(week, before), week
        seen[week] = sorted(a["text"] for a in alerts if kind_of(a) in MILESTONES)
    found = {kind for before, week in STEPS for kind, *_ in expected(week, before)}
    assert {"streak", "new_peak", "back_at_number_one"} <= found  # the data holds each
    # A few lines, checked by hand against the file.
    assert (
        "**Our Beloved Summer** is #1 in South Korea for the 2nd week in a row"
        in seen["2022-01-16"]
    )
    assert (
        "**Café con aroma de mujer** is now #1 in 3 countries (+1) — its most yet"
        in seen["2022-01-16"]
    )
    # Polled again, the same file announces nothing again.
    assert poll_json(config)[:2] == (0, [])


@needs_shared_data
def test_an_import_then_a_poll_counts_the_imported_weeks(tmp_path, chart_server):
    history = tmp_path / "all-weeks-countries.tsv"
    history.write_text(as_published(WEEKS[-2]), encoding="utf-8")
    url = chart_server.serve("top10.tsv", as_published(WEEKS[-1]))
    config = write_config(tmp_path, url, alerts=ALERTS)
    ran = run_cli("import", str(history), "--source", "netflix", "-c", config)
    assert ran.exit_code == 0, ran.stderr
    assert "streak" not in ran.stdout + ran.stderr  # an import announces nothing
    code, alerts, stderr = poll_json(config)
    assert code == 0, stderr
    assert as_tuples(alerts) == expected(WEEKS[-1], WEEKS[-2])


@needs_shared_data
def test_milestones_off_keeps_the_plain_alerts_only(tmp_path, chart_server):
    url = chart_server.serve("top10.tsv", as_published(WEEKS[-2]))
    config = write_config(tmp_path, url, alerts=ALERTS + "\nmilestones = false")
    assert poll_json(config)[:2] == (0, [])
    chart_server.serve("top10.tsv", as_published(WEEKS[-1]))
    code, alerts, stderr = poll_json(config)
    assert code == 0, stderr
    wanted = {e for e in expected(WEEKS[-1], WEEKS[-2]) if e[0] != "streak"}
    assert as_tuples(alerts) == wanted  # a peak or a return is still said as such


GLOBAL = shared("files", "netflix", "official", "all-weeks-global-2026-07-head.tsv")


@needs_shared_data
def test_a_new_number_one_on_the_worldwide_chart(tmp_path, chart_server):
    header, *lines = GLOBAL.read_text(encoding="utf-8").split("\n")
    first = [line for line in lines if line.startswith("2026-07-12")]
    url = chart_server.serve("global.tsv", "\n".join([header, *first]))
    config = write_config(tmp_path, url, alerts="min_countries = 3")
    assert poll_json(config)[:2] == (0, [])
    chart_server.serve("global.tsv", GLOBAL.read_text(encoding="utf-8"))
    code, alerts, stderr = poll_json(config)
    assert code == 0, stderr
    worldwide = {a["chart"]: a["text"] for a in alerts if a["type"] == "worldwide_number_one"}
    assert worldwide["Films (English)"] == (
        "**Shipwrecked: Nightmare at Sea** takes #1 worldwide (was #2)"
    )
    assert all(a["country"] == "GLOBAL" for a in alerts if a["type"] == "worldwide_number_one")


@needs_shared_data
def test_a_title_followed_before_it_charts_is_announced_when_it_first_does(tmp_path, chart_server):
    url = chart_server.serve("top10.tsv", as_published(WEEKS[-2]))
    config = write_config(tmp_path, url, alerts=ALERTS)
    assert poll_json(config)[:2] == (0, [])
    database = tmp_path / "chartbot.db"
    with Store.open(database) as store:
        assert store.titles.by_key("Brazen") is None  # on no chart yet
        title = subscriptions.title_before_it_charts("brazen")  # as a member typed it
        request = SubscribeRequest(user_id=7, guild_id=1, title=title, via=Via.DM)
        assert subscriptions.subscribe(store, request, LIMITS, now=utcnow()) is Subscribed.ADDED
        followed = store.titles.by_key("Brazen")
        assert followed is not None and followed.name == "brazen"  # the member's spelling
        assert "brazen" not in [c.name for c in store.titles.candidates()]  # not listed
    chart_server.serve("top10.tsv", as_published(WEEKS[-1]))
    assert poll_json(config)[0] == 0
    with Store.open(database) as store:
        sent = store.outbox.pending(destination=Destination.dm(7), limit=100)
        texts = [markdown(d.event, EN) for d in sent if d.event is not None]
        named = store.titles.by_key("Brazen")
    # Out on 2022-01-16 in 11 of the 12 countries, #1 in 6 (the file, by hand).
    assert texts[0] == "**Brazen** enters the charts at #1 in 6 countries, charting in 11 countries"
    assert "**Brazen** is now #1 in 6 countries (+6)" in texts
    assert named is not None and (named.id, named.name) == (followed.id, "Brazen")  # the chart's
    assert named in store_candidates(database)
    # Followed again the next week, it is no first appearance any more.
    assert poll_json(config)[:2] == (0, [])


def store_candidates(database):
    with Store.open(database) as store:
        return store.titles.candidates()
