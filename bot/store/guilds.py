"""Per-guild alert settings and members' subscriptions."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from bot.engine.routing import GuildAlerts, Subscribed, Subscription, SubscriptionLimits, Via
from bot.engine.titles import TitleName
from bot.languages import Language
from bot.store.base import Repo, batches, iso, json_tuple

_SUBSCRIPTION = """SELECT s.*, t.key AS title_key, t.name AS title, t.artist AS artist
                   FROM subscriptions s JOIN titles t ON t.id = s.title_id"""


class GuildsRepo(Repo):
    # -- alert settings ---------------------------------------------------------

    def alerts(self) -> list[GuildAlerts]:
        return [_guild(row) for row in self.db.query("SELECT * FROM guild_settings")]

    def pictures_off(self) -> set[int]:
        """The servers whose alerts go without pictures."""
        query = "SELECT guild_id FROM guild_settings WHERE pictures = 0"
        return {guild_id for (guild_id,) in self.db.execute(query)}

    def seed_languages(
        self, languages: Mapping[int, Language], *, now: datetime, create: bool = False
    ) -> int:
        """Servers with no language yet take these (their preferred locale's); `create`:
        a server with no settings yet gets a row for it (it has mentions to say, or an
        admin is setting it up). Returns how many were seeded."""
        with self.store.write():
            if create:
                cursor = self.db.conn.executemany(
                    """INSERT INTO guild_settings (guild_id, language, updated_at)
                       VALUES (?, ?, ?) ON CONFLICT (guild_id) DO UPDATE
                       SET language = excluded.language WHERE guild_settings.language IS NULL""",
                    [(guild, language.value, iso(now)) for guild, language in languages.items()],
                )
            else:
                cursor = self.db.conn.executemany(
                    """UPDATE guild_settings SET language = ?
                       WHERE guild_id = ? AND language IS NULL""",
                    [(language.value, guild) for guild, language in languages.items()],
                )
        return cursor.rowcount

    def set_member_language(self, user_id: int, language: Language, *, now: datetime) -> None:
        """A member's language for their DMs (as of their latest /subscribe)."""
        with self.store.write():
            self.db.execute(
                """INSERT INTO member_languages (user_id, language, updated_at) VALUES (?, ?, ?)
                   ON CONFLICT (user_id) DO UPDATE SET language = excluded.language,
                   updated_at = excluded.updated_at""",
                [user_id, language.value, iso(now)],
            )

    def markets_in_use(self) -> set[str]:
        """Every market a server watches or a subscription names (beside the config's)."""
        markets: set[str] = set()
        for (value,) in self.db.execute(
            "SELECT DISTINCT watched_markets FROM guild_settings WHERE watched_markets IS NOT NULL"
        ):
            markets.update(json_tuple(value) or ())
        markets.update(
            code
            for (code,) in self.db.execute(
                "SELECT DISTINCT country FROM subscriptions WHERE country IS NOT NULL"
            )
        )
        return markets

    def alerts_for(self, guild_id: int) -> GuildAlerts | None:
        rows = list(self.db.query("SELECT * FROM guild_settings WHERE guild_id = ?", [guild_id]))
        return _guild(rows[0]) if rows else None

    def set_alerts(self, guild_id: int, *, by: int | None, now: datetime, **fields: Any) -> None:
        """Create or update a guild's settings: channel_id, min_countries, watched_markets,
        charts, milestones, pictures, language, forecasts.

        A field given as None is cleared (back to the config's default); one not given is kept.
        """
        allowed = {
            "channel_id",
            "min_countries",
            "watched_markets",
            "charts",
            "milestones",
            "pictures",
            "language",
            "forecasts",
        }
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"not a guild setting: {', '.join(sorted(unknown))}")
        values = {
            k: json.dumps(list(v)) if k in ("watched_markets", "charts") and v is not None else v
            for k, v in fields.items()
        }
        with self.store.write():
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

    def forget(self, guild_id: int, reason: str, *, now: datetime) -> int:
        """The bot left a guild: its settings and its members' subscriptions are removed,
        nothing more goes to its channels (store.outbox); a re-invite starts clean. Returns
        how many subscriptions went."""
        with self.store.write():
            settings = self.alerts_for(guild_id)
            channel = settings.channel_id if settings else None
            self.store.outbox.drop_server(guild_id, reason, alert_channel=channel, now=now)
            self.db.execute("DELETE FROM guild_settings WHERE guild_id = ?", [guild_id])
            followed = [
                title_id
                for (title_id,) in self.db.execute(
                    "SELECT DISTINCT title_id FROM subscriptions WHERE guild_id = ?", [guild_id]
                )
            ]
            removed = self.db.execute(
                "DELETE FROM subscriptions WHERE guild_id = ?", [guild_id]
            ).rowcount
            self.store.titles.drop_unfollowed(followed)
        return removed

    def known_guilds(self) -> set[int]:
        """Every server the store keeps settings or subscriptions of."""
        query = """SELECT guild_id FROM guild_settings
                   UNION SELECT guild_id FROM subscriptions WHERE guild_id IS NOT NULL"""
        return {guild_id for (guild_id,) in self.db.execute(query)}

    # -- subscriptions ------------------------------------------------------------

    def subscriptions_for(self, title_keys: Iterable[str]) -> list[Subscription]:
        keys = sorted(set(title_keys))
        found: list[Subscription] = []
        for batch, marks in batches(keys):
            found += [
                _subscription(row)
                for row in self.db.query(
                    f"{_SUBSCRIPTION} WHERE t.key IN ({marks}) ORDER BY s.id", batch
                )
            ]
        return found

    def followed_title_keys(self) -> set[str]:
        """The keys of every title someone is subscribed to."""
        return {
            key
            for (key,) in self.db.execute(
                "SELECT DISTINCT t.key FROM subscriptions s JOIN titles t ON t.id = s.title_id"
            )
        }

    def user_subscriptions(self, user_id: int, guild_id: int | None) -> list[Subscription]:
        return [
            _subscription(row)
            for row in self.db.query(
                f"{_SUBSCRIPTION} WHERE s.user_id = ? AND s.guild_id IS ? ORDER BY t.name",
                [user_id, guild_id],
            )
        ]

    def guild_subscriptions(self, guild_id: int) -> list[Subscription]:
        """Every member's subscriptions in a server, for its admins."""
        return [
            _subscription(row)
            for row in self.db.query(
                f"{_SUBSCRIPTION} WHERE s.guild_id = ? ORDER BY s.user_id, t.name", [guild_id]
            )
        ]

    def add_subscription(
        self,
        *,
        user_id: int,
        title: int | TitleName,
        guild_id: int | None,
        via: Via,
        channel_id: int | None = None,
        country: str | None = None,
        limits: SubscriptionLimits | None = None,
        now: datetime,
    ) -> Subscribed:
        """Follow a title (or change how), within the limits, in one transaction.

        `title`: a stored title's id, or a name no chart has yet: that title is stored only
        once the subscription is accepted, in the same transaction (a refused one leaves
        nothing behind)."""
        with self.store.write():
            title_id = title if isinstance(title, int) else self.store.titles.early(title)
            existed = title_id is not None and self._count(
                "guild_id IS ? AND user_id = ? AND title_id = ?", guild_id, user_id, title_id
            )
            full = (
                None if limits is None else self._full(limits, user_id, guild_id, via, channel_id)
            )
            if existed:
                assert title_id is not None
                if full is Subscribed.CHANNEL_FULL and not self._mentions_here(
                    user_id, guild_id, title_id, channel_id
                ):
                    return full
                self.db.execute(
                    """UPDATE subscriptions SET country = ?, via = ?, channel_id = ?
                       WHERE guild_id IS ? AND user_id = ? AND title_id = ?""",
                    [country, via.value, channel_id, guild_id, user_id, title_id],
                )
                return Subscribed.CHANGED
            if full is not None:
                return full
            if title_id is None:
                assert isinstance(title, TitleName)
                title_id = self.store.titles.add_early(title)
            self.db.execute(
                """INSERT INTO subscriptions
                       (guild_id, user_id, title_id, country, via, channel_id, created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?)""",
                [guild_id, user_id, title_id, country, via.value, channel_id, iso(now)],
            )
        return Subscribed.ADDED

    def _full(
        self,
        limits: SubscriptionLimits,
        user_id: int,
        guild_id: int | None,
        via: Via,
        channel_id: int | None,
    ) -> Subscribed | None:
        count = self._count
        if count("user_id = ? AND guild_id IS ?", user_id, guild_id) >= limits.per_member:
            return Subscribed.MEMBER_FULL
        if count("guild_id IS ?", guild_id) >= limits.per_server:
            return Subscribed.SERVER_FULL
        if via is Via.HERE and (
            count("via = ? AND channel_id = ?", Via.HERE.value, channel_id) >= limits.per_channel
        ):
            return Subscribed.CHANNEL_FULL
        return None

    def _mentions_here(
        self, user_id: int, guild_id: int | None, title_id: int, channel_id: int | None
    ) -> bool:
        """Is this subscription already one of the channel's mentions (a change, not a new one)?"""
        return bool(
            self._count(
                "user_id = ? AND guild_id IS ? AND title_id = ? AND via = ? AND channel_id = ?",
                user_id,
                guild_id,
                title_id,
                Via.HERE.value,
                channel_id,
            )
        )

    def _count(self, where: str, *params: Any) -> int:
        query = f"SELECT count(*) FROM subscriptions WHERE {where}"
        return int(self.db.execute(query, params).fetchone()[0])

    def remove_subscription_by_id(
        self, subscription_id: int, *, guild_id: int, user_id: int | None = None
    ) -> Subscription | None:
        """Remove one subscription of a server (a member's own, or any, for its admins)."""
        with self.store.write():
            rows = list(
                self.db.query(
                    f"{_SUBSCRIPTION} WHERE s.id = ? AND s.guild_id = ?"
                    + (" AND s.user_id = ?" if user_id is not None else ""),
                    [subscription_id, guild_id, *([user_id] if user_id is not None else [])],
                )
            )
            if not rows:
                return None
            self.db.execute("DELETE FROM subscriptions WHERE id = ?", [subscription_id])
            self.store.titles.drop_unfollowed([rows[0]["title_id"]])
        return _subscription(rows[0])


def _guild(row: dict[str, Any]) -> GuildAlerts:
    return GuildAlerts(
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        min_countries=row["min_countries"],
        watched_markets=json_tuple(row["watched_markets"]),
        charts=json_tuple(row["charts"]),
        milestones=None if row.get("milestones") is None else bool(row["milestones"]),
        pictures=None if row.get("pictures") is None else bool(row["pictures"]),
        forecasts=None if row.get("forecasts") is None else bool(row["forecasts"]),
        language=Language.parse(row["language"]) if row.get("language") else None,
    )


def _subscription(row: dict[str, Any]) -> Subscription:
    return Subscription(
        id=row["id"],
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        title_key=row["title_key"],
        title=row["title"],
        artist=row["artist"],
        country=row["country"],
        via=Via(row["via"]),
        channel_id=row["channel_id"],
    )
