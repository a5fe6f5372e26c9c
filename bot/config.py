"""The one config object: parsed from TOML and validated once, at start.

Every error names the file, the key and what is wrong with it, e.g.
``config.toml: sources[0].every: '6 hours' is not a duration like '30m', '6h' or '1d'``.
Relative paths (the database, a source that reads a local file) are taken
relative to the config file's folder, so a service can be started from anywhere.
"""

from __future__ import annotations

import difflib
import logging
import os
import re
import tomllib
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from bot import countries
from bot.engine.health import HealthPolicy
from bot.engine.titles import TitleAliases, title_key

log = logging.getLogger(__name__)

DEFAULT_CONFIG_PATH = Path("config.toml")
TOKEN_ENV = "CHARTBOT_DISCORD_TOKEN"

# Apple Music storefronts with most-played charts (lower-case ISO codes), for countries = "all".
APPLE_STOREFRONTS = (
    "ae ag ai am ao ar at au az bb be bg bh bj bm bo br bs bt bw by bz ca cg ch cl cn co cr cv "
    "cy cz de dk dm do dz ec ee eg es fi fj fm fr gb gd gh gm gr gt gw gy hk hn hr hu id ie il in "
    "is it jm jo jp ke kg kh kn kr kw ky kz la lb lc lk lr lt lu lv md mg mk ml mn mo ms mt mu mw "
    "mx my mz na ne ng ni nl no np nz om pa pe pg ph pk pl pt pw py qa ro ru sa sb sc se sg si sk "
    "sl sn sr sv sz tc td th tj tm tn tr tt tw tz ua ug us uy uz vc ve vg vn ye za zw"
).split()

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


class ConfigError(Exception):
    """A config file that cannot be used; the message is ready for the user."""


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


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseConfig(_Strict):
    path: Path = Path("chartbot.db")
    busy_timeout: timedelta = timedelta(seconds=60)

    @field_validator("busy_timeout", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> timedelta:
        return parse_duration(value)


class AlertsConfig(_Strict):
    """Which events become channel alerts (per-guild settings override these)."""

    watched_markets: list[str] = Field(default_factory=lambda: ["US"])
    min_countries: int = Field(default=10, ge=1)

    @field_validator("watched_markets")
    @classmethod
    def _known_markets(cls, markets: list[str]) -> list[str]:
        return [_country_code(m) for m in markets]


def _country_code(value: str) -> str:
    code = countries.lookup(value)
    if code is None:
        raise ValueError(f"{value!r} is not a country (use an ISO code such as 'US' or 'KR')")
    return code


class _SourceBase(_Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")
    every: timedelta = timedelta(hours=6)
    timeout: timedelta = timedelta(seconds=60)
    max_size: int = 200 * 1000**2
    charts: list[str] | None = None
    enabled: bool = True

    @field_validator("every", "timeout", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> timedelta:
        return parse_duration(value)

    @field_validator("max_size", mode="before")
    @classmethod
    def _size(cls, value: Any) -> int:
        return parse_size(value)


class NetflixSourceConfig(_SourceBase):
    """Netflix's official per-country weekly Top 10 TSV (whole history per file)."""

    kind: Literal["netflix_top10"]
    url: str

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return _check_location(value)


def _check_location(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must be an http(s) URL or a file path")
    if "://" in value and not value.startswith(("http://", "https://", "file://")):
        raise ValueError(f"{value!r}: only http://, https:// and local paths are supported")
    return value


class SpotifySourceConfig(_SourceBase):
    """Spotify chart CSV downloads: a file, a folder of them, or none (fed by imports)."""

    kind: Literal["spotify_charts"]
    url: str | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else _check_location(value)


class AppleSourceConfig(_SourceBase):
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
        return [_country_code(v).lower() for v in value]

    @field_validator("url")
    @classmethod
    def _template(cls, value: str) -> str:
        if "{country}" not in value:
            raise ValueError("the url needs a {country} placeholder (and may use {limit})")
        return _check_location(value)

    def country_codes(self) -> list[str]:
        return APPLE_STOREFRONTS if self.countries == "all" else list(self.countries)


class TableColumns(_Strict):
    """Which column holds what; names as in the file's header (case ignored)."""

    rank: str
    title: str
    artist: str | None = None
    country: str | None = None
    period: str | None = None
    chart: str | None = None
    weeks: str | None = None
    extra: list[str] = Field(default_factory=list)


class TableSourceConfig(_SourceBase):
    """Any chart table: CSV, TSV or JSON from a URL or a file, mapped by `columns`."""

    kind: Literal["table"]
    url: str
    format: Literal["csv", "tsv", "json"] | None = None
    json_rows: str | None = None
    columns: TableColumns
    country: str | None = None
    period: str = "today"
    period_format: str | None = None
    # What one period is ("N days in the chart"); by default worked out from the dates.
    period_unit: Literal["day", "week"] | None = None
    chart: str | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return _check_location(value)

    @field_validator("country")
    @classmethod
    def _fixed_country(cls, value: str | None) -> str | None:
        if value is None:
            return None
        code = countries.lookup(value)
        if code is None:
            raise ValueError(f"{value!r} is not a country (use an ISO code such as 'US')")
        return code

    @field_validator("period")
    @classmethod
    def _fixed_period(cls, value: str) -> str:
        if value in ("today", "filename"):
            return value
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise ValueError(
                f'{value!r}: use "today", "filename" or a date like 2024-01-06'
            ) from None

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


SOURCE_MODELS: dict[str, type[_SourceBase]] = {
    "netflix_top10": NetflixSourceConfig,
    "spotify_charts": SpotifySourceConfig,
    "apple_rss": AppleSourceConfig,
    "table": TableSourceConfig,
}
SourceConfig = Annotated[
    NetflixSourceConfig | SpotifySourceConfig | AppleSourceConfig | TableSourceConfig,
    Field(discriminator="kind"),
]


class TitlesConfig(_Strict):
    """Title identity beyond spelling: groups of names that are one title."""

    merge: list[list[str]] = Field(default_factory=list)

    @field_validator("merge")
    @classmethod
    def _groups(cls, groups: list[list[str]]) -> list[list[str]]:
        seen: dict[str, int] = {}
        for index, group in enumerate(groups):
            if len(group) < 2:
                raise ValueError(f"group {index + 1} names one title; a merge needs two or more")
            for name in group:
                if not name.strip():
                    raise ValueError(f"group {index + 1} has an empty name")
                key = title_key(name)
                if key in seen and seen[key] != index:
                    raise ValueError(f"{name!r} is in groups {seen[key] + 1} and {index + 1}")
                seen[key] = index
        return groups


class DiscordConfig(_Strict):
    token: str | None = None
    api_base: str = "https://discord.com/api/v10"
    gateway_url: str = "wss://gateway.discord.gg"
    application_id: int | None = None
    # /rank adds a rank-history picture (matplotlib) after its first answer.
    rank_images: bool = True
    # How long the bot waits for the servers Discord is still sending before it is ready.
    guild_ready_timeout: timedelta = timedelta(seconds=2)
    # How often the bot looks for alerts queued by another process (`chartbot poll --once`).
    outbox_check: timedelta = timedelta(seconds=2)

    def __repr__(self) -> str:  # never print the token
        return f"DiscordConfig(api_base={self.api_base!r}, gateway_url={self.gateway_url!r})"

    __str__ = __repr__

    @field_validator("api_base", "gateway_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("guild_ready_timeout", "outbox_check", mode="before")
    @classmethod
    def _ready(cls, value: Any) -> timedelta:
        return parse_duration(value)


class HealthConfig(_Strict):
    """When a failing source is retried, reported to the admins, and paused."""

    notify_after: timedelta = timedelta(hours=1)
    disable_after: int = Field(default=20, ge=0)
    retry_first: timedelta = timedelta(minutes=1)

    @field_validator("notify_after", mode="before")
    @classmethod
    def _delay(cls, value: Any) -> timedelta:
        return parse_duration(value, zero=True)

    @field_validator("retry_first", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> timedelta:
        return parse_duration(value)


class LimitsConfig(_Strict):
    """What one member or server may ask of the bot."""

    subscriptions_per_member: int = Field(default=25, ge=1, le=1000)
    subscriptions_per_server: int = Field(default=2000, ge=1)
    # Subscriptions that mention their member in one channel ("where: here"): each poll
    # could otherwise ping a channel dozens of times.
    mentions_per_channel: int = Field(default=20, ge=0)


class LoggingConfig(_Strict):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class Config(_Strict):
    database: DatabaseConfig = Field(default_factory=DatabaseConfig)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    sources: list[SourceConfig] = Field(default_factory=list)
    titles: TitlesConfig = Field(default_factory=TitlesConfig)
    health: HealthConfig = Field(default_factory=HealthConfig)
    discord: DiscordConfig = Field(default_factory=DiscordConfig)
    limits: LimitsConfig = Field(default_factory=LimitsConfig)
    logging: LoggingConfig = Field(default_factory=LoggingConfig)
    # Where the config was read from: relative paths are resolved against its folder.
    base_dir: Path = Field(default=Path("."), exclude=True)

    @model_validator(mode="after")
    def _unique_source_names(self) -> Config:
        seen: set[str] = set()
        for source in self.sources:
            if source.name in seen:
                raise ValueError(f"two sources are named {source.name!r}; names must be unique")
            seen.add(source.name)
        return self

    @property
    def database_path(self) -> Path:
        return self.resolve(self.database.path)

    @property
    def busy_timeout(self) -> float:
        return self.database.busy_timeout.total_seconds()

    def resolve(self, path: str | Path) -> Path:
        path = Path(path).expanduser()
        return path if path.is_absolute() else self.base_dir / path

    def source(self, name: str) -> SourceConfig:
        for source in self.sources:
            if source.name == name:
                return source
        known = ", ".join(s.name for s in self.sources) or "none"
        raise ConfigError(f"no source named {name!r} in the config (sources: {known})")

    def health_policy(self) -> HealthPolicy:
        return HealthPolicy(
            notify_after=self.health.notify_after,
            disable_after=self.health.disable_after,
            retry_first=self.health.retry_first,
        )

    def title_aliases(self) -> TitleAliases:
        return TitleAliases(self.titles.merge)

    def discord_token(self) -> str | None:
        return os.environ.get(TOKEN_ENV) or self.discord.token


def load_config(path: str | Path = DEFAULT_CONFIG_PATH) -> Config:
    """Read and validate a config file, or raise ConfigError naming what is wrong."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        hint = " (copy config.example.toml to start one)" if path == DEFAULT_CONFIG_PATH else ""
        raise ConfigError(f"{path}: config file not found{hint}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    return config_from_dict(data, source=str(path), base_dir=path.resolve().parent)


def config_from_dict(data: dict[str, Any], *, source: str, base_dir: Path) -> Config:
    try:
        return Config.model_validate({**data, "base_dir": base_dir})
    except ValidationError as exc:
        raise ConfigError(_describe(exc, data, source)) from None


def _describe(exc: ValidationError, data: dict[str, Any], source: str) -> str:
    lines = []
    for error in exc.errors():
        loc = _location(error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key" + _suggestion(error["loc"], data)
        elif error["type"] == "missing":
            message = "is required"
        elif error["type"] == "union_tag_invalid":
            message = (
                f"unknown kind {error['input'].get('kind')!r} "
                f"(known kinds: {', '.join(sorted(_source_kinds()))})"
            )
        elif error["type"] == "union_tag_not_found":
            message = f"needs a 'kind' (one of: {', '.join(sorted(_source_kinds()))})"
        lines.append(f"{source}: {loc}: {message}" if loc else f"{source}: {message}")
    return "\n".join(lines)


def _location(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts[-1:] = [f"{parts[-1]}[{item}]"] if parts else [f"[{item}]"]
        elif item in _source_kinds():
            continue  # the discriminated union adds the kind as a level of its own
        else:
            parts.append(str(item))
    return ".".join(parts)


def _source_kinds() -> set[str]:
    return set(SOURCE_MODELS)


def _suggestion(loc: tuple[Any, ...], data: dict[str, Any]) -> str:
    """' (did you mean 'every'?)' for a misspelt key, from the keys the model accepts."""
    model: Any = Config
    for item in loc[:-1]:
        if isinstance(item, int) or model is None:
            continue
        if item in _source_kinds():
            model = SOURCE_MODELS[item]
            continue
        field = model.model_fields.get(item) if hasattr(model, "model_fields") else None
        annotation = field.annotation if field else None
        model = _model_of(annotation)
    if model is None or not hasattr(model, "model_fields"):
        return ""
    close = difflib.get_close_matches(str(loc[-1]), list(model.model_fields), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _model_of(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_of(arg)
        if found is not None:
            return found
    return None
