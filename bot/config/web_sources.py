"""The sources read from web pages and web APIs: FlixPatrol (its official API, or its pages)
and any ranked HTML table."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator

from bot.config.file_sources import SourceBase, TabularBase, check_location
from bot.config.values import Strict, country_code, parse_duration


class FlixPatrolSelectors(Strict):
    """The CSS selectors FlixPatrol's pages are read with: mend one here the day the site
    moves (the defaults are what its pages use)."""

    headings: str = "h1, h2, h3"  # section headings: "TOP 10 Movies", "… by country"
    rows: str = "tr.table-group"  # one ranked row
    title: str = "a[href*='/title/']"  # the title's link in a row
    flag: str = "[class*='fflag-']"  # a country's flag in the table by country (its code)


# FlixPatrol's platforms: page slug -> (the name shown, the API's company id). The ids come
# from public clients of the API (see the README); `company_id` overrides one.
PLATFORMS: dict[str, tuple[str, str | None]] = {
    "netflix": ("Netflix", "cmp_IA6TdMqwf6kuyQvxo9bJ4nKX"),
    "disney": ("Disney+", "cmp_oGtsgdpOrjIu3XzTEnWPt87Y"),
    "amazon-prime": ("Prime Video", "cmp_qypvowjqFhEIpCc0HlQ6VoYk"),
    "apple-tv": ("Apple TV", "cmp_VvmYc7OphiUds0Hgjbz5MESn"),
    "hbo-max": ("HBO Max", "cmp_6UhCvnTeRkgZUtcNGslX9bJL"),
    "hulu": ("Hulu", "cmp_9iwHIMYOCvD6zprSPoHgTJau"),
    "paramount-plus": ("Paramount+", "cmp_riMmDaNhomIc4J2dWGQPKbkZ"),
}
ApiList = Literal["overall", "movies", "tv"]  # FlixPatrol's top-10 lists, as the API's types


def _movies_and_tv() -> list[ApiList]:
    return ["movies", "tv"]


class FlixPatrolSourceConfig(SourceBase):
    """FlixPatrol's daily per-country charts for one platform: from its official API
    (`api_key` or `api_key_env`), or from its pages (`url`: a world or a country page, a
    saved page or a folder of them). Its label is by default the platform's name."""

    kind: Literal["flixpatrol"]
    every: timedelta = timedelta(days=1)
    max_size: int = 20 * 1000**2
    # Pages.
    url: str | None = None
    countries: list[str] | Literal["all"] | None = None  # country pages besides a world page
    selectors: FlixPatrolSelectors = Field(default_factory=FlixPatrolSelectors)
    pause: timedelta = timedelta(seconds=2)  # between two requests (pages or API)
    # The official API.
    platform: str | None = None  # a slug as in FlixPatrol's addresses: "netflix", "disney"
    api_key: SecretStr | None = None
    api_key_env: str | None = None
    api_base: str = "https://api.flixpatrol.com/v2"
    company_id: str | None = None
    lists: list[ApiList] = Field(default_factory=_movies_and_tv)
    backfill_days: int = Field(default=30, ge=0, le=366)
    monthly_requests: int = Field(default=1000, ge=1)  # the plan's allowance

    @field_validator("pause", mode="before")
    @classmethod
    def _pause(cls, value: Any) -> timedelta:
        return parse_duration(value)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else check_location(value)

    @field_validator("countries")
    @classmethod
    def _codes(cls, value: list[str] | str | None) -> list[str] | str | None:
        if value is None or isinstance(value, str):
            return value
        return [country_code(v) for v in value]

    @model_validator(mode="after")
    def _one_way(self) -> FlixPatrolSourceConfig:
        api = self.api_key is not None or self.api_key_env is not None
        if api and self.url:
            raise ValueError("set either url (pages) or api_key/api_key_env (the API), not both")
        if api and self.platform is None:
            raise ValueError(f"the API needs a platform (one of: {', '.join(PLATFORMS)})")
        if self.platform is not None and self.platform not in PLATFORMS and not self.company_id:
            raise ValueError(
                f"platform {self.platform!r} is not one we know the API id of "
                f"({', '.join(PLATFORMS)}): set company_id"
            )
        return self

    @property
    def uses_api(self) -> bool:
        return self.api_key is not None or self.api_key_env is not None

    def key(self) -> str | None:
        """The API key: from the config, or the environment variable it names."""
        if self.api_key is not None:
            return self.api_key.get_secret_value()
        return os.environ.get(self.api_key_env) if self.api_key_env else None

    @property
    def company(self) -> str | None:
        if self.company_id:
            return self.company_id
        return PLATFORMS[self.platform][1] if self.platform in PLATFORMS else None

    @property
    def platform_name(self) -> str | None:
        return PLATFORMS[self.platform][0] if self.platform in PLATFORMS else None


class HtmlColumns(Strict):
    """Where each value is inside one row: CSS selectors (the first match's text)."""

    rank: str
    title: str
    artist: str | None = None
    country: str | None = None
    period: str | None = None
    weeks: str | None = None
    extra: dict[str, str] = Field(default_factory=dict)  # name -> selector


class HtmlSourceConfig(TabularBase):
    """Any ranked HTML table: `rows` selects one element per ranked title, `columns` the
    values inside it. A `url` with a {country} placeholder and a `countries` list reads one
    page per country (one chart, "#1 in N countries" across them)."""

    kind: Literal["html"]
    max_size: int = 20 * 1000**2
    countries: list[str] | None = None
    rows: str
    columns: HtmlColumns
    title_split: str | None = None  # "Artist - Title" cells: the artist before it
    pause: timedelta = timedelta(seconds=2)

    @field_validator("pause", mode="before")
    @classmethod
    def _pause(cls, value: Any) -> timedelta:
        return parse_duration(value)

    @field_validator("countries")
    @classmethod
    def _codes(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and not value:
            raise ValueError("name at least one country")
        return None if value is None else [country_code(v) for v in value]

    @model_validator(mode="after")
    def _country_somewhere(self) -> HtmlSourceConfig:
        placeholder = "{country}" in self.url or "{COUNTRY}" in self.url
        if placeholder and not self.countries:
            raise ValueError("the url has a {country} placeholder: list the countries")
        if self.countries and not placeholder:
            raise ValueError("countries needs a {country} placeholder in the url")
        if not placeholder and self.columns.country is None and self.country is None:
            raise ValueError('set columns.country, a fixed country = "US", or {country} in the url')
        return self
