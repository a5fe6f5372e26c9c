"""What the CLI prints of untrusted text (titles, chart names): no escape sequences reach the
terminal, and markup-looking names print as they are."""

from __future__ import annotations

import json

from tests.helpers.cli import poll_json, run_cli
from tests.helpers.configs import write_config
from tests.helpers.netflix import WEEK_1, WEEK_2
from tests.helpers.shared_data import needs_shared_data

HOSTILE = "\x1b[2J\x1b[31mBrazen\x1b[0m\x07"


@needs_shared_data
def test_9_escape_sequences_in_titles_never_reach_the_terminal(tmp_path, chart_server):
    config = write_config(tmp_path, chart_server.serve("top10.tsv", WEEK_1))
    assert poll_json(config)[0] == 0
    chart_server.serve("top10.tsv", WEEK_2.replace("\tBrazen\t", f"\t{HOSTILE}\t"))
    ran = run_cli("poll", "-c", config)
    assert ran.exit_code == 0, ran.stderr
    assert "Brazen is now #1 in 6 countries" in ran.stdout
    rank = run_cli("rank", "brazen", "-c", config)
    for printed in (ran.stdout, ran.stderr, rank.stdout):
        assert "\x1b" not in printed and "\x07" not in printed
    data = json.loads(run_cli("rank", "brazen", "--json", "-c", config).stdout)
    assert data["title"] == HOSTILE  # stored as it came; only the printing is cleaned


def test_9_a_chart_named_like_markup_prints_as_it_is(tmp_path, chart_server):
    def publish(day: str, first: str, second: str) -> None:
        chart_server.serve(f"top-{day}.csv", f"Position,Song\n1,{first}\n2,{second}\n")

    config = tmp_path / "config.toml"
    table = """
[alerts]
watched_markets = ["US"]
[[sources]]
name = "odd"
kind = "table"
url = "{url}"
country = "US"
period = "filename"
chart = "Top [/bold] chart"
columns = {{ rank = "Position", title = "Song" }}
"""
    publish("2024-01-06", "[bold]Loud[/bold]", "Quiet")
    config.write_text(table.format(url=chart_server.url("top-2024-01-06.csv")), encoding="utf-8")
    assert poll_json(config)[0] == 0
    publish("2024-01-13", "Quiet", "[bold]Loud[/bold]")
    config.write_text(table.format(url=chart_server.url("top-2024-01-13.csv")), encoding="utf-8")
    ran = run_cli("poll", "-c", config)
    assert ran.exit_code == 0, ran.stderr
    assert (
        "odd · Top [/bold] chart · January 13, 2024  Quiet takes #1 in United States" in ran.stdout
    )
    rank = run_cli("rank", "loud", "-c", config)
    assert rank.exit_code == 0 and "Traceback" not in rank.stderr
    assert "[bold]Loud[/bold]" in rank.stdout and "Top [/bold] chart" in rank.stdout
