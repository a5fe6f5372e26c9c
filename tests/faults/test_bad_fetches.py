"""Chart-side faults: every way a fetch can fail or lie. Each stores nothing, alerts
nothing, says why in one line, and the next good fetch alerts exactly once."""

from __future__ import annotations

import pytest

from tests.helpers.cli import poll_json
from tests.helpers.configs import write_config
from tests.helpers.netflix import EXPECTED, WEEK_1, WEEK_2
from tests.helpers.oracle import as_tuples
from tests.helpers.shared_data import needs_shared_data
from tests.helpers.stores import latest_period


def _drop_country_in(text: str, country: str, week: str | None = None) -> str:
    header, *rows = text.split("\n")
    kept = [
        r
        for r in rows
        if not (r.split("\t")[1] == country and (week is None or r.split("\t")[2] == week))
    ]
    return "\n".join([header, *kept])


def _replace_rank(text: str, country: str, week: str, old: str, new: str) -> str:
    header, *rows = text.split("\n")
    out = []
    for row in rows:
        f = row.split("\t")
        if f[1] == country and f[2] == week and f[4] == old:
            f[4] = new
        out.append("\t".join(f))
    return "\n".join([header, *out])


BROKEN = {
    "http 500": ({"body": WEEK_2, "status": 500}, "HTTP 500"),
    "http 404": ({"body": WEEK_2, "status": 404}, "HTTP 404"),
    "stalls mid-body": ({"body": WEEK_2, "behaviour": "stall"}, "timed out after 1s"),
    "never answers": ({"body": WEEK_2, "behaviour": "slow"}, "timed out after 1s"),
    "cut mid-body": ({"body": WEEK_2, "behaviour": "cut"}, "cut mid-body"),
    "html page": (
        {"body": "<!DOCTYPE html><html><body>Service Unavailable</body></html>"},
        "an HTML page, not a Netflix Top 10 TSV",
    ),
    "null": ({"body": "null"}, "'null', not a Netflix Top 10 TSV"),
    "empty body": ({"body": ""}, "an empty body"),
    "wrong header": (
        {"body": WEEK_2.replace("weekly_rank", "rank", 1)},
        "the header lacks weekly_rank",
    ),
    "last line cut off": ({"body": WEEK_2[:-25]}, "looks cut off"),
    "countries missing from history": (
        {"body": _drop_country_in(WEEK_2, "FR", "2022-01-02")},
        "lacks FR, stored before",
    ),
    "countries missing in the new week": (
        {"body": _drop_country_in(WEEK_2, "KR", "2022-01-16")},
        "KR charted in 2022-01-09 but not in the new period",
    ),
    "older file than stored": (
        {"body": "\n".join(r for r in WEEK_1.split("\n") if "\t2022-01-09\t" not in r)},
        "older than the stored 2022-01-09",
    ),
    "duplicate rank": (
        {"body": _replace_rank(WEEK_2, "US", "2022-01-16", "3", "2")},
        "two titles at #2 for US",
    ),
    "rank missing in the new week": (
        {"body": _replace_rank(WEEK_2, "US", "2022-01-16", "4", "11")},
        "US lacks rank #4",
    ),
    "future week": (
        {"body": WEEK_2.replace("2022-01-16", "2099-01-16")},
        "after today",
    ),
    "latin-1 bytes": (
        {"body": WEEK_2.encode("latin-1", errors="replace")},
        "not UTF-8 text",
    ),
}


@needs_shared_data
@pytest.mark.parametrize("case", list(BROKEN), ids=list(BROKEN))
def test_a_bad_fetch_stores_nothing_and_the_next_good_one_alerts_once(
    case, polled_week_1, chart_server
):
    write_config(polled_week_1.parent, chart_server.url("top10.tsv"), source_extra='timeout = "1s"')
    route, reason = BROKEN[case]
    chart_server.serve("top10.tsv", **route)

    code, alerts, stderr = poll_json(polled_week_1)

    assert code == 1
    assert alerts == []
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("netflix: ")
    assert reason in lines[0]
    assert "kept the snapshot of 2022-01-09" in lines[0]
    assert "Traceback" not in stderr
    assert latest_period(polled_week_1) == "2022-01-09"

    chart_server.serve("top10.tsv", WEEK_2)
    code, alerts, stderr = poll_json(polled_week_1)
    assert code == 0, stderr
    assert as_tuples(alerts) == EXPECTED and len(alerts) == len(EXPECTED)
    assert poll_json(polled_week_1)[:2] == (0, [])


@needs_shared_data
def test_an_oversized_body_is_refused(polled_week_1, chart_server):
    write_config(
        polled_week_1.parent, chart_server.url("top10.tsv"), source_extra='max_size = "20kB"'
    )
    chart_server.serve("top10.tsv", WEEK_2)
    code, alerts, stderr = poll_json(polled_week_1)
    assert (code, alerts) == (1, [])
    assert "over the 20.0 kB limit" in stderr
    assert latest_period(polled_week_1) == "2022-01-09"


@needs_shared_data
def test_a_server_that_hides_its_length_is_still_cut_at_the_limit(polled_week_1, chart_server):
    write_config(
        polled_week_1.parent, chart_server.url("top10.tsv"), source_extra='max_size = "20kB"'
    )
    chart_server.serve("top10.tsv", WEEK_2 * 3, behaviour="stall")  # streams, no early refusal
    code, _, stderr = poll_json(polled_week_1)
    assert code == 1
    assert "grew past the 20.0 kB limit" in stderr or "over the 20.0 kB limit" in stderr


def test_unreachable_server_is_one_clear_line(tmp_path):
    config = write_config(tmp_path, "http://127.0.0.1:9/top10.tsv")
    code, alerts, stderr = poll_json(config)
    assert (code, alerts) == (1, [])
    assert stderr.startswith("netflix: cannot connect to 127.0.0.1:9")
    assert "nothing stored yet" in stderr
