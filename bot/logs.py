"""Logging set up in one place: one line per record, on stderr."""

from __future__ import annotations

import logging
import sys


def setup(level: str = "INFO", *, verbose: bool = False) -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S")
    )
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else getattr(logging, level))
    # Libraries stay quiet unless asked.
    for noisy in ("discord", "apscheduler", "aiohttp", "matplotlib", "PIL"):
        logging.getLogger(noisy).setLevel(logging.INFO if verbose else logging.WARNING)
