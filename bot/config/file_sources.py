"""The chart sources a config can set up, one model per kind (picked by `kind`)."""

from __future__ import annotations

import ipaddress
import re
from datetime import date, timedelta
from typing import Any, Literal, Self
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator

from bot import countries
from bot.config.values import Strict, country_code, parse_duration, parse_size

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MIN_REMOTE_EVERY = timedelta(minutes=1)


def is_remote_url(location: str) -> bool:
    """An http(s) URL of another machine (loopback addresses are this one)."""
    if not location.startswith(("http://", "https://")):
        return False
    host = urlsplit(location).hostname or ""
    if host == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True


def _said(every: timedelta) -> str:
    seconds = every.total_seconds()
    return f'"{seconds:g}s"' if seconds >= 1 else f'"{seconds * 1000:g}ms"'


# Apple Music storefronts with most-played charts (lower-case ISO codes), for countries = "all".
APPLE_STOREFRONTS = (
    "ae ag ai am ao ar at au az bb be bg bh bj bm bo br bs bt bw by bz ca cg ch cl cn co cr cv "
    "cy cz de dk dm do dz ec ee eg es fi fj fm fr gb gd gh gm gr gt gw gy hk hn hr hu id ie il in "
    "is it jm jo jp ke kg kh kn kr kw ky kz la lb lc lk lr lt lu lv md mg mk ml mn mo ms mt mu mw "
    "mx my mz na ne ng ni nl no np nz om pa pe pg ph pk pl pt pw py qa ro ru sa sb sc se sg si sk "
    "sl sn sr sv sz tc td th tj tm tn tr tt tw tz ua ug us uy uz vc ve vg vn ye za zw"
).split()


class SourceBase(Strict):
    name: str
    kind: str  # each kind's model narrows it to its Literal
    every: timedelta = timedelta(hours=6)
    timeout: timedelta = timedelta(seconds=60)
    max_size: int = 200 * 1000**2
    charts: list[str] | None = None
    enabled: bool = True
    # How alerts and /rank name the source ("Netflix · TV Shows"); by default its name.
    label: str | None = Field(default=None, min_length=1, max_length=40)
    # Where it reads (a URL or a path); None: fed by imports (or, FlixPatrol, its API).
    url: str | None = None

    @field_validator("every", "timeout", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> timedelta:
        return parse_duration(value)

    @field_validator("max_size", mode="before")
    @classmethod
    def _size(cls, value: Any) -> int:
        return parse_size(value)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME.match(value):
            example = re.sub(r"[^a-z0-9_-]+", "-", value.lower()).strip("-_")[:40] or "us-daily"
            raise ValueError(
                f"{value!r} cannot be a source's name: use lower-case letters, digits, - and _ "
                f'(up to 40), such as "{example}"'
            )
        return value

    @model_validator(mode="after")
    def _polite(self) -> Self:
        """A remote chart is asked at most once a minute: charts change daily or weekly."""
        host = urlsplit(self.url).hostname if self.url and is_remote_url(self.url) else None
        if host and self.every < MIN_REMOTE_EVERY:
            raise ValueError(
                f"every = {_said(self.every)} would ask {host} for the chart that often: a "
                'remote source is polled at most once a minute ("6h" suits a daily chart)'
            )
        return self


def fixed_country(value: str | None) -> str | None:
    """A fixed country setting, as a code."""
    if value is None:
        return None
    code = countries.lookup(value)
    if code is None:
        raise ValueError(f"{value!r} is not a country (use an ISO code such as 'US')")
    return code


def fixed_period(value: str) -> str:
    """A table's period setting: "today", "filename" or a date."""
    if value in ("today", "filename"):
        return value
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError(f'{value!r}: use "today", "filename" or a date like 2024-01-06') from None


class NetflixSourceConfig(SourceBase):
    """Netflix's official per-country weekly Top 10 TSV (whole history per file)."""

    kind: Literal["netflix_top10"]
    url: str

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_location(value)


def check_location(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must be an http(s) URL or a file path")
    if "://" in value and not value.startswith(("http://", "https://", "file://")):
        raise ValueError(f"{value!r}: only http://, https:// and local paths are supported")
    return value


class SpotifySourceConfig(SourceBase):
    """Spotify chart CSV downloads: a file, a folder of them, or none (fed by imports)."""

    kind: Literal["spotify_charts"]
    url: str | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else check_location(value)


class AppleSourceConfig(SourceBase):
    """Apple Music's per-country most-played feeds: one JSON URL per country."""

    kind: Literal["apple_rss"]
    countries: list[str] | Literal["all"] = "all"
    limit: Literal[10, 25, 50, 100] = 100
    url: str = (
        "https://rss.applemarketingtools.com/api/v2/{country}/music/most-played/{limit}/songs.json"
    )
    chart: str = "songs"
    concurrency: int = Field(default=8, ge=1, le=64)
    retries: int = Field(default=2, ge=0, le=10)
    timeout: timedelta = timedelta(seconds=20)

    @field_validator("countries")
    @classmethod
    def _codes(cls, value: list[str] | str) -> list[str] | str:
        if isinstance(value, str):
            return value
        if not value:
            raise ValueError('name at least one country, or "all"')
        return [country_code(v).lower() for v in value]

    @field_validator("url")
    @classmethod
    def _template(cls, value: str) -> str:
        if "{country}" not in value:
            raise ValueError("the url needs a {country} placeholder (and may use {limit})")
        return check_location(value)

    def country_codes(self) -> list[str]:
        return APPLE_STOREFRONTS if self.countries == "all" else list(self.countries)


class TableColumns(Strict):
    """Which column holds what; names as in the file's header (case ignored)."""

    rank: str
    title: str
    artist: str | None = None
    country: str | None = None
    period: str | None = None
    chart: str | None = None
    weeks: str | None = None
    extra: list[str] = Field(default_factory=list)


class TabularBase(SourceBase):
    """What a table and an HTML table share: where it is, its country when the rows do not
    say, its period (and how its dates are written) and its chart's name."""

    url: str
    country: str | None = None
    period: str = "today"
    period_format: str | None = None
    # What one period is ("N days in the chart"); by default worked out from the dates.
    period_unit: Literal["day", "week"] | None = None
    chart: str | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_location(value)

    @field_validator("country")
    @classmethod
    def _fixed_country(cls, value: str | None) -> str | None:
        return fixed_country(value)

    @field_validator("period")
    @classmethod
    def _fixed_period(cls, value: str) -> str:
        return fixed_period(value)


class TableSourceConfig(TabularBase):
    """Any chart table: CSV, TSV or JSON from a URL or a file, mapped by `columns`."""

    kind: Literal["table"]
    format: Literal["csv", "tsv", "json"] | None = None
    json_rows: str | None = None
    columns: TableColumns

    @model_validator(mode="after")
    def _country_somewhere(self) -> TableSourceConfig:
        if self.columns.country is None and self.country is None:
            raise ValueError('set columns.country, or a fixed country = "US"')
        if self.format is None and self._suffix() not in ("csv", "tsv", "json"):
            raise ValueError(f"cannot tell the format from {self.url!r}: set format")
        return self

    def _suffix(self) -> str:
        return self.url.lower().split("?")[0].removesuffix(".gz").rsplit(".", 1)[-1]

    @property
    def table_format(self) -> str:
        """csv, tsv or json: as set, or from the url's extension."""
        return self.format or self._suffix()
