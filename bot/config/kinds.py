"""The kinds of source a config can set up: one model per kind, picked by `kind`."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from bot.config.file_sources import (
    AppleSourceConfig,
    NetflixSourceConfig,
    SourceBase,
    SpotifySourceConfig,
    TableSourceConfig,
)
from bot.config.web_sources import FlixPatrolSourceConfig, HtmlSourceConfig
from bot.engine.source_types import SourceKind

__all__ = ["SOURCE_MODELS", "SourceConfig", "SourceKind"]


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
