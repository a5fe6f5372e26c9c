"""From a source's config to the object that fetches it."""

from __future__ import annotations

from pathlib import Path

from bot.config import (
    AppleSourceConfig,
    FlixPatrolSourceConfig,
    HtmlSourceConfig,
    NetflixSourceConfig,
    SourceConfig,
    SpotifySourceConfig,
    TableSourceConfig,
)
from bot.engine.titles import TitleAliases
from bot.sources.apple import AppleMusic
from bot.sources.base import Source
from bot.sources.flixpatrol.source import FlixPatrol
from bot.sources.html import HtmlTable
from bot.sources.netflix import NetflixTop10
from bot.sources.spotify import SpotifyCharts
from bot.sources.table import Table


def build_source(
    config: SourceConfig, base_dir: Path, aliases: TitleAliases | None = None
) -> Source:
    aliases = aliases or TitleAliases()
    match config:
        case NetflixSourceConfig():
            return NetflixTop10(config, base_dir, aliases)
        case SpotifySourceConfig():
            return SpotifyCharts(config, base_dir, aliases)
        case AppleSourceConfig():
            return AppleMusic(config, base_dir, aliases)
        case TableSourceConfig():
            return Table(config, base_dir, aliases)
        case FlixPatrolSourceConfig():
            return FlixPatrol(config, base_dir, aliases)
        case HtmlSourceConfig():
            return HtmlTable(config, base_dir, aliases)
    raise ValueError(f"no source kind {config.kind!r}")
