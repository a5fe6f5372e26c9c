"""Imports through the real CLI (bot/importer.py): a file given to the wrong source says
what it looks like and which configured source reads it."""

from __future__ import annotations

import gzip

import pytest

from tests.helpers.cli import run_cli
from tests.helpers.configs import write_text_config
from tests.helpers.netflix import NETFLIX_WEEK_1
from tests.helpers.shared_data import needs_shared_data
from tests.helpers.spotify import SPOTIFY

CONFIG = """
[[sources]]
name = "netflix"
kind = "netflix_top10"
url = "all-weeks-countries.tsv.gz"

[[sources]]
name = "spotify"
kind = "spotify_charts"
"""


@needs_shared_data
@pytest.mark.parametrize(
    ("file", "given_to", "says"),
    [
        pytest.param(
            "all-weeks-countries.tsv.gz",
            "spotify",
            "all-weeks-countries.tsv.gz: not UTF-8 text (bad byte 0x8b on line 1) — it looks "
            'like Netflix\'s per-country Top 10 file; source "netflix" reads it: --source netflix',
            id="gzip Netflix file to Spotify",
        ),
        pytest.param(
            "regional-global-weekly-2023-11-09.csv",
            "netflix",
            "regional-global-weekly-2023-11-09.csv: the first line is not a TSV header: "
            "'rank,uri,artist_names,track_name,source,peak_rank,previous_r' — it looks like a "
            'charts.spotify.com download; source "spotify" reads it: --source spotify',
            id="Spotify download to Netflix",
        ),
    ],
)
def test_a_file_given_to_the_wrong_source_names_the_source_that_reads_it(
    tmp_path, file, given_to, says
):
    config = write_text_config(tmp_path, CONFIG)
    (tmp_path / "all-weeks-countries.tsv.gz").write_bytes(
        gzip.compress(NETFLIX_WEEK_1.read_bytes())
    )
    (tmp_path / "regional-global-weekly-2023-11-09.csv").write_bytes(
        (SPOTIFY / "regional-global-weekly-2023-11-09.csv").read_bytes()
    )
    ran = run_cli("import", tmp_path / file, "--source", given_to, "-c", config)
    assert ran.exit_code == 1
    assert ran.stderr == f"chartbot: {says}\n"


@needs_shared_data
def test_a_file_no_configured_source_reads_says_which_kind_would(tmp_path):
    config = write_text_config(tmp_path, CONFIG.split('[[sources]]\nname = "spotify"')[0])
    (tmp_path / "all-weeks-countries.tsv.gz").write_bytes(b"")
    download = tmp_path / "regional-global-weekly-2023-11-09.csv"
    download.write_bytes((SPOTIFY / download.name).read_bytes())
    ran = run_cli("import", download, "--source", "netflix", "-c", config)
    assert ran.exit_code == 1
    assert 'a source of kind "spotify_charts" reads it (none is configured)' in ran.stderr


def test_an_import_whose_every_file_is_skipped_says_nothing_was_stored(tmp_path):
    config = write_text_config(tmp_path, CONFIG)
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("not,a,chart\n1,2,3\n")
    second.write_text("")
    ran = run_cli("import", first, second, "--source", "spotify", "-c", config)
    assert ran.exit_code == 1
    assert [line.split(":")[0] for line in ran.stdout.splitlines()] == [
        "spotify (a.csv)",
        "spotify (b.csv)",
    ]
    assert ran.stderr == "chartbot: all 2 files skipped; nothing stored\n"
