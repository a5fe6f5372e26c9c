"""The `html` source on kworb's real Spotify tables (../shared/data/pages/kworb/): one page
per country through a {country} placeholder, "Artist - Title" cells split, pages decoded as
UTF-8 (the mojibake a saved file carries is mended, never made worse), a changed
layout refused, and a poll of pages served one at a time."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.config import HtmlSourceConfig
from bot.sources.base import ParseError
from bot.sources.html import page_text, parse_html_table
from bot.store.store import Store
from tests.helpers.cli import poll_json, run_cli
from tests.helpers.shared_data import needs_shared_data, shared

KWORB = """
[[sources]]
name = "kworb"
kind = "html"
url = "{url}"
countries = {countries}
rows = "table#spotifydaily tbody tr"
title_split = " - "
chart = "Spotify daily"
period = "{period}"
pause = "1ms"
[sources.columns]
rank = "td:nth-child(1)"
title = "td:nth-child(3)"
weeks = "td:nth-child(4)"
extra = {{ streams = "td:nth-child(7)", peak = "td:nth-child(5)" }}
"""


def kworb_config(folder: Path, url: str, countries: list[str], period: str = "filename") -> Path:
    path = folder / "config.toml"
    text = KWORB.format(url=url, countries=json.dumps(countries), period=period)
    path.write_text('[database]\npath = "chartbot.db"\n' + text, encoding="utf-8")
    return path


def kworb(name: str) -> Path:
    return shared("pages", "kworb", name)


@needs_shared_data
def test_kworbs_pages_one_per_country_make_one_chart(tmp_path):
    template = str(kworb("waydcloud_spotify_{country}_daily_2026-07-16.html"))
    config = kworb_config(tmp_path, template, ["US", "JP"])
    ran = run_cli("import", "--source", "kworb", "-c", config)
    assert ran.exit_code == 0, ran.stderr
    assert "imported 1 chart period (400 ranks)" in ran.stdout
    found = json.loads(run_cli("rank", "Choosin' Texas", "--json", "-c", config).stdout)
    assert found["artist"] == "Ella Langley"
    [chart] = found["charts"]
    assert (chart["chart"], chart["period"], chart["ranks"]) == (
        "Spotify daily",
        "2026-07-16",
        {"US": 1},
    )
    assert chart["in_chart"] == {"US": 273}
    brand_new = json.loads(run_cli("rank", "Brand New", "--json", "-c", config).stdout)
    assert brand_new["charts"][0]["ranks"]["JP"] == 1
    with Store.open(tmp_path / "chartbot.db") as store:
        extra = store.db.execute(
            "SELECT extra FROM ranks WHERE country = 'US' AND rank = 1"
        ).fetchone()[0]
    assert json.loads(extra) == {"streams": "1,497,609", "peak": "1"}


@needs_shared_data
def test_a_page_is_read_as_utf8_and_its_mojibake_mended():
    name = "waydcloud_spotify_global_daily_2026-07-16.html"
    config = HtmlSourceConfig.model_validate(
        {
            "name": "kworb",
            "kind": "html",
            "url": name,
            "rows": "table#spotifydaily tbody tr",
            "columns": {"rank": "td:nth-child(1)", "title": "td:nth-child(3)"},
            "title_split": " - ",
            "country": "GLOBAL",
            "period": "filename",
        }
    )
    rows = parse_html_table(page_text(kworb(name).read_bytes()), config, country=None, name=name)
    assert len(rows) == 200 and rows[0].title == "Wonderwall - Remastered"
    assert rows[0].artist == "Oasis"  # split at the first " - " only
    rose = next(r for r in rows if r.rank == 105)
    assert rose.artist == "ROSÉ"  # mended: the file has "ROS\u00c3\u0089" (UTF-8 read as Latin-1)
    assert rose.title == "APT. (w/ Bruno Mars)"


@needs_shared_data
def test_a_weekly_table_under_the_daily_selector_is_refused(tmp_path):
    config = kworb_config(tmp_path, str(kworb("waydcloud_spotify_kr_weekly_2026-07-16.html")), [])
    config.write_text(config.read_text().replace("countries = []\n", 'country = "KR"\n'))
    ran = run_cli("import", "--source", "kworb", "-c", config)
    assert ran.exit_code == 1
    assert "no rows match 'table#spotifydaily tbody tr' (the layout probably changed)" in ran.stderr


@needs_shared_data
def test_pages_are_polled_one_at_a_time_and_a_missing_one_fails_the_poll(tmp_path, chart_server):
    for code in ("us", "jp"):
        body = kworb(f"waydcloud_spotify_{code}_daily_2026-07-16.html").read_bytes()
        chart_server.serve(f"spotify/country/{code}_daily.html", body, content_type="text/html")
    url = chart_server.url("spotify/country/{country}_daily.html")
    config = kworb_config(tmp_path, url, ["US", "JP"], period="2026-07-16")
    code, alerts, stderr = poll_json(config)
    assert (code, alerts) == (0, []), stderr
    assert chart_server.max_in_flight == 1
    chart_server.served.pop("spotify/country/jp_daily.html")
    config.write_text(config.read_text().replace("2026-07-16", "2026-07-17"))
    code, alerts, stderr = poll_json(config)
    assert (code, alerts) == (1, []) and "HTTP 404" in stderr


@pytest.mark.parametrize(
    ("row", "said"),
    [
        (
            "<tr><td>1</td><td>A - B</td></tr><tr><td>3</td><td>C - D</td></tr>",
            "the ranks are not 1 to 2",
        ),
        ("<tr><td>one</td><td>A - B</td></tr>", "the rank 'one' is not a number"),
        ("<tr><td>1</td><td></td></tr>", "no title at 'td:nth-child(2)'"),
    ],
    ids=["ranks", "rank", "title"],
)
def test_rows_that_no_longer_match_are_refused(row, said):
    config = HtmlSourceConfig.model_validate(
        {
            "name": "t",
            "kind": "html",
            "url": "t.html",
            "rows": "tbody tr",
            "columns": {"rank": "td:nth-child(1)", "title": "td:nth-child(2)"},
            "country": "US",
        }
    )
    with pytest.raises(ParseError, match=re.escape(said)):
        parse_html_table(f"<table><tbody>{row}</tbody></table>", config, country=None, name="t")


def test_a_page_that_says_its_charset_is_read_in_it():
    body = '<meta charset="windows-1252"><p>Beyonc\u00e9</p>'.encode("cp1252")
    assert "Beyonc\u00e9" in page_text(body)
    assert "Beyonc\u00e9" in page_text("<p>Beyonc\u00e9</p>".encode())  # UTF-8 unless said


@needs_shared_data
def test_a_page_that_is_not_a_chart_among_good_ones_is_skipped_and_named(tmp_path):
    good = kworb("waydcloud_spotify_us_daily_2026-07-16.html")
    config = tmp_path / "config.toml"
    one_country = KWORB.replace("countries = {countries}", 'country = "US"')
    config.write_text(one_country.format(url=good, period="filename"), encoding="utf-8")
    login = tmp_path / "saved_2026-07-17.html"
    login.write_text("<html><body><form>Sign in to continue</form></body></html>")
    ran = run_cli("import", good, login, "--source", "kworb", "-c", config)
    assert ran.exit_code == 1
    assert ran.stdout.splitlines() == [
        f"kworb ({good.name}): imported 1 chart period (200 ranks); 0 already stored",
        "kworb (saved_2026-07-17.html): skipped: no rows match 'table#spotifydaily tbody tr' "
        "(the layout probably changed)",
    ]
    assert ran.stderr == "chartbot: 1 of 2 files skipped; the others are stored\n"
