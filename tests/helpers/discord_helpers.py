"""Helpers for the tests that drive the bot through the fake Discord."""

from __future__ import annotations

from pathlib import Path

from bot.store.store import Store
from tests.helpers.cli import run_cli
from tests.helpers.fake_discord import ADMIN_ID, ALL_PERMISSIONS, CHANNEL_ID, FakeDiscord
from tests.helpers.netflix import WEEK_2
from tests.helpers.waiting import wait_until

EPHEMERAL = 64


def publish_week_2(config: Path) -> None:
    (config.parent / "top10.tsv").write_text(WEEK_2, encoding="utf-8")
    ran = run_cli("poll", "-c", config)
    assert ran.exit_code == 0, ran.stderr


def answer(fake: FakeDiscord, interaction_id: str, count: int = 1) -> list[dict]:
    wait_until(lambda: len(fake.callbacks_of(interaction_id)) >= count, 15, "the bot's answer")
    return fake.callbacks_of(interaction_id)


def text_of(callback: dict) -> str:
    data = callback.get("data") or callback
    parts = [data.get("content") or ""]
    for embed in data.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        parts += [f"{f['name']}\n{f['value']}" for f in embed.get("fields", [])]
    return "\n".join(parts)


def deliveries(config: Path) -> dict[str, int]:
    store = Store.open(config.parent / "chartbot.db")
    try:
        return {str(status): n for status, n in store.outbox.counts().items()}
    finally:
        store.close()


def all_delivered(config: Path) -> bool:
    counts = deliveries(config)
    return counts.get("pending", 0) == 0 and counts.get("sending", 0) == 0


def ask_alert_channel(fake: FakeDiscord, channel_id: int = CHANNEL_ID) -> str:
    """/alerts channel by an admin; the interaction's id (its answer not waited for)."""
    return admin_command(fake, "channel", {"name": "channel", "type": 7, "value": str(channel_id)})


def set_alert_channel(fake: FakeDiscord, channel_id: int = CHANNEL_ID) -> dict:
    return answer(fake, ask_alert_channel(fake, channel_id))[0]


def set_maps(fake: FakeDiscord, on: bool) -> dict:
    """/alerts settings pictures: on or off, by an admin; its answer."""
    interaction = admin_command(fake, "settings", {"name": "pictures", "type": 5, "value": on})
    return answer(fake, interaction)[0]


def admin_command(fake: FakeDiscord, sub: str, *options: dict) -> str:
    return fake.interact(
        "alerts",
        [{"name": sub, "type": 1, "options": list(options)}],
        user_id=ADMIN_ID,
        permissions=ALL_PERMISSIONS,
    )
