"""The `chartbot` command: a thin layer over the library.

Each command loads the config, calls one library function and turns the
known errors (a bad config, an unusable database, a failed source) into one
clear line on stderr and a non-zero exit, never a traceback (bot/cli/base.py).
The commands are grouped by what they touch: charts.py, history.py, serving.py.
"""

from bot.cli import (  # noqa: F401 (each registers its commands on `main`)
    catalogs,
    charts,
    forecasts,
    history,
    serving,
)
from bot.cli.base import main

__all__ = ["charts", "forecasts", "history", "main", "serving"]
