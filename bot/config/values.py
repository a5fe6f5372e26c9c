"""Reading a config's values: durations, sizes, country codes, and the strict model base."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict

from bot import countries

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$")
_DURATION_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|kib|mib|gib)\s*$", re.IGNORECASE)
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
    """'90s', '30m', '6h', '1d', '1w' -> timedelta. A bare number is refused: `every = 6`
    would be six seconds to one reader and six hours to another.

    Zero is accepted only where it means something ("notify at once").
    """
    seconds: float | None = None
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif _is_number(value) or (isinstance(value, str) and _NUMBER.match(value)):
        number = str(value).strip()
        raise ValueError(
            f'{number} needs a unit: write "{number}h" for hours, "{number}m" for minutes '
            f'or "{number}s" for seconds'
        )
    elif isinstance(value, str) and (m := _DURATION.match(value.lower())):
        seconds = float(m.group(1)) * _DURATION_UNITS[m.group(2)]
    if seconds is not None and (seconds > 0 or (zero and seconds == 0)):
        return timedelta(seconds=seconds)
    raise ValueError(f'{value!r} is not a duration like "30m", "6h" or "1d"')


def parse_size(value: Any) -> int:
    """'50MB', '200 MiB', '4096B' -> a number of bytes. A bare number is refused:
    `max_size = 200` would be 200 bytes, which no chart fits in."""
    if _is_number(value) or (isinstance(value, str) and _NUMBER.match(value)):
        number = str(value).strip()
        raise ValueError(
            f'{number} needs a unit: write "{number}MB" (megabytes), "{number}KB" or '
            f'"{number}B" (bytes)'
        )
    if isinstance(value, str) and (m := _SIZE.match(value)):
        size = int(float(m.group(1)) * _SIZE_UNITS[m.group(2).lower()])
        if size > 0:
            return size
    raise ValueError(f'{value!r} is not a size like "50MB" or "200MiB"')


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_NUMBER = re.compile(r"^\s*\d+(?:\.\d+)?\s*$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def country_code(value: str) -> str:
    code = countries.lookup(value)
    if code is None:
        raise ValueError(f"{value!r} is not a country (use an ISO code such as 'US' or 'KR')")
    return code
