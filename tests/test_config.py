"""The config: validated once, errors naming the file, the key and what is wrong."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config, parse_duration, parse_size
from tests.helpers.cli import run_cli
from tests.helpers.configs import write_text_config

GOOD = """
[database]
path = "chartbot.db"

[[sources]]
name = "netflix"
kind = "netflix_top10"
url = "https://www.netflix.com/tudum/top10/data/all-weeks-countries.tsv"
every = "6h"
"""


def test_a_short_config_loads_with_its_defaults(tmp_path):
    config = load_config(write_text_config(tmp_path, GOOD))
    assert config.database_path == tmp_path / "chartbot.db"
    assert config.sources[0].every == timedelta(hours=6)
    assert config.alerts.watched_markets == ["US"]
    assert config.alerts.min_countries == 10
    assert config.discord.api_base == "https://discord.com/api/v10"


def test_the_example_config_is_valid():
    config = load_config(Path(__file__).parent.parent / "config.example.toml")
    assert [s.name for s in config.sources]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            GOOD.replace('every = "6h"', 'every = "6 hours"'),
            "source \"netflix\", every: '6 hours' is not a duration",
            id="bad duration",
        ),
        pytest.param(
            GOOD.replace('every = "6h"', 'evry = "6h"'),
            "source \"netflix\", evry: unknown key (did you mean 'every'?)",
            id="misspelt key",
        ),
        pytest.param(
            GOOD.replace('kind = "netflix_top10"', 'kind = "netflix"'),
            "source \"netflix\": unknown kind 'netflix'",
            id="unknown kind",
        ),
        pytest.param(
            GOOD.replace('kind = "netflix_top10"\n', ""),
            "source \"netflix\": needs a 'kind'",
            id="no kind",
        ),
        pytest.param(
            GOOD.replace(
                'url = "https://www.netflix.com/tudum/top10/data/all-weeks-countries.tsv"\n', ""
            ),
            'source "netflix", url: is required',
            id="no url",
        ),
        pytest.param(
            GOOD.replace('url = "https:', 'url = "ftp:'), 'source "netflix", url', id="ftp url"
        ),
        pytest.param(
            GOOD + '\n[alerts]\nwatched_markets = ["Narnia"]\n',
            "alerts.watched_markets: 'Narnia' is not a country",
            id="unknown market",
        ),
        pytest.param(
            GOOD + "\n[alerts]\nmin_countries = 0\n", "alerts.min_countries", id="zero minimum"
        ),
        pytest.param(
            GOOD + "\n[forecast]\nalert_at = 1.5\n", "forecast.alert_at", id="a chance over 1"
        ),
        pytest.param(
            GOOD + GOOD.split('[database]\npath = "chartbot.db"\n')[1],
            "two sources are named 'netflix'",
            id="duplicate source",
        ),
        pytest.param(
            GOOD.replace('name = "netflix"', 'name = "Net Flix!"'),
            "source \"Net Flix!\", name: 'Net Flix!' cannot be a source's name: use lower-case "
            'letters, digits, - and _ (up to 40), such as "net-flix"',
            id="bad name",
        ),
        pytest.param(
            GOOD.replace('every = "6h"', "every = 6"),
            'source "netflix", every: 6 needs a unit: write "6h" for hours, "6m" for minutes',
            id="bare number of seconds",
        ),
        pytest.param(
            GOOD.replace('every = "6h"', "max_size = 200"),
            'source "netflix", max_size: 200 needs a unit: write "200MB" (megabytes)',
            id="bare number of bytes",
        ),
        pytest.param(
            GOOD.replace('every = "6h"', 'every = "1s"'),
            'source "netflix": every = "1s" would ask www.netflix.com for the chart that often: '
            "a remote source is polled at most once a minute",
            id="remote source polled every second",
        ),
        pytest.param(
            GOOD.replace('path = "chartbot.db"', "path = 5"),
            "database.path: should be a path, in quotes (it is 5)",
            id="not a path",
        ),
        pytest.param(
            "[[sources]]\nkind = 'table'\nurl = 'x.csv'\n",
            "source #1, name: is required",
            id="a source without a name",
        ),
        pytest.param("[database\npath = 1", "invalid TOML", id="invalid toml"),
        pytest.param(GOOD + "\n[extra]\nx = 1\n", "extra: unknown key", id="unknown section"),
    ],
)
def test_errors_name_the_file_and_key(tmp_path, text, message):
    path = write_text_config(tmp_path, text)
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert str(raised.value).startswith(f"{path}: ")
    assert message in str(raised.value)
    # Pydantic's own words (types, patterns) never reach the user.
    assert "pattern" not in str(raised.value) and "<class" not in str(raised.value)


def test_a_missing_file_is_one_line(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.toml")


def test_check_config_command(tmp_path):
    ok = run_cli("check-config", "-c", write_text_config(tmp_path, GOOD))
    assert ok.exit_code == 0
    assert "OK" in ok.stdout and "source netflix: netflix_top10, every 6h" in ok.stdout
    bad = run_cli("check-config", "-c", write_text_config(tmp_path, GOOD.replace('"6h"', '"soon"')))
    assert bad.exit_code == 2
    assert bad.stderr.startswith("chartbot: ") and 'source "netflix", every' in bad.stderr
    assert "Traceback" not in bad.stderr


def test_the_environment_token_wins(tmp_path, monkeypatch):
    config = load_config(write_text_config(tmp_path, GOOD + '\n[discord]\ntoken = "from-file"\n'))
    assert config.discord_token() == "from-file"
    monkeypatch.setenv("CHARTBOT_DISCORD_TOKEN", "from-env")
    assert config.discord_token() == "from-env"
    assert "from-file" not in repr(config.discord)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("30m", 1800), ("6h", 21600), ("1d", 86400), ("1w", 604800), ("45 s", 45)],
)
def test_durations(text, seconds):
    assert parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize(
    ("text", "size"), [("50MB", 50_000_000), ("1 MiB", 1_048_576), ("4096B", 4096)]
)
def test_sizes(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize(
    ("shards", "says"),
    [("20-39/40", "shards: 20-39/40 (delivers only)"), ("0-19/40", "(polls and registers")],
)
def test_check_config_says_the_shards_a_process_runs(tmp_path, shards, says):
    ran = run_cli(
        "check-config",
        "-c",
        write_text_config(tmp_path, GOOD + f'\n[discord]\nshards = "{shards}"\n'),
    )
    assert ran.exit_code == 0, ran.stderr
    assert says in ran.stdout


def test_shards_that_are_not_a_range_of_a_count_are_refused(tmp_path):
    ran = run_cli(
        "check-config", "-c", write_text_config(tmp_path, GOOD + '\n[discord]\nshards = "40"\n')
    )
    assert ran.exit_code == 2
    assert "discord.shards: shards '40': write FIRST-LAST/COUNT, such as 0-9/40" in ran.stderr


def test_check_config_warns_of_what_it_points_at_that_is_not_there(tmp_path):
    pages = f"file://{tmp_path}/saved%20pages/{{country}}/top.html"  # as a browser saves
    text = GOOD.replace('path = "chartbot.db"', 'path = "data/chartbot.db"') + (
        '\n[[sources]]\nname = "mine"\nkind = "netflix_top10"\nurl = "downloads/top10.tsv"\n'
        f'\n[[sources]]\nname = "pages"\nkind = "html"\nurl = "{pages}"\n'
        'countries = ["US"]\nrows = "tr"\ncolumns = { rank = "td", title = "td" }\n'
    )
    ran = run_cli("check-config", "-c", write_text_config(tmp_path, text))
    assert ran.exit_code == 0  # a file may arrive before the first poll: warned, not refused
    assert ran.stderr.splitlines() == [
        f"warning: the database's folder {tmp_path / 'data'} does not exist (make it first)",
        f'warning: source "mine": {tmp_path / "downloads" / "top10.tsv"} does not exist',
        f'warning: source "pages": {tmp_path / "saved pages"} does not exist',
    ]
    (tmp_path / "data").mkdir()
    (tmp_path / "downloads").mkdir()
    (tmp_path / "downloads" / "top10.tsv").write_text("")
    (tmp_path / "saved pages").mkdir()  # the country folders come with the pages
    ran = run_cli("check-config", "-c", tmp_path / "config.toml")
    assert ran.exit_code == 0 and ran.stderr == ""
