"""Ctrl-C in a command is said in one line, and chartbot then ends by SIGINT, as Unix
programs do: a shell running it in a loop stops there too. The moment is made certain,
not timed: the command is reading its config from a FIFO the test holds open."""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.cli import ENGLISH, cli_command, spawn_cli
from tests.helpers.waiting import wait_until


@pytest.fixture
def fifo(tmp_path) -> Path:
    path = tmp_path / "config.toml"
    os.mkfifo(path)
    return path


@contextlib.contextmanager
def held_open(fifo: Path) -> Iterator[None]:
    """Wait until a command opens the FIFO to read it, and keep it waiting for more."""
    writer: list[int] = []

    def opened() -> bool:
        with contextlib.suppress(OSError):  # ENXIO: nobody reads it yet
            writer.append(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        return bool(writer)

    wait_until(opened, what="chartbot to read its config")
    try:
        yield
    finally:
        os.close(writer[0])  # whatever reads it next reads an empty file


def ctrl_c(process: subprocess.Popen) -> tuple[str, str]:
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C sends: the whole foreground group
    return process.communicate(timeout=60)


def test_ctrl_c_in_a_command_is_one_line_and_the_end_by_the_signal(fifo):
    # Its own process group, as a terminal's foreground job.
    process = spawn_cli("check-config", "-c", fifo, start_new_session=True)
    with held_open(fifo):
        _, err = ctrl_c(process)
    assert err == "chartbot: interrupted\n"  # not click's "Aborted!", nor a traceback
    assert process.returncode == -signal.SIGINT  # a shell reports it as 130


def test_ctrl_c_stops_a_shell_loop_running_chartbot(fifo):
    # A shell goes on with its loop after a child that exits 130 (it takes the child to
    # have handled the Ctrl-C), and stops after one that ended by SIGINT.
    command = shlex.join(cli_command("check-config", "-c", fifo))
    process = subprocess.Popen(
        ["bash", "-c", f"for n in 1 2; do {command}; echo went on; done"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **ENGLISH},
        start_new_session=True,
    )
    with held_open(fifo):
        os.killpg(process.pid, signal.SIGINT)
    try:
        out, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:  # the loop went on: its next chartbot waits to read
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
    assert "went on" not in out, (out, err)
    assert process.returncode == -signal.SIGINT
    assert err.startswith("chartbot: interrupted\n"), err
