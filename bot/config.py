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
from datetime import timedelta
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
from bot.engine.titles import TitleAliases, title_key

log = logging.getLogger(__name__)

DEFAULT_CONFIG_PATH = Path("config.toml")
TOKEN_ENV = "CHARTBOT_DISCORD_TOKEN"

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


def parse_duration(value: Any) -> timedelta:
    """'90s', '30m', '6h', '1d', '1w' (or a number of seconds) -> timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return timedelta(seconds=value)
    if isinstance(value, str) and (m := _DURATION.match(value.lower())):
        seconds = float(m.group(1)) * _DURATION_UNITS[m.group(2)]
        if seconds > 0:
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


SourceConfig = Annotated[NetflixSourceConfig, Field(discriminator="kind")]


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

    def __repr__(self) -> str:  # never print the token
        return f"DiscordConfig(api_base={self.api_base!r}, gateway_url={self.gateway_url!r})"

    __str__ = __repr__

    @field_validator("api_base", "gateway_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")


class LoggingConfig(_Strict):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class Config(_Strict):
    database: DatabaseConfig = Field(default_factory=DatabaseConfig)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    sources: list[SourceConfig] = Field(default_factory=list)
    titles: TitlesConfig = Field(default_factory=TitlesConfig)
    discord: DiscordConfig = Field(default_factory=DiscordConfig)
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

    def resolve(self, path: str | Path) -> Path:
        path = Path(path).expanduser()
        return path if path.is_absolute() else self.base_dir / path

    def source(self, name: str) -> SourceConfig:
        for source in self.sources:
            if source.name == name:
                return source
        known = ", ".join(s.name for s in self.sources) or "none"
        raise ConfigError(f"no source named {name!r} in the config (sources: {known})")

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
    return {"netflix_top10"}


def _suggestion(loc: tuple[Any, ...], data: dict[str, Any]) -> str:
    """' (did you mean 'every'?)' for a misspelt key, from the keys the model accepts."""
    model: Any = Config
    for item in loc[:-1]:
        if isinstance(item, int) or model is None:
            continue
        if item in _source_kinds():
            model = {"netflix_top10": NetflixSourceConfig}[item]
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
