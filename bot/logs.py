"""Logging set up in one place: one line per record, on stderr, with text from charts
(titles, file names, error bodies) cleaned of escape sequences as the CLI cleans it."""

from __future__ import annotations

import logging
import re
import sys

# Control characters (escape sequences that would drive the terminal) and bidi controls.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|.)")


def clean(text: str) -> str:
    """Text from a chart (a title, a chart name) made safe to print: escape sequences and
    other control characters taken out."""
    return _CONTROL.sub("", _ANSI.sub("", text))


class CleanFormatter(logging.Formatter):
    """Log lines as safe to read in a terminal as the CLI's own output."""

    def format(self, record: logging.LogRecord) -> str:
        return clean(super().format(record))


def setup(level: str = "INFO", *, verbose: bool = False) -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        CleanFormatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S")
    )
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else getattr(logging, level))
    # Libraries stay quiet unless asked.
    for noisy in ("discord", "apscheduler", "aiohttp", "matplotlib", "PIL"):
        logging.getLogger(noisy).setLevel(logging.INFO if verbose else logging.WARNING)
