"""A big import killed with SIGKILL, or stopped with Ctrl-C, and run again: it resumes where it
stopped (or, when the file changed, reads it again from the top), says which, and stores
every row once. Ctrl-C at any moment is said in one line, never a traceback."""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from bench.bigdata import write
from bot.faults import ENV
from tests.helpers.cli import spawn_cli
from tests.helpers.waiting import wait_until

ROWS = 120_000  # asked of the generator (it writes whole days: 102,750); three parts


@pytest.fixture(scope="module")
def big_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("big") / "charts.csv"
    write(path, ROWS)
    return path


def config_in(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / "config.toml"
    path.write_text('[[sources]]\nname = "spotify"\nkind = "spotify_charts"\n', encoding="utf-8")
    return path


def import_(config: Path, file: Path, crash_at: str | None = None) -> tuple[int, str]:
    process = spawn_cli(
        "import",
        file,
        "--source",
        "spotify",
        "-c",
        config,
        env={ENV: crash_at or "", _MARK: str(config)},
    )
    out, err = process.communicate(timeout=120)
    return process.returncode, out + err  # each file's line on stdout, the rest on stderr


_MARK = "CHARTBOT_TEST_IMPORT"  # in the environment of an import and of its reader


def readers_of(config: Path) -> list[int]:
    """Processes still running with this test's import's environment (its reader)."""
    wanted = f"{_MARK}={config}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            with contextlib.suppress(OSError):
                if wanted in (proc / "environ").read_bytes().split(b"\0"):
                    found.append(int(proc.name))
    return found


def stored(config: Path) -> tuple[int, str]:
    """The ranks stored, and a hash of them (titles by name, not by id)."""
    assert has_by_title_index(config)
    with sqlite3.connect(config.parent / "chartbot.db") as db:
        rows = db.execute(
            """SELECT c.name, r.period, r.country, r.rank, t.key, r.extra
               FROM ranks r JOIN charts c ON c.id = r.chart_id JOIN titles t ON t.id = r.title_id
               ORDER BY 1, 2, 3, 4"""
        ).fetchall()
        marks = db.execute("SELECT count(*) FROM import_marks").fetchone()[0]
    assert marks == 0  # nothing left half done
    return len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()


def has_by_title_index(config: Path) -> bool:
    with sqlite3.connect(config.parent / "chartbot.db") as db:
        found = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'ranks_by_title'")
        return found.fetchone() is not None


@pytest.fixture(scope="module")
def timed_whole(big_file, tmp_path_factory) -> tuple[tuple[int, str], float]:
    """What one uninterrupted import stores, and how long it took (to pick moments in it)."""
    config = config_in(tmp_path_factory.mktemp("whole"))
    began = time.monotonic()
    code, err = import_(config, big_file)
    assert code == 0, err
    return stored(config), time.monotonic() - began


@pytest.fixture(scope="module")
def whole(timed_whole) -> tuple[int, str]:
    return timed_whole[0]


@pytest.mark.parametrize("point", ["in_import:2", "after_import:2"])
def test_a_big_import_killed_halfway_resumes_where_it_stopped(point, big_file, whole, tmp_path):
    config = config_in(tmp_path)
    code, _ = import_(config, big_file, crash_at=point)
    assert code == -signal.SIGKILL
    # The process reading the file for it stops too (its next write finds nobody reading).
    wait_until(lambda: not readers_of(config), what="the killed import's reader to stop")
    assert not has_by_title_index(config)  # a first import builds it at its end
    code, err = import_(config, big_file)
    assert code == 0, err
    # The first run stored one part (the second was lost with its transaction) or two
    # (the kill came just after the second's); this one reads on from there. The parts
    # end at the first group boundary past 50,000 rows: exactly 50,000 in this file.
    rows = 50_000 if point.startswith("in_") else 100_000
    assert f"spotify: resumed at line {rows + 2:,} after the {rows:,} rows an earlier run" in err
    assert f"({whole[0] - rows:,} ranks), added " in err
    assert stored(config) == whole


def test_a_file_changed_since_the_kill_is_read_again_from_the_top(big_file, whole, tmp_path):
    config = config_in(tmp_path)
    file = tmp_path / big_file.name
    file.write_bytes(big_file.read_bytes())
    code, _ = import_(config, file, crash_at="after_import:1")
    assert code == -signal.SIGKILL
    stat = file.stat()
    os.utime(file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # saved again
    code, err = import_(config, file)
    assert code == 0, err
    assert "resumed" not in err
    assert "but the file has changed since: it was read from the top" in err
    assert stored(config) == whole


def test_a_same_size_edit_of_the_part_stored_is_read_again_from_the_top(big_file, whole, tmp_path):
    config = config_in(tmp_path)
    file = tmp_path / big_file.name
    file.write_bytes(big_file.read_bytes())
    code, _ = import_(config, file, crash_at="after_import:1")  # its first part stored
    assert code == -signal.SIGKILL
    before = file.stat()
    body = bytearray(file.read_bytes())
    # One digit changed past the first MiB, inside the first part (lines 2 to 50,001),
    # and the file's time put back: the same size, time and start.
    line_30000 = body.index(b"\n", 0)
    for _ in range(30_000):
        line_30000 = body.index(b"\n", line_30000 + 1)
    assert line_30000 > 1 << 20
    digit = next(i for i in range(line_30000, len(body)) if body[i : i + 1].isdigit())
    body[digit] = ord("7") if body[digit] != ord("7") else ord("3")
    file.write_bytes(bytes(body))
    os.utime(file, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert file.stat().st_size == before.st_size
    code, err = import_(config, file)
    assert code == 0, err
    assert "resumed" not in err
    assert "but the file has changed since: it was read from the top" in err


# Moments of the import, as parts of an uninterrupted one's time: while Python loads the
# modules, while the reader starts, between and inside the parts' transactions, near the end.
@pytest.mark.parametrize("moment", [0.03, 0.4, 0.65, 0.9])
def test_ctrl_c_at_any_moment_says_how_to_go_on_and_loses_nothing(
    moment, big_file, timed_whole, tmp_path
):
    whole, took = timed_whole
    config = config_in(tmp_path)
    process = spawn_cli(
        "import",
        big_file,
        "--source",
        "spotify",
        "-c",
        config,
        env={_MARK: str(config)},
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    time.sleep(took * moment)
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C sends: the whole foreground group
    _, err = process.communicate(timeout=120)
    if process.returncode == 0:  # it had finished: nothing to check but the store
        assert stored(config) == whole
        return
    # Ended by the signal itself, which a shell reports as 130 (bot/__main__.py says why).
    assert process.returncode == -signal.SIGINT, err
    # Nothing from the reader process either (it is out of the terminal's reach).
    assert "Traceback" not in err and "Error" not in err and "Fatal" not in err, err
    said = err.strip().splitlines()[-1]
    assert said.startswith("chartbot: interrupted"), err
    wait_until(lambda: not readers_of(config), what="the interrupted import's reader to stop")
    if "resume from line" in said:
        line = int(said.rsplit(" ", 1)[1].replace(",", ""))
        code, err = import_(config, big_file)
        assert code == 0, err
        assert f"spotify: resumed at line {line:,}" in err
    else:
        code, err = import_(config, big_file)
        assert code == 0, err
    assert stored(config) == whole
