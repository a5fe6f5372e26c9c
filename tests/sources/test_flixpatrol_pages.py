"""FlixPatrol's pages: the real saved pages read (../shared/data/pages/flixpatrol/), imported
and looked up through the real CLI; polls of consecutive days against the loopback chart
server; a changed layout and a challenge page refused with nothing stored."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.sources.base import ParseError
from bot.sources.flixpatrol.pages import PageKind, read_page
from bot.store.store import Store
from tests.helpers.cli import poll_json, run_cli
from tests.helpers.flixpatrol_pages import country_page, world_page
from tests.helpers.shared_data import needs_shared_data, shared

DAY = date(2026, 5, 10)
DISNEY = "movietrace_disney_world_2026-05-10.html"
PRIME = "movietrace_amazon_prime_world_2026-05-10.html"
APPLE = "movietrace_apple_tv_world_2026-05-10.html"
INDIA = "fissionmailed7_netflix_india_2025-12-06.html"


def page(name: str) -> Path:
    return shared("pages", "flixpatrol", name)


def html(name: str) -> str:
    return page(name).read_text(encoding="utf-8")


@needs_shared_data
@pytest.mark.parametrize(
    ("name", "kind", "platform", "country", "day", "charts", "first"),
    [
        (
            DISNEY,
            PageKind.WORLD,
            "Disney+",
            None,
            DAY,
            {
                "Movies worldwide": 10,
                "TV Shows worldwide": 10,
                "Overall": 80,
                "Movies": 64,
                "TV Shows": 63,
            },
            ("Movies worldwide", "GLOBAL", "Send Help", {"slug": "send-help", "points": "606"}),
        ),
        (
            PRIME,
            PageKind.WORLD,
            "Amazon Prime",
            None,
            DAY,
            {
                "TV Shows worldwide": 10,
                "Movies worldwide": 10,
                "Overall": 33,
                "Movies": 52,
                "TV Shows": 52,
            },
            (
                "TV Shows worldwide",
                "GLOBAL",
                "The Boys",
                {"slug": "the-boys-2019", "points": "492"},
            ),
        ),
        (
            APPLE,
            PageKind.WORLD,
            "Apple TV",
            None,
            DAY,
            {
                "TV Shows worldwide": 10,
                "Movies worldwide": 10,
                "Overall": 2,
                "Movies": 102,
                "TV Shows": 102,
            },
            (
                "TV Shows worldwide",
                "GLOBAL",
                "Your Friends & Neighbors",
                {"slug": "your-friends-neighbors-2025", "points": "992"},
            ),
        ),
        (
            INDIA,
            PageKind.COUNTRY,
            "Netflix",
            "IN",
            date(2025, 12, 6),
            {"Movies": 10, "TV Shows": 10, "Kids Movies": 10, "Kids TV Shows": 10},
            ("Movies", "IN", "The Girlfriend", {"slug": "the-girlfriend-2025"}),
        ),
    ],
    ids=["disney-world", "prime-world", "apple-tv-world", "netflix-india"],
)
def test_each_real_page_says_what_it_is(name, kind, platform, country, day, charts, first):
    read = read_page(html(name), name=name)
    assert (read.kind, read.platform, read.country, read.day) == (kind, platform, country, day)
    assert dict(Counter(row.chart for row in read.rows)) == charts
    top = read.rows[0]
    assert (top.chart, top.country, top.title, top.extra) == first
    # "Top ranked … by day" on the country page is no chart of the day.
    assert not any("ranked" in row.chart.casefold() for row in read.rows)


@needs_shared_data
def test_the_india_pages_rows_as_it_shows_them():
    read = read_page(html(INDIA), name=INDIA)
    tv = [r for r in read.rows if r.chart == "TV Shows"]
    assert [(r.rank, r.title, r.weeks) for r in tv[:3]] == [
        (1, "Stranger Things", 48),
        (2, "Delhi Crime", 45),
        (3, "Dynamite Kiss", 24),
    ]
    abandons = next(r for r in tv if r.title == "The Abandons")
    assert (abandons.rank, abandons.extra) == (5, {"slug": "the-abandons", "change": "+4"})


def pages_config(folder: Path, **sources: str) -> Path:
    """A config of FlixPatrol sources (pages): name -> url."""
    parts = [
        'min_countries = 3\nwatched_markets = ["US", "KR"]',
    ]
    text = f'[database]\npath = "chartbot.db"\n\n[alerts]\n{parts[0]}\n'
    for name, url in sources.items():
        text += (
            f'\n[[sources]]\nname = "{name}"\nkind = "flixpatrol"\nurl = "{url}"\npause = "1ms"\n'
        )
    path = folder / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def rank(config: Path, title: str) -> dict:
    ran = run_cli("rank", title, "--json", "-c", config)
    assert ran.exit_code == 0, ran.stderr
    return {c["chart"]: c for c in json.loads(ran.stdout)["charts"]}


@needs_shared_data
def test_real_pages_imported_and_looked_up(tmp_path):
    config = pages_config(
        tmp_path,
        disney="https://flixpatrol.com/top10/disney/",
        prime="https://flixpatrol.com/top10/amazon-prime/",
        appletv="https://flixpatrol.com/top10/apple-tv/",
        netflix="https://flixpatrol.com/top10/netflix/",
    )
    for source, name in (
        ("disney", DISNEY),
        ("prime", PRIME),
        ("appletv", APPLE),
        ("netflix", INDIA),
    ):
        ran = run_cli("import", page(name), "--source", source, "-c", config)
        assert ran.exit_code == 0, ran.stderr
    boys = rank(config, "The Boys")
    assert boys["TV Shows"]["source_label"] == "Prime Video"
    assert boys["TV Shows"]["number_one_count"] == 36 and boys["Overall"]["number_one_count"] == 24
    assert boys["TV Shows worldwide"]["ranks"] == {"GLOBAL": 1}
    assert boys["TV Shows"]["period"] == "2026-05-10" and boys["TV Shows"]["period_unit"] == "day"
    send_help = rank(config, "Send Help")
    assert send_help["Movies"]["number_one_count"] == 58
    assert send_help["Movies"]["source_label"] == "Disney+"
    stranger = rank(config, "Stranger Things")
    assert stranger["TV Shows"]["ranks"] == {"IN": 1} and stranger["TV Shows"]["in_chart"] == {
        "IN": 48
    }
    assert stranger["TV Shows"]["source_label"] == "Netflix"
    text = run_cli("rank", "Your Friends & Neighbors", "-c", config).stdout
    assert "Apple TV · TV Shows · May 10, 2026" in text


@needs_shared_data
def test_a_country_page_deepens_the_world_pages_number_one_when_they_agree(tmp_path):
    config = pages_config(tmp_path, disney="https://flixpatrol.com/top10/disney/")
    assert run_cli("import", page(DISNEY), "--source", "disney", "-c", config).exit_code == 0
    # Albania's #1 movie on the world page is Send Help; Argentina's is not "Gary".
    albania = tmp_path / "albania.html"
    albania.write_text(country_page("Disney+", "AL", DAY, {"Movies": ["Send Help", *FILLERS]}))
    argentina = tmp_path / "argentina.html"
    argentina.write_text(country_page("Disney+", "AR", DAY, {"Movies": ["Gary", *FILLERS]}))
    ran = run_cli("import", albania, argentina, "--source", "disney", "-c", config)
    assert ran.exit_code == 0, ran.stderr
    assert "the AR list has “Gary” at #1, where “Send Help” is stored" in ran.stderr
    with Store.open(tmp_path / "chartbot.db") as store:
        query = """SELECT r.country, count(*) FROM ranks r JOIN charts c ON c.id = r.chart_id
                   WHERE c.name = 'Movies' AND r.country IN ('AL', 'AR') GROUP BY r.country"""
        assert dict(store.db.execute(query).fetchall()) == {"AL": 10, "AR": 1}
    assert rank(tmp_path / "config.toml", "Send Help")["Movies"]["number_one_count"] == 58


FILLERS = [f"Film {n}" for n in range(2, 11)]


def next_day(rows_of: dict, day: date, movies: dict[str, str]) -> str:
    """The Disney world page of `day`: the real day's lists and #1s, with `movies` (country
    -> its #1 movie) changed."""
    by_country = {code: dict(charts) for code, charts in rows_of.items()}
    for code, title in movies.items():
        by_country.setdefault(code, {})["Movies"] = title
    real = read_page(html(DISNEY), name=DISNEY).rows
    lists = {
        chart: [(r.title, int((r.extra or {})["points"])) for r in real if r.chart == listed]
        for chart, listed in (("Movies", "Movies worldwide"), ("TV Shows", "TV Shows worldwide"))
    }
    return world_page("Disney+", "disney", day, lists, by_country)


def number_ones(name: str) -> dict[str, dict[str, str]]:
    """A world page's #1s by country: code -> chart -> title."""
    found: dict[str, dict[str, str]] = {}
    for row in read_page(html(name), name=name).rows:
        if row.country != "GLOBAL":
            found.setdefault(row.country, {})[row.chart] = row.title
    return found


@needs_shared_data
def test_polls_of_consecutive_days_tell_the_story(tmp_path, chart_server):
    url = chart_server.serve("top10/disney/", html(DISNEY), content_type="text/html")
    config = pages_config(tmp_path, disney=url)
    assert poll_json(config)[:2] == (0, [])  # the real page of May 10: a baseline
    before = number_ones(DISNEY)
    elsewhere = [c for c, charts in before.items() if charts.get("Movies") != "Send Help"]
    gained = {code: "Send Help" for code in ["US", *elsewhere[:4]]}
    chart_server.serve(
        "top10/disney/", next_day(before, DAY + timedelta(days=1), gained), content_type="text/html"
    )
    code, alerts, stderr = poll_json(config)
    assert code == 0, stderr
    texts = {a["text"] for a in alerts}
    assert "**Send Help** is now #1 in 63 countries (+5) — its most yet" in texts
    assert "**Send Help** takes #1 in United States" in texts  # where it was is not known
    chart_server.serve(
        "top10/disney/", next_day(before, DAY + timedelta(days=2), gained), content_type="text/html"
    )
    code, alerts, stderr = poll_json(config)
    assert code == 0, stderr
    assert "**Send Help** is #1 in United States for the 2nd day in a row" in {
        a["text"] for a in alerts
    }
    assert all(a["type"] not in ("left", "moved") for a in alerts)
    requests = chart_server.hits("top10/disney/")
    assert all(r.headers["User-Agent"].startswith("chartbot/") for r in requests)


@needs_shared_data
def test_a_world_page_with_the_days_country_pages(tmp_path, chart_server):
    url = chart_server.serve("top10/disney/", html(DISNEY), content_type="text/html")
    us = country_page("Disney+", "US", DAY, {"Movies": ["The Devil Wears Prada", *FILLERS]})
    chart_server.serve("top10/disney/united-states/2026-05-10/", us, content_type="text/html")
    config = pages_config(tmp_path, disney=url)
    config.write_text(config.read_text() + 'countries = ["US"]\n')
    code, _, stderr = poll_json(config)
    assert code == 0, stderr
    assert chart_server.max_in_flight == 1  # one request at a time
    with Store.open(tmp_path / "chartbot.db") as store:
        query = """SELECT r.country, count(*) FROM ranks r JOIN charts c ON c.id = r.chart_id
                   WHERE c.name = 'Movies' AND r.country IN ('US', 'KR') GROUP BY r.country"""
        assert dict(store.db.execute(query).fetchall()) == {"US": 10, "KR": 1}


def broken(name: str, *changes: tuple[str, str]) -> str:
    text = html(name)
    for old, new in changes:
        assert old in text
        text = text.replace(old, new)
    return text


@needs_shared_data
@pytest.mark.parametrize(
    ("name", "changes", "said"),
    [
        (DISNEY, [("table-group", "row-group")], "has no rows (the layout probably changed)"),
        (INDIA, [("table-group", "row-group")], "has no rows (the layout probably changed)"),
        (
            INDIA,
            [("<h3", "<h5"), ("</h3>", "</h5>")],
            "found no “TOP 10 …” section (the layout probably changed)",
        ),
        (
            DISNEY,
            [("by country</span>", "per country</span>")],
            "found no table of the top titles “by country” (the layout probably changed)",
        ),
        (
            INDIA,
            [("December 6, 2025", "Dezember 6, 2025")],
            "“Dezember 6, 2025” in its title is not a date (the layout probably changed)",
        ),
        (DISNEY, [(">1.</td>", ">3.</td>")], "the ranks are not 1 to 10 in order"),
        (
            DISNEY,
            [("fflag-AL", "fflag-ZZ"), (">Albania</a>", ">Atlantis</a>")],
            "names an unknown country “Atlantis”",
        ),
    ],
    ids=["world-rows", "country-rows", "headings", "by-country", "date", "ranks", "country"],
)
def test_a_changed_layout_is_refused_and_nothing_stored(tmp_path, name, changes, said):
    changed = tmp_path / "page.html"
    changed.write_text(broken(name, *changes), encoding="utf-8")
    config = pages_config(tmp_path, netflix="https://flixpatrol.com/top10/netflix/")
    ran = run_cli("import", changed, "--source", "netflix", "-c", config)
    assert ran.exit_code == 1
    assert said in ran.stderr and len(ran.stderr.strip().splitlines()) == 1
    with Store.open(tmp_path / "chartbot.db") as store:
        assert store.db.execute("SELECT count(*) FROM ranks").fetchone()[0] == 0


CHALLENGE = """<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>
<div id="challenge-stage">Checking if the site connection is secure</div>
<script src="/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1"></script></body></html>"""
LOGIN = """<!DOCTYPE html><html><head><title>Sign in • FlixPatrol</title></head><body>
<form method="post"><input type="email" name="email"><input type="password" name="password">
</form></body></html>"""


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (CHALLENGE, "is not a chart: a challenge page (FlixPatrol answers many clients with one)"),
        (LOGIN, "is not a chart: a login page"),
        ("", "is not a FlixPatrol chart page: its title is none"),
    ],
    ids=["challenge", "login", "empty"],
)
def test_a_page_that_is_no_chart_is_refused_as_such(tmp_path, chart_server, body, said):
    url = chart_server.serve("top10/netflix/", body, content_type="text/html")
    config = pages_config(tmp_path, netflix=url)
    code, alerts, stderr = poll_json(config)
    assert (code, alerts) == (1, [])
    assert said in stderr
    if "challenge" in said or "login" in said:
        assert "official API (api_key) is the reliable way" in stderr
    with Store.open(tmp_path / "chartbot.db") as store:
        assert store.db.execute("SELECT count(*) FROM ranks").fetchone()[0] == 0


def test_a_page_read_without_the_real_ones():
    """The page writer's own pages read back (these run where ../shared/data is absent)."""
    written = world_page(
        "Hulu", "hulu", DAY, {"TV Shows": [("Shōgun", 700)]}, {"US": {"TV Shows": "Shōgun"}}
    )
    read = read_page(written)
    assert (read.kind, read.platform, read.day) == (PageKind.WORLD, "Hulu", DAY)
    assert [(r.chart, r.country, r.title) for r in read.rows] == [
        ("TV Shows worldwide", "GLOBAL", "Shōgun"),
        ("TV Shows", "US", "Shōgun"),
    ]
    with pytest.raises(ParseError, match="the ranks are not 1 to 2 in order"):
        read_page(country_page("Hulu", "US", DAY, {"TV Shows": ["A", "B"]}).replace(">2.<", ">3.<"))
