"""What the bot registered with Discord last: the slash commands' digest, kept in the store
so that a restart registers them only when they changed."""

from __future__ import annotations

from bot.store.store import Store


def commands_digest(store: Store, application_id: int | None) -> str | None:
    return store.get_meta(_key(application_id))


def note_commands(store: Store, application_id: int | None, digest: str) -> None:
    store.set_meta(_key(application_id), digest)


def _key(application_id: int | None) -> str:
    return f"commands:{application_id}"
