"""A server's alert settings: what its alert channel gets, with the config's defaults
filling what the server has not set."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot import countries
from bot.config import Config
from bot.engine.deliveries import Shards
from bot.languages import Language
from bot.store.store import Store

ALL = ("all", "any", "*")
DEFAULT = ("default", "reset")
NONE = ("none", "no", "-")


class SettingProblem(StrEnum):
    UNKNOWN_COUNTRIES = "unknown countries"
    UNKNOWN_CHARTS = "unknown charts"


class SettingError(ValueError):
    """A setting a member typed that cannot be used: its kind, what was typed wrong and
    (for charts) what there is; the cog says it in the member's language."""

    def __init__(
        self, problem: SettingProblem, typed: list[str], known: list[str] | None = None
    ) -> None:
        super().__init__(f"{problem}: {', '.join(typed)}")
        self.problem = problem
        self.typed = typed
        self.known = known or []


@dataclass(frozen=True, slots=True)
class ServerDefaults:
    """What a server's alerts are until it sets its own: the config's, declared once."""

    min_countries: int
    watched_markets: tuple[str, ...]
    milestones: bool
    pictures: bool  # a world map with a "#1 in N countries" alert ([discord] alert_pictures)
    language: Language = Language.EN  # [alerts] language
    forecasts: bool = False  # on-course alerts: a server opts in

    @classmethod
    def of(cls, config: Config) -> ServerDefaults:
        alerts = config.alerts
        return cls(
            min_countries=alerts.min_countries,
            watched_markets=tuple(alerts.watched_markets),
            milestones=alerts.milestones,
            pictures=config.discord.alert_pictures,
            language=config.alerts.language,
        )


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """A server's settings as they apply: its own, or the defaults where it set none."""

    channel_id: int | None
    min_countries: int
    watched_markets: tuple[str, ...]
    charts: tuple[str, ...] | None  # None: every chart
    milestones: bool  # streaks and worldwide #1s as alerts of their own
    pictures: bool  # a world map with a "#1 in N countries" alert
    language: Language = Language.EN  # its alerts', notices' and public answers'
    language_chosen: bool = False  # set or seeded; else the config's, for now
    forecasts: bool = False  # on-course alerts (bot/forecast/calls.py)

    def public_language(self, guild_locale: str | None) -> Language:
        """What a public answer is said in: the server's language, else its preferred locale's
        when chartbot speaks it, else the config's (never the member's own)."""
        if self.language_chosen or guild_locale is None:
            return self.language
        return Language.parse(guild_locale) or self.language


@dataclass(frozen=True, slots=True)
class SettingsChange:
    """What a server's admin asked to change, as typed (None: left as it is)."""

    min_countries: int | None = None
    watched_markets: str | None = None  # "US, KR, Japan", "default", "none"
    charts: str | None = None  # "TV, Films", "all"
    milestones: bool | None = None
    pictures: bool | None = None
    language: Language | None = None
    forecasts: bool | None = None


def server_settings(store: Store, guild_id: int | None, defaults: ServerDefaults) -> ServerSettings:
    saved = store.guilds.alerts_for(guild_id) if guild_id is not None else None
    return ServerSettings(
        channel_id=saved.channel_id if saved else None,
        min_countries=(saved.min_countries if saved else None) or defaults.min_countries,
        watched_markets=(
            saved.watched_markets
            if saved and saved.watched_markets is not None
            else defaults.watched_markets
        ),
        charts=saved.charts if saved and saved.charts is not None else None,
        milestones=(
            saved.milestones if saved and saved.milestones is not None else defaults.milestones
        ),
        pictures=saved.pictures if saved and saved.pictures is not None else defaults.pictures,
        language=(saved.language if saved else None) or defaults.language,
        language_chosen=bool(saved and saved.language),
        forecasts=saved.forecasts if saved and saved.forecasts is not None else defaults.forecasts,
    )


def seed_languages(
    store: Store, preferred: dict[int, str], *, now: datetime, create: bool = False
) -> int:
    """Servers with no language take their preferred locale's, when chartbot speaks it
    (`preferred`: server id -> Discord locale); `create`: those with no settings too.
    Returns how many were seeded."""
    spoken = {g: Language.parse(locale) for g, locale in preferred.items()}
    languages = {g: lang for g, lang in spoken.items() if lang}
    return store.guilds.seed_languages(languages, now=now, create=create)


def set_channel(
    store: Store,
    guild_id: int,
    channel_id: int | None,
    *,
    by: int,
    now: datetime,
    preferred: str | None = None,
) -> None:
    """Alerts go to this channel from now on (None: alerts off); a server with no language
    yet takes its preferred locale's (`preferred`) when chartbot speaks it."""
    store.guilds.set_alerts(guild_id, by=by, now=now, channel_id=channel_id)
    if preferred is not None:
        seed_languages(store, {guild_id: preferred}, now=now)
    if channel_id is not None:
        store.outbox.revive_channel(channel_id)


def parse_markets(text: str) -> list[str] | None:
    """'US, KR, Japan' -> ['US', 'KR', 'JP']; 'default' -> None (the config's); 'none' -> []."""
    folded = text.strip().casefold()
    if folded in DEFAULT:
        return None
    if folded in NONE:
        return []
    parts = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
    codes = [countries.lookup(part) for part in parts]
    unknown = [part for part, code in zip(parts, codes, strict=True) if code is None]
    if unknown:
        raise SettingError(SettingProblem.UNKNOWN_COUNTRIES, unknown)
    return list(dict.fromkeys(c for c in codes if c))


def parse_charts(store: Store, text: str) -> list[str] | None:
    """'TV, Films' -> the stored charts of those names; 'all' -> None."""
    if text.strip().casefold() in ALL:
        return None
    known = {c.name.casefold(): c.name for c in store.charts.listing()}
    wanted = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [w for w in wanted if w.casefold() not in known]
    if unknown:
        raise SettingError(SettingProblem.UNKNOWN_CHARTS, unknown, sorted(known.values()))
    return [known[w.casefold()] for w in wanted]


def change_settings(
    store: Store,
    guild_id: int,
    change: SettingsChange,
    defaults: ServerDefaults,
    *,
    by: int,
    now: datetime,
    preferred: str | None = None,
) -> ServerSettings:
    """Change what was asked (SettingError for what cannot be used); the settings after.
    A server with no language yet takes its preferred locale's (`preferred`), as its
    public answers already do."""
    changes: dict[str, object] = {}
    if change.min_countries is not None:
        changes["min_countries"] = change.min_countries
    if change.watched_markets is not None:
        changes["watched_markets"] = parse_markets(change.watched_markets)
    if change.charts is not None:
        changes["charts"] = parse_charts(store, change.charts)
    if change.milestones is not None:
        changes["milestones"] = change.milestones
    if change.pictures is not None:
        changes["pictures"] = change.pictures
    if change.language is not None:
        changes["language"] = change.language.value
    if change.forecasts is not None:
        changes["forecasts"] = change.forecasts
    if changes:
        store.guilds.set_alerts(guild_id, by=by, now=now, **changes)
    if preferred is not None:
        seed_languages(store, {guild_id: preferred}, now=now, create=True)
    return server_settings(store, guild_id, defaults)


LEFT = "the bot is no longer in this server"


def forget_server(store: Store, guild_id: int, *, now: datetime) -> int:
    """The bot left a server: its settings and its members' subscriptions go, nothing more
    is sent there. Returns how many subscriptions went."""
    return store.guilds.forget(guild_id, LEFT, now=now)


def forget_servers_left(
    store: Store, present: set[int], shards: Shards | None, *, now: datetime
) -> list[int]:
    """After (re)connecting: forget the servers of these shards the store keeps something
    of, that the bot is no longer in (it was removed while it was not running)."""
    gone = sorted(
        guild_id
        for guild_id in (store.guilds.known_guilds() | store.outbox.live_servers()) - present
        if shards is None or shards.runs(guild_id)
    )
    for guild_id in gone:
        forget_server(store, guild_id, now=now)
    return gone
