"""Per-guild alert settings, members' subscriptions, and small key-value facts."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bot.delivery.outbox import GuildAlerts, Subscription
from bot.store.base import BATCH, Part, iso, json_tuple


class GuildsPart(Part):
    # -- alert settings ---------------------------------------------------------

    def guild_alerts(self) -> list[GuildAlerts]:
        return [_guild(row) for row in self.db.query("SELECT * FROM guild_settings")]

    def guild_alerts_for(self, guild_id: int) -> GuildAlerts | None:
        rows = list(self.db.query("SELECT * FROM guild_settings WHERE guild_id = ?", [guild_id]))
        return _guild(rows[0]) if rows else None

    def set_guild_alerts(
        self, guild_id: int, *, by: int | None, now: datetime, **fields: Any
    ) -> None:
        """Create or update a guild's settings: channel_id, min_countries, watched_markets, charts.

        A field given as None is cleared (back to the config's default); one not given is kept.
        """
        allowed = {"channel_id", "min_countries", "watched_markets", "charts"}
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"not a guild setting: {', '.join(sorted(unknown))}")
        values = {
            k: json.dumps(list(v)) if k in ("watched_markets", "charts") and v is not None else v
            for k, v in fields.items()
        }
        with self.write():
            self.db.execute(
                """INSERT INTO guild_settings (guild_id, updated_at, updated_by) VALUES (?, ?, ?)
                   ON CONFLICT(guild_id) DO UPDATE SET updated_at = excluded.updated_at,
                       updated_by = excluded.updated_by""",
                [guild_id, iso(now), by],
            )
            if values:
                assignments = ", ".join(f"{k} = :{k}" for k in values)
                self.db.execute(
                    f"UPDATE guild_settings SET {assignments} WHERE guild_id = :guild_id",
                    {**values, "guild_id": guild_id},
                )

    def forget_guild(self, guild_id: int, reason: str, *, now: datetime) -> None:
        """The bot left a guild: nothing more goes to its channels."""
        settings = self.guild_alerts_for(guild_id)
        channels = {
            row[0]
            for row in self.db.execute(
                """SELECT DISTINCT destination FROM deliveries
                   WHERE guild_id = ? AND status IN ('pending', 'sending')
                   AND (destination LIKE 'channel:%' OR destination LIKE 'mention:%')""",
                [guild_id],
            )
        }
        if settings and settings.channel_id:
            channels.add(f"channel:{settings.channel_id}")
        for destination in sorted(channels):
            self.mark_dead(destination, reason, now=now)  # type: ignore[attr-defined]

    # -- subscriptions ------------------------------------------------------------

    def subscriptions_for(self, title_keys: Iterable[str]) -> list[Subscription]:
        keys = sorted(set(title_keys))
        found: list[Subscription] = []
        for start in range(0, len(keys), BATCH):
            batch = keys[start : start + BATCH]
            marks = ",".join("?" * len(batch))
            found += [
                _subscription(row)
                for row in self.db.query(
                    f"""SELECT s.*, t.key AS title_key, t.name AS title FROM subscriptions s
                        JOIN titles t ON t.id = s.title_id WHERE t.key IN ({marks})
                        ORDER BY s.id""",
                    batch,
                )
            ]
        return found

    def followed_title_keys(self) -> set[str]:
        """The keys of every title someone is subscribed to."""
        return {
            key
            for (key,) in self.db.execute(
                """SELECT DISTINCT t.key FROM subscriptions s JOIN titles t ON t.id = s.title_id"""
            )
        }

    def user_subscriptions(self, user_id: int, guild_id: int | None) -> list[Subscription]:
        return [
            _subscription(row)
            for row in self.db.query(
                """SELECT s.*, t.key AS title_key, t.name AS title FROM subscriptions s
                   JOIN titles t ON t.id = s.title_id
                   WHERE s.user_id = ? AND s.guild_id IS ? ORDER BY t.name""",
                [user_id, guild_id],
            )
        ]

    def subscription_counts(self, user_id: int, guild_id: int | None) -> tuple[int, int]:
        """(this member's subscriptions in the guild, the guild's subscriptions)."""
        mine = self.db.execute(
            "SELECT count(*) FROM subscriptions WHERE user_id = ? AND guild_id IS ?",
            [user_id, guild_id],
        ).fetchone()[0]
        guild = self.db.execute(
            "SELECT count(*) FROM subscriptions WHERE guild_id IS ?", [guild_id]
        ).fetchone()[0]
        return mine, guild

    def add_subscription(
        self,
        *,
        user_id: int,
        title_id: int,
        guild_id: int | None,
        via: str,
        channel_id: int | None = None,
        country: str | None = None,
        now: datetime,
    ) -> bool:
        """Follow a title (or change how); True when it is a new subscription."""
        with self.write():
            existed = self.db.execute(
                "SELECT 1 FROM subscriptions WHERE guild_id IS ? AND user_id = ? AND title_id = ?",
                [guild_id, user_id, title_id],
            ).fetchone()
            if existed:
                self.db.execute(
                    """UPDATE subscriptions SET country = ?, via = ?, channel_id = ?
                       WHERE guild_id IS ? AND user_id = ? AND title_id = ?""",
                    [country, via, channel_id, guild_id, user_id, title_id],
                )
            else:
                self.db.execute(
                    """INSERT INTO subscriptions
                           (guild_id, user_id, title_id, country, via, channel_id, created_at)
                       VALUES (?, ?, ?, ?, ?, ?, ?)""",
                    [guild_id, user_id, title_id, country, via, channel_id, iso(now)],
                )
        return existed is None

    def remove_subscription(self, *, user_id: int, title_id: int, guild_id: int | None) -> bool:
        with self.write():
            cursor = self.db.execute(
                "DELETE FROM subscriptions WHERE guild_id IS ? AND user_id = ? AND title_id = ?",
                [guild_id, user_id, title_id],
            )
        return cursor.rowcount > 0

    # -- meta -------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )


def _guild(row: dict[str, Any]) -> GuildAlerts:
    return GuildAlerts(
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        min_countries=row["min_countries"],
        watched_markets=json_tuple(row["watched_markets"]),
        charts=json_tuple(row["charts"]),
    )


def _subscription(row: dict[str, Any]) -> Subscription:
    return Subscription(
        id=row["id"],
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        title_key=row["title_key"],
        title=row["title"],
        country=row["country"],
        via=row["via"],
        channel_id=row["channel_id"],
    )
