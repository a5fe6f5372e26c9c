"""The kinds of source a config can set up: one model per kind, picked by `kind`."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from bot.config.sources import (
    AppleSourceConfig,
    NetflixSourceConfig,
    SourceBase,
    SpotifySourceConfig,
    TableSourceConfig,
)
from bot.config.web_sources import FlixPatrolSourceConfig, HtmlSourceConfig


class SourceKind(StrEnum):
    NETFLIX = "netflix_top10"
    SPOTIFY = "spotify_charts"
    APPLE = "apple_rss"
    TABLE = "table"
    FLIXPATROL = "flixpatrol"
    HTML = "html"


SOURCE_MODELS: dict[SourceKind, type[SourceBase]] = {
    SourceKind.NETFLIX: NetflixSourceConfig,
    SourceKind.SPOTIFY: SpotifySourceConfig,
    SourceKind.APPLE: AppleSourceConfig,
    SourceKind.TABLE: TableSourceConfig,
    SourceKind.FLIXPATROL: FlixPatrolSourceConfig,
    SourceKind.HTML: HtmlSourceConfig,
}
SourceConfig = Annotated[
    NetflixSourceConfig
    | SpotifySourceConfig
    | AppleSourceConfig
    | TableSourceConfig
    | FlixPatrolSourceConfig
    | HtmlSourceConfig,
    Field(discriminator="kind"),
]
