"""Spotify's chart files in every layout they come in: the source, names, layouts, dataset."""

from bot.sources.spotify.source import SpotifyCharts, parse_downloads

__all__ = ["SpotifyCharts", "parse_downloads"]
