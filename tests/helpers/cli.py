"""The real `chartbot` command, run by tests: in this process, or as a process of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from bot.cli import main


@dataclass
class Ran:
    exit_code: int
    stdout: str
    stderr: str


# What the commands print for people is in $LANG's language when chartbot speaks it: the
# tests read English, whatever the machine's locale.
ENGLISH = {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "LC_MESSAGES": "", "LANGUAGE": ""}


def run_cli(*args: str | Path, env: dict[str, str] | None = None) -> Ran:
    """The real CLI, in this process."""
    runner = CliRunner(env={**ENGLISH, **(env or {})})
    result = runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
    return Ran(result.exit_code, result.stdout, result.stderr)


def cli_command(*args: str | Path) -> list[str]:
    """The command line of the real CLI as a process of its own."""
    return [sys.executable, "-m", "bot", *map(str, args)]


def spawn_cli(*args: str | Path, env: dict[str, str] | None = None, **kw: Any) -> subprocess.Popen:
    """The real CLI, as its own process (for kill and concurrency tests)."""
    return subprocess.Popen(
        cli_command(*args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **ENGLISH, **(env or {})},
        **kw,
    )


def poll_json(config: Path) -> tuple[int, list[dict], str]:
    """`chartbot poll --json`: its exit code, its alerts, its stderr."""
    ran = run_cli("poll", "--json", "-c", config)
    return ran.exit_code, [json.loads(line) for line in ran.stdout.splitlines()], ran.stderr
