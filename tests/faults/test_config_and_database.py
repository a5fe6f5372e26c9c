"""Starting up wrong: a missing or rejected token, a bad config, an unusable database.
Each ends with one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

import sqlite3
import subprocess

import pytest

from tests.helpers.bot_process import BotProcess
from tests.helpers.cli import poll_json, run_cli
from tests.helpers.configs import write_config
from tests.helpers.netflix import EXPECTED, WEEK_1, WEEK_2
from tests.helpers.oracle import as_tuples
from tests.helpers.shared_data import needs_shared_data


def test_a_rejected_token_is_one_clear_line(config, fake):
    process = BotProcess(config, env={"CHARTBOT_DISCORD_TOKEN": "wrong"}).start()
    assert process.wait_exit() == 1
    output = process.output()
    assert "chartbot: Discord rejected the token (401)" in output
    assert "Traceback" not in output and "wrong" not in output


def test_a_missing_token_is_one_clear_line(config, fake, monkeypatch):
    monkeypatch.delenv("CHARTBOT_DISCORD_TOKEN", raising=False)
    ran = run_cli("run", "-c", config)
    assert ran.exit_code == 2
    assert "no Discord token: set CHARTBOT_DISCORD_TOKEN" in ran.stderr


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[database\npath = 'x'", "invalid TOML"),
        (
            "[[sources]]\nname = 'n'\nkind = 'netflix_top10'\nurl = 'x.tsv'\nspeed = 'fast'\n",
            'source "n", speed: unknown key',
        ),
        ("[alerts]\nmin_countries = 'ten'\n", "alerts.min_countries"),
    ],
)
def test_a_bad_config_is_one_line_and_exit_2(tmp_path, text, says):
    config = tmp_path / "config.toml"
    config.write_text(text)
    for command in (
        ["poll", "--once"],
        ["rank", "x"],
        ["status"],
        ["run"],
        ["import", "x.tsv", "--source", "n"],
    ):
        ran = run_cli(*command, "-c", config)
        assert ran.exit_code == 2, command
        assert ran.stderr.startswith(f"chartbot: {config}: ") and says in ran.stderr
        assert "Traceback" not in ran.stderr
    assert not (tmp_path / "chartbot.db").exists()  # nothing half-made


@needs_shared_data
def test_a_locked_database_is_one_line(tmp_path, chart_server):
    config = write_config(tmp_path, chart_server.serve("top10.tsv", WEEK_1))
    config.write_text(
        config.read_text().replace(
            'path = "chartbot.db"', 'path = "chartbot.db"\nbusy_timeout = "1s"'
        )
    )
    assert poll_json(config)[0] == 0
    chart_server.serve("top10.tsv", WEEK_2)
    holder = sqlite3.connect(tmp_path / "chartbot.db")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        code, alerts, stderr = poll_json(config)
    finally:
        holder.rollback()
        holder.close()
    assert (code, alerts) == (1, [])
    assert stderr.strip().splitlines()[-1] == (
        "chartbot: database: the database is locked by another process; try again when it is done"
    )
    assert "Traceback" not in stderr
    code, alerts, _ = poll_json(config)  # the lock gone, the week alerts as it should
    assert code == 0 and as_tuples(alerts) == EXPECTED


@needs_shared_data
def test_a_database_from_a_newer_chartbot_is_refused(tmp_path, chart_server):
    config = write_config(tmp_path, chart_server.serve("top10.tsv", WEEK_1))
    assert poll_json(config)[0] == 0
    db = sqlite3.connect(tmp_path / "chartbot.db")
    db.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
        " VALUES ('chartbot', '0099_future', 'x')"
    )
    db.commit()
    db.close()
    ran = run_cli("poll", "-c", config)
    assert ran.exit_code == 1
    assert (
        "was written by a newer chartbot (it has migration '0099_future'); upgrade chartbot"
        in ran.stderr
    )


@needs_shared_data
def test_a_file_that_is_not_a_database_is_refused(tmp_path, chart_server):
    config = write_config(tmp_path, chart_server.serve("top10.tsv", WEEK_1))
    (tmp_path / "chartbot.db").write_bytes(b"these are my notes, not a database" * 100)
    ran = run_cli("poll", "-c", config)
    assert ran.exit_code == 1
    assert "the file is not a chartbot database (or it is damaged)" in ran.stderr
    assert (tmp_path / "chartbot.db").read_bytes().startswith(b"these are my notes")


@needs_shared_data
def test_a_read_only_database_is_one_line(tmp_path, chart_server):
    config = write_config(tmp_path, chart_server.serve("top10.tsv", WEEK_1))
    assert poll_json(config)[0] == 0
    database = tmp_path / "chartbot.db"
    chart_server.serve("top10.tsv", WEEK_2)
    if subprocess.run(["chattr", "+i", str(database)], capture_output=True).returncode:
        pytest.skip("cannot make the file immutable here")
    try:
        code, alerts, stderr = poll_json(config)
    finally:
        subprocess.run(["chattr", "-i", str(database)], check=True)
    assert (code, alerts) == (1, [])
    assert "read-only" in stderr and "Traceback" not in stderr


@needs_shared_data
@pytest.mark.parametrize("kind", ["read-only", "a folder"])
def test_a_database_file_left_unusable_beside_it_is_named(tmp_path, chart_server, kind):
    """The database is fine but its -shm (left by a crash, or a copy) is not: the message
    names the -shm and the fix, not just "the file is read-only"."""
    config = write_config(tmp_path, chart_server.serve("top10.tsv", WEEK_1))
    assert poll_json(config)[0] == 0
    shm = tmp_path / "chartbot.db-shm"
    shm.unlink(missing_ok=True)
    chart_server.serve("top10.tsv", WEEK_2)
    if kind == "a folder":
        shm.mkdir()
    else:
        shm.touch()
        if subprocess.run(["chattr", "+i", str(shm)], capture_output=True).returncode:
            pytest.skip("cannot make the file immutable here")
    try:
        code, alerts, stderr = poll_json(config)
    finally:
        if kind == "read-only":
            subprocess.run(["chattr", "-i", str(shm)], check=True)
    assert (code, alerts) == (1, [])
    said = {
        "read-only": f"{shm} is read-only for this user: chmod u+rw {shm}, or remove it",
        "a folder": f"{shm} is not a file: remove it while no chartbot runs",
    }[kind]
    assert said in stderr and "Traceback" not in stderr
