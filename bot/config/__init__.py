"""The one config object: parsed from TOML and validated once, at start.

Every error names the file, the key and what is wrong with it, e.g.
``config.toml: sources[0].every: '6 hours' is not a duration like '30m', '6h' or '1d'``.
Relative paths (the database, a source that reads a local file) are taken
relative to the config file's folder, so a service can be started from anywhere.
"""

from __future__ import annotations

import logging
import os
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlparse

from pydantic import (
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.config.errors import describe
from bot.config.file_sources import (
    APPLE_STOREFRONTS,
    AppleSourceConfig,
    NetflixSourceConfig,
    SpotifySourceConfig,
    TableColumns,
    TableSourceConfig,
)
from bot.config.kinds import SourceConfig, SourceKind
from bot.config.values import Strict, country_code, parse_duration, parse_size
from bot.config.web_sources import (
    PLATFORMS,
    FlixPatrolSelectors,
    FlixPatrolSourceConfig,
    HtmlColumns,
    HtmlSourceConfig,
)
from bot.engine.deliveries import Shards
from bot.engine.health import HealthPolicy
from bot.engine.titles import TitleAliases, title_key
from bot.languages import Language

__all__ = [
    "APPLE_STOREFRONTS",
    "PLATFORMS",
    "AppleSourceConfig",
    "Config",
    "ConfigError",
    "FlixPatrolSelectors",
    "FlixPatrolSourceConfig",
    "HtmlColumns",
    "HtmlSourceConfig",
    "NetflixSourceConfig",
    "SourceConfig",
    "SourceKind",
    "SpotifySourceConfig",
    "TableColumns",
    "TableSourceConfig",
    "load_config",
    "parse_duration",
    "parse_size",
]

log = logging.getLogger(__name__)

DEFAULT_CONFIG_PATH = Path("config.toml")
TOKEN_ENV = "CHARTBOT_DISCORD_TOKEN"


class ConfigError(Exception):
    """A config file that cannot be used; the message is ready for the user."""


class DatabaseConfig(Strict):
    path: Path = Path("chartbot.db")
    busy_timeout: timedelta = timedelta(seconds=60)

    @field_validator("busy_timeout", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> timedelta:
        return parse_duration(value)


class AlertsConfig(Strict):
    """Which events become channel alerts (per-guild settings override these)."""

    watched_markets: list[str] = Field(default_factory=lambda: ["US"])
    min_countries: int = Field(default=10, ge=1)
    # Milestones as alerts of their own: a #1 held for the 2nd, 3rd ... period running in a
    # watched market, and a #1 on a worldwide chart.
    milestones: bool = True
    # The language of alerts, notices and public answers in a server that has not chosen
    # one (nor has a preferred locale chartbot speaks): en, es-ES, es-419, pt-BR, fr, de,
    # ko, ja.
    language: Language = Language.EN

    @field_validator("language", mode="before")
    @classmethod
    def _spoken(cls, value: object) -> object:
        if isinstance(value, str):
            language = Language.parse(value)
            if language is None:
                spoken = ", ".join(language.value for language in Language)
                raise ValueError(f"{value!r} is not a language chartbot speaks: {spoken}")
            return language
        return value

    @field_validator("watched_markets")
    @classmethod
    def _known_markets(cls, markets: list[str]) -> list[str]:
        return [country_code(m) for m in markets]


class TitlesConfig(Strict):
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


class DiscordConfig(Strict):
    token: str | None = None
    api_base: str = "https://discord.com/api/v10"
    gateway_url: str = "wss://gateway.discord.gg"
    application_id: int | None = None
    # /rank adds a rank-history picture (matplotlib) after its first answer.
    rank_images: bool = True
    # A channel's "#1 in N countries" alert carries a world map of those countries (each
    # server can turn it off with /alerts settings pictures: False).
    alert_pictures: bool = True
    # How long the bot waits for the servers Discord is still sending before it is ready.
    guild_ready_timeout: timedelta = timedelta(seconds=2)
    # How often the bot looks at what another process did: alerts it queued (`chartbot poll
    # --once`), a paused source it polled successfully by hand.
    outbox_check: timedelta = timedelta(seconds=2)
    # The gateway shards this process runs, "FIRST-LAST/COUNT" (`chartbot run --shards`);
    # none: every shard Discord asks for, in this one process.
    shards: Shards | None = None

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

    @field_validator("shards", mode="before")
    @classmethod
    def _shards(cls, value: Any) -> Shards | None:
        return Shards.parse(value) if isinstance(value, str) else value


class HealthConfig(Strict):
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


class LimitsConfig(Strict):
    """What one member or server may ask of the bot."""

    subscriptions_per_member: int = Field(default=25, ge=1, le=1000)
    subscriptions_per_server: int = Field(default=2000, ge=1)
    # Subscriptions that mention their member in one channel ("where: here"): each poll
    # could otherwise ping a channel dozens of times.
    mentions_per_channel: int = Field(default=20, ge=0)


class ForecastConfig(Strict):
    """Forecasts of who takes #1 next (bot/forecast)."""

    # "Within N periods": 3 days on a daily chart, 3 weeks on a weekly one.
    horizon: int = Field(default=3, ge=1, le=12)
    # An "on course for #1" alert goes out when a title's chance within the horizon first
    # reaches this.
    alert_at: float = Field(default=0.6, gt=0, lt=1)
    # Periods a model learns from (the latest ones): ten years of a weekly chart.
    window: int = Field(default=520, ge=10)
    # Train and forecast again, in a process of its own, after a poll stores a new period.
    after_polls: bool = True


class LoggingConfig(Strict):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class Config(Strict):
    database: DatabaseConfig = Field(default_factory=DatabaseConfig)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    sources: list[SourceConfig] = Field(default_factory=list)
    titles: TitlesConfig = Field(default_factory=TitlesConfig)
    health: HealthConfig = Field(default_factory=HealthConfig)
    discord: DiscordConfig = Field(default_factory=DiscordConfig)
    limits: LimitsConfig = Field(default_factory=LimitsConfig)
    forecast: ForecastConfig = Field(default_factory=ForecastConfig)
    logging: LoggingConfig = Field(default_factory=LoggingConfig)
    # Where the config was read from: relative paths are resolved against its folder.
    base_dir: Path = Field(default=Path("."), exclude=True)
    # The file it was read from (a poll in its own process reads it again).
    file: Path | None = Field(default=None, exclude=True)

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

    def missing_paths(self) -> list[str]:
        """What the config points at on this machine that is not there: the database's
        folder, a source's file or folder (a path with a {country} placeholder: its folder).
        Warnings, not errors: a file may arrive before the first poll."""
        found = []
        folder = self.database_path.parent
        if not folder.is_dir():
            found.append(f"the database's folder {folder} does not exist (make it first)")
        for source in self.sources:
            if not source.url or source.url.startswith(("http://", "https://")):
                continue
            location = source.url
            if location.startswith("file://"):
                location = unquote(urlparse(location).path)
            path = self.resolve(location)
            templated = [i for i, part in enumerate(path.parts) if "{" in part]
            if templated:  # "data/{country}/x.csv": the folder before the first placeholder
                path = Path(*path.parts[: templated[0]])
            if not path.exists():
                found.append(f'source "{source.name}": {path} does not exist')
        return found


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
    return config_from_dict(
        data, source=str(path), base_dir=path.resolve().parent, file=path.resolve()
    )


def config_from_dict(
    data: dict[str, Any], *, source: str, base_dir: Path, file: Path | None = None
) -> Config:
    try:
        return Config.model_validate({**data, "base_dir": base_dir, "file": file})
    except ValidationError as exc:
        raise ConfigError(describe(exc, data, source, Config)) from None
