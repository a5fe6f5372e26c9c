"""From a source's config to the object that fetches it.

A new kind of source: its config model (bot/config/), its member of SourceKind
(bot/engine/source_types.py) and of the union in bot/config/kinds.py, its class (bot/sources/,
implementing bot/sources/base.py's Source, usually over ConfiguredSource), and its arm
here; mypy checks each from there."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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
from bot.engine.source_types import SourceKind
from bot.engine.titles import TitleAliases
from bot.sources import apple, html, netflix
from bot.sources.apple import AppleMusic
from bot.sources.base import Source
from bot.sources.flixpatrol import pages
from bot.sources.flixpatrol.source import FlixPatrol
from bot.sources.html import HtmlTable
from bot.sources.netflix import NetflixTop10
from bot.sources.spotify import SpotifyCharts, layouts
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


@dataclass(frozen=True, slots=True)
class Recognised:
    """What a file looks like, and the kind of source that reads it."""

    kind: SourceKind
    what: str  # "a charts.spotify.com download"


# Each kind's own test of a file's start, the most particular first (a FlixPatrol page is a
# web page too). The table kind reads any CSV or JSON, so it recognises nothing.
_LOOKS_LIKE: tuple[tuple[SourceKind, Callable[[str], str | None]], ...] = (
    (SourceKind.NETFLIX, netflix.looks_like),
    (SourceKind.SPOTIFY, layouts.looks_like),
    (SourceKind.APPLE, apple.looks_like),
    (SourceKind.FLIXPATROL, pages.looks_like),
    (SourceKind.HTML, html.looks_like),
)


def recognise(head: str) -> Recognised | None:
    """What kind of chart file starts with `head` (its first kilobytes, as text)."""
    for kind, looks_like in _LOOKS_LIKE:
        if what := looks_like(head):
            return Recognised(kind, what)
    return None
