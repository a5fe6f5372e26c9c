"""Stored history a source rewrote: what can be put back, and putting it back."""

from __future__ import annotations

from bot.engine.stored import Rewrite
from bot.store.store import Store


def rewrites(store: Store, source: str | None = None) -> list[Rewrite]:
    """The rewrites that can be undone, newest first."""
    return store.rewrites.listing(source)


def undo_rewrite(store: Store, snapshot_id: int) -> Rewrite | None:
    """The periods a poll rewrote, put back as they were; None if it rewrote nothing."""
    return store.rewrites.undo(snapshot_id)
