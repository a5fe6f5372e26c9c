"""How chartbot starts a child process of its own (a scheduled poll, the import's reader).

Isolated (`python -I`): the working folder is not put first on the child's `sys.path`,
so a stray `bot.py` or `discord.py` where the bot was started is never imported in its
place, and no PYTHON* variable changes what it runs. The Discord token stays with the
parent: a child polls or reads files and has no use for it.
"""

from __future__ import annotations

import os
import sys

from bot.config import TOKEN_ENV, Config

# A child runs in a process group of its own: a Ctrl-C in the terminal (sent to the whole
# foreground group) reaches chartbot's own process only, which stops its children itself,
# so the terminal shows one line, never a child's traceback from halfway through its start.
OWN_GROUP = 0  # Popen(process_group=OWN_GROUP)


def command(*args: str) -> list[str]:
    return [sys.executable, "-I", *args]


def environment() -> dict[str, str]:
    """The parent's environment without the Discord token."""
    return {name: value for name, value in os.environ.items() if name != TOKEN_ENV}


def without_secrets(config: Config) -> Config:
    """The config to hand a child: the same, without the Discord token."""
    return config.model_copy(update={"discord": config.discord.model_copy(update={"token": None})})


async def run_job(
    config: Config, module: str, argument: str, *, marker: str, timeout: float
) -> tuple[str | None, str]:
    """Run `python -I -m module argument` with the config (pickled on its stdin, without
    the token); the line it printed last after `marker`, or None and what became of it
    ("took longer than 900s and was stopped", "process ended (1): …"). Cancelled (the bot
    stops), the process is stopped too: what it writes is one transaction."""
    # Imported here: the import command's reader starts through this module, and a Ctrl-C
    # while it loads is said in one line (bot/__main__.py); it loads no more than it did.
    import asyncio
    import pickle

    process = await asyncio.create_subprocess_exec(
        *command("-m", module, argument),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=environment(),
        process_group=OWN_GROUP,
    )
    job = pickle.dumps(without_secrets(config))
    try:
        out, err = await asyncio.wait_for(process.communicate(job), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        return None, f"took longer than {timeout:.0f}s and was stopped"
    except asyncio.CancelledError:
        process.kill()
        raise
    lines = out.decode("utf-8", "replace").splitlines()
    if marker in lines and lines[-1] != marker:
        return lines[-1], ""
    said = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
    return None, f"process ended ({process.returncode}): {said[0]}"
