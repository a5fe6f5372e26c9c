"""Joining stored titles that the config's [titles] merge names as one: on request only
(`chartbot merge-titles`), after a dry run has said what it would join."""

from __future__ import annotations

from bot.config import Config
from bot.engine.stored import TitleMerge
from bot.store.store import Store


def title_merges(store: Store, /, config: Config, *, apply: bool) -> list[TitleMerge]:
    """What the [titles] merge groups join among the stored titles; joined when `apply`."""
    groups = config.titles.merge
    return store.titles.merge(groups) if apply else store.titles.merges(groups)
