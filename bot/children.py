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
