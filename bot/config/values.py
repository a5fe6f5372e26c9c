"""Reading a config's values: durations, sizes, country codes, and the strict model base."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict

from bot import countries

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$")
_DURATION_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|kib|mib|gib)?\s*$", re.IGNORECASE)
_SIZE_UNITS = {
    "b": 1,
    "kb": 1000,
    "mb": 1000**2,
    "gb": 1000**3,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
}


def parse_duration(value: Any, *, zero: bool = False) -> timedelta:
    """'90s', '30m', '6h', '1d', '1w' (or a number of seconds) -> timedelta.

    Zero is accepted only where it means something ("notify at once").
    """
    seconds: float | None = None
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str) and (m := _DURATION.match(value.lower())):
        seconds = float(m.group(1)) * _DURATION_UNITS[m.group(2)]
    if seconds is not None and (seconds > 0 or (zero and seconds == 0)):
        return timedelta(seconds=seconds)
    raise ValueError(f"{value!r} is not a duration like '30m', '6h' or '1d'")


def parse_size(value: Any) -> int:
    """'50MB', '200 MiB', '4096' -> a number of bytes."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str) and (m := _SIZE.match(value)):
        size = int(float(m.group(1)) * _SIZE_UNITS[(m.group(2) or "b").lower()])
        if size > 0:
            return size
    raise ValueError(f"{value!r} is not a size like '50MB' or '200MiB'")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def country_code(value: str) -> str:
    code = countries.lookup(value)
    if code is None:
        raise ValueError(f"{value!r} is not a country (use an ISO code such as 'US' or 'KR')")
    return code
