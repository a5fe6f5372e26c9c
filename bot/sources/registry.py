"""From a source's config to the object that fetches it."""

from __future__ import annotations

from pathlib import Path

from bot.config import SourceConfig
from bot.engine.titles import TitleAliases
from bot.sources.base import Source
from bot.sources.netflix import NetflixTop10


def build_source(
    config: SourceConfig, base_dir: Path, aliases: TitleAliases | None = None
) -> Source:
    aliases = aliases or TitleAliases()
    if config.kind == "netflix_top10":
        return NetflixTop10(config, base_dir, aliases)
    raise ValueError(f"no source kind {config.kind!r}")
