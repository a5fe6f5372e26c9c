"""From a source's config to the object that fetches it.

A new kind of source: its config model (bot/config/), its member of SourceKind
(bot/engine/source_types.py) and of the union in bot/config/kinds.py, its class (bot/sources/,
implementing bot/sources/base.py's Source, usually over ConfiguredSource), and its arm
here; mypy checks each from there."""

from __future__ import annotations

from pathlib import Path
from typing import assert_never

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
        case _:  # a kind in SourceConfig without its class here: mypy says so
            assert_never(config)
