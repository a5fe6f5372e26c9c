"""`chartbot poll` end to end: real CLI, real aiohttp client, loopback chart server,
real SQLite file. Fixtures are cut from Netflix's real files (tests/fixtures/cut_netflix.py)."""

from __future__ import annotations

from bot.store.store import Store
from tests.helpers.cli import poll_json, run_cli
from tests.helpers.configs import write_config
from tests.helpers.netflix import EXPECTED, WEEK_1, WEEK_2
from tests.helpers.oracle import as_tuples
from tests.helpers.shared_data import needs_shared_data
from tests.helpers.stores import latest_period


@needs_shared_data
def test_first_poll_records_a_baseline_and_alerts_nothing(tmp_path, chart_server):
    config = write_config(tmp_path, chart_server.serve("top10.tsv", WEEK_1))
    code, alerts, stderr = poll_json(config)
    assert code == 0
    assert alerts == []
    assert "baseline recorded" in stderr and "2022-01-09" in stderr
    assert latest_period(config) == "2022-01-09"


@needs_shared_data
def test_a_new_week_gives_its_alerts_once(polled_week_1, chart_server):
    chart_server.serve("top10.tsv", WEEK_2)
    code, alerts, stderr = poll_json(polled_week_1)
    assert code == 0, stderr
    assert as_tuples(alerts) == EXPECTED
    assert len(alerts) == len(EXPECTED)
    # Real figures from the real file, checked by hand.
    brazen = next(a for a in alerts if a["title"] == "Brazen" and a["type"] == "number_one_count")
    assert brazen["text"] == "**Brazen** is now #1 in 6 countries (+6)"
    assert brazen["countries"] == ["BR", "CA", "ES", "FR", "MX", "US"]
    assert {
        "type": "new_number_one",
        "source": "netflix",
        "chart": "TV",
        "period": "2022-01-16",
        "title": "Cheer",
        "milestone": None,
        "text": "**Cheer** takes #1 in United States (new entry)",
        "country": "US",
        "rank": 1,
        "previous_rank": None,
        "top_only": False,
    } in alerts
    assert all(a["period"] == "2022-01-16" for a in alerts)

    code, again, _ = poll_json(polled_week_1)
    assert (code, again) == (0, [])


@needs_shared_data
def test_plain_output_reads_like_the_alert(polled_week_1, chart_server):
    chart_server.serve("top10.tsv", WEEK_2)
    ran = run_cli("poll", "-c", polled_week_1)
    assert ran.exit_code == 0
    assert "Brazen is now #1 in 6 countries (+6)" in ran.stdout
    assert "Mother/Android takes #1 in South Korea (was #4)" in ran.stdout


@needs_shared_data
def test_an_unchanged_file_costs_a_304(tmp_path, chart_server):
    url = chart_server.serve("top10.tsv", WEEK_1, etag='"w1"', last_modified="Wed, 12 Jan 2022")
    config = write_config(tmp_path, url)
    assert poll_json(config)[:2] == (0, [])
    code, alerts, stderr = poll_json(config)
    assert (code, alerts) == (0, [])
    assert "unchanged" in stderr
    second = chart_server.hits("top10.tsv")[-1]
    assert second.headers.get("If-None-Match") == '"w1"'
    assert second.headers.get("If-Modified-Since") == "Wed, 12 Jan 2022"
    assert second.status == 304


@needs_shared_data
def test_renamed_categories_across_history_do_not_flood(polled_week_1, chart_server):
    renamed = WEEK_2.replace("\tTV\t", "\tTV Shows\t").replace("\tFilms\t", "\tMovies\t")
    chart_server.serve("top10.tsv", renamed)
    code, alerts, stderr = poll_json(polled_week_1)
    assert code == 0, stderr
    assert as_tuples(alerts) == EXPECTED


@needs_shared_data
def test_categories_renamed_to_unknown_names_alert_only_for_the_new_week(
    polled_week_1, chart_server
):
    renamed = WEEK_2.replace("\tTV\t", "\tSeries & Shows\t").replace("\tFilms\t", "\tFeatures\t")
    chart_server.serve("top10.tsv", renamed)
    code, alerts, stderr = poll_json(polled_week_1)
    assert code == 0, stderr
    assert {a["period"] for a in alerts} == {"2022-01-16"}
    rename = {"TV": "Series & Shows", "Films": "Features"}
    # The renamed charts have no stored history yet: no milestones, only the plain kinds.
    plain = {"new_peak": "number_one_count", "back_at_number_one": "new_number_one"}
    assert as_tuples(alerts) == {
        (plain.get(t, t), rename[c], *rest) for t, c, *rest in EXPECTED if t != "streak"
    }


@needs_shared_data
def test_rewritten_past_titles_are_stored_without_alerts(polled_week_1, chart_server):
    # The past is rewritten; the new week is as published.
    header, *rows = WEEK_2.split("\n")
    rows = [
        r if "\t2022-01-16\t" in r else r.replace("\tCobra Kai\t", "\tCobra Kai (Original)\t")
        for r in rows
    ]
    chart_server.serve("top10.tsv", "\n".join([header, *rows]))
    code, alerts, stderr = poll_json(polled_week_1)
    assert code == 0, stderr
    assert as_tuples(alerts) == EXPECTED
    assert "past periods rewritten" in stderr


def stored_titles(config, period: str) -> set[str]:
    with Store.open(config.parent / "chartbot.db") as store:
        query = """SELECT DISTINCT t.name FROM ranks r JOIN titles t ON t.id = r.title_id
                   WHERE r.period = ?"""
        return {name for (name,) in store.db.execute(query, [period])}


@needs_shared_data
def test_a_bad_rewrite_of_stored_history_can_be_put_back(polled_week_1, chart_server):
    before = stored_titles(polled_week_1, "2022-01-09")
    header, *rows = WEEK_2.split("\n")
    rows = [r.replace("\tCobra Kai\t", "\tCobra Kai (Ruined)\t") for r in rows]
    chart_server.serve("top10.tsv", "\n".join([header, *rows]))
    assert poll_json(polled_week_1)[0] == 0
    assert "Cobra Kai (Ruined)" in stored_titles(polled_week_1, "2022-01-09")
    listed = run_cli("rewrites", "-c", polled_week_1)
    assert listed.exit_code == 0, listed.stderr
    [line] = listed.stdout.splitlines()
    number = line.split(":")[0].removeprefix("poll ")
    assert "netflix" in line and "TV 2022-01-09" in line
    undone = run_cli("undo-rewrite", number, "-c", polled_week_1)
    assert undone.exit_code == 0, undone.stderr
    assert undone.stdout.startswith("put back: netflix")
    assert stored_titles(polled_week_1, "2022-01-09") == before
    assert latest_period(polled_week_1) == "2022-01-16"  # the new week stays
    assert (
        run_cli("rewrites", "-c", polled_week_1).stdout.strip() == "no rewritten period to put back"
    )
    again = run_cli("undo-rewrite", number, "-c", polled_week_1)
    assert again.exit_code == 1 and "rewrote nothing that can be put back" in again.stderr
    # The same file polled again is unchanged: the undo stays.
    assert poll_json(polled_week_1)[:2] == (0, [])
    assert stored_titles(polled_week_1, "2022-01-09") == before


@needs_shared_data
def test_crlf_bom_and_gzip_bodies_read_the_same(polled_week_1, chart_server):
    import gzip

    body = gzip.compress(("\ufeff" + WEEK_2.replace("\n", "\r\n") + "\r\n").encode("utf-8"))
    chart_server.serve("top10.tsv", body)
    code, alerts, stderr = poll_json(polled_week_1)
    assert code == 0, stderr
    assert as_tuples(alerts) == EXPECTED


@needs_shared_data
def test_a_local_file_source_works_like_a_url(tmp_path):
    source = tmp_path / "top10.tsv"
    source.write_text(WEEK_1, encoding="utf-8")
    config = write_config(tmp_path, "top10.tsv")  # relative to the config's folder
    assert poll_json(config)[:2] == (0, [])
    source.write_text(WEEK_2, encoding="utf-8")
    code, alerts, _ = poll_json(config)
    assert code == 0
    assert as_tuples(alerts) == EXPECTED


def test_a_missing_local_file_is_one_clear_line(tmp_path):
    config = write_config(tmp_path, "nowhere.tsv")
    code, alerts, stderr = poll_json(config)
    assert (code, alerts) == (1, [])
    assert f"file not found: {tmp_path / 'nowhere.tsv'}" in stderr


@needs_shared_data
def test_a_local_file_over_the_size_limit_is_refused_unread(tmp_path):
    source = tmp_path / "top10.tsv"
    source.write_text(WEEK_1, encoding="utf-8")
    config = write_config(tmp_path, "top10.tsv")
    assert poll_json(config)[:2] == (0, [])
    write_config(tmp_path, "top10.tsv", source_extra='max_size = "20kB"')
    source.write_text(WEEK_2, encoding="utf-8")
    code, alerts, stderr = poll_json(config)
    assert (code, alerts) == (1, [])
    assert f"{source} is over the 20.0 kB limit" in stderr
    assert latest_period(config) == "2022-01-09"
