"""Looking into a test's store."""

from __future__ import annotations

from pathlib import Path

from bot.store.store import Store


def latest_period(config: Path, source: str = "netflix") -> str | None:
    """The newest period stored for a source of the config's store."""
    with Store.open(config.parent / "chartbot.db") as store:
        latest = store.charts.latest_periods(source)
    return max(latest.values()) if latest else None
