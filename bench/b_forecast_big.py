"""The forecast refresh on the 26-million-row store (bench/b_forecast.py): on request."""

from __future__ import annotations

from bench.b_forecast import refresh_on_big_store
from bench.common import Result


def run() -> list[Result]:
    return refresh_on_big_store()
