"""Events and the outbox: deliveries, their claims and retries, dead destinations.

A delivery goes pending -> sending (claimed, with the nonce of the message
that carries it) -> sent. A crash while `sending` leaves the claim in place:
the next dispatcher sends the same message again with the same nonce, which
Discord answers with the message already made instead of a second one.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from bot.engine.deliveries import (
    DeliveryStatus,
    Destination,
    DestinationKind,
    PendingDelivery,
    Shards,
)
from bot.engine.events import Event, event_from_json
from bot.engine.notices import Notice, notice_from_json, notice_json
from bot.engine.routing import Routed
from bot.languages import Language
from bot.store.base import Repo, from_iso, iso

LIVE = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)
_IS_LIVE = f"IN ({', '.join(repr(s.value) for s in LIVE)})"  # not sent yet: 'pending', 'sending'
_PENDING = repr(DeliveryStatus.PENDING.value)
# A delivery's event, its title's key and its source's label (how people read its name).
# The destination's language: its server's for a channel or a mention, the member's (as
# of their latest /subscribe) for a DM.
_LANGUAGE = f"""CASE WHEN d.destination LIKE '{DestinationKind.DM.value}:%'
    THEN (SELECT m.language FROM member_languages m
          WHERE m.user_id = CAST(substr(d.destination, {len(DestinationKind.DM.value) + 2})
                                 AS INTEGER))
    ELSE (SELECT g.language FROM guild_settings g WHERE g.guild_id = d.guild_id) END"""
_EVENT_COLUMNS = f"""e.data, t.key AS title_key, coalesce(s.label, c.source) AS source_label,
    {_LANGUAGE} AS language"""
_EVENT_JOINS = """LEFT JOIN events e ON e.id = d.event_id
                  LEFT JOIN titles t ON t.id = e.title_id
                  LEFT JOIN charts c ON c.id = e.chart_id
                  LEFT JOIN sources s ON s.name = c.source"""


class OutboxRepo(Repo):
    def add_events(
        self,
        events: Sequence[Event],
        *,
        chart_ids: dict[str, int],
        snapshot_id: int | None,
        now: datetime,
        title_ids: dict[str, int] | None = None,
    ) -> list[tuple[int, Event]]:
        """Insert events; return (id, event) for those not already stored, in order.

        `title_ids` are title ids the caller has at hand already (key -> id).
        """
        known = title_ids or {}
        missing = [e for e in events if e.title_key not in known]
        title_ids = {**known, **self.store.titles.ids(missing)}
        before = self.db.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
        created = iso(now)
        self.db.conn.executemany(
            """INSERT INTO events
                   (key, chart_id, period, kind, title_id, country, data, snapshot_id, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(key) DO NOTHING""",
            [
                (
                    event.key,
                    chart_ids[event.chart],
                    event.period,
                    event.kind,
                    title_ids[event.title_key],
                    getattr(event, "country", None),
                    json.dumps(event.to_json(), ensure_ascii=False),
                    snapshot_id,
                    created,
                )
                for event in events
            ],
        )
        # Inside the write transaction, the rows past the old maximum are the ones just added.
        new_ids = dict(
            self.db.execute("SELECT key, id FROM events WHERE id > ?", [before]).fetchall()
        )
        return [(new_ids[e.key], e) for e in events if e.key in new_ids]

    def add_deliveries(self, deliveries: Iterable[Routed], *, now: datetime) -> int:
        """Outbox rows (event id, destination, guild id); an existing pair is left alone."""
        cursor = self.db.conn.executemany(
            """INSERT INTO deliveries (event_id, destination, guild_id, created_at)
               VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING""",
            [(event_id, str(to), guild, iso(now)) for event_id, to, guild in deliveries],
        )
        return cursor.rowcount

    def add_notice(
        self, notice: Notice, *, now: datetime, to: Collection[int] | None = None
    ) -> int:
        """A message about chartbot itself for every guild's alert channel (`to`: these
        guilds' only), not the dead ones."""
        dead = self.dead_destinations()
        rows = [
            (Destination.channel(g.channel_id), g.guild_id)
            for g in self.store.guilds.alerts()
            if g.channel_id is not None
            and Destination.channel(g.channel_id) not in dead
            and (to is None or g.guild_id in to)
        ]
        self.db.conn.executemany(
            """INSERT INTO deliveries (notice, destination, guild_id, created_at)
               VALUES (?, ?, ?, ?)""",
            [(notice_json(notice), str(to), guild, iso(now)) for to, guild in rows],
        )
        return len(rows)

    def pending(
        self,
        *,
        destination: Destination | None = None,
        exclude: Destination | None = None,
        statuses: Sequence[DeliveryStatus] = (DeliveryStatus.PENDING,),
        limit: int = 1000,
    ) -> list[PendingDelivery]:
        """Deliveries not yet made, oldest first."""
        where = [f"d.status IN ({','.join('?' * len(statuses))})"]
        params: list[Any] = [s.value for s in statuses]
        if destination is not None:
            where.append("d.destination = ?")
            params.append(str(destination))
        if exclude is not None:
            where.append("d.destination != ?")
            params.append(str(exclude))
        rows = self.db.query(
            f"""SELECT d.*, {_EVENT_COLUMNS} FROM deliveries d {_EVENT_JOINS}
                WHERE {" AND ".join(where)} ORDER BY d.id LIMIT ?""",
            [*params, limit],
        )
        return [_pending(row) for row in rows]

    def due(
        self,
        *,
        exclude: Destination,
        per_destination: int,
        limit: int,
        shards: Shards | None = None,
    ) -> list[PendingDelivery]:
        """Deliveries not made yet (pending, or claimed by a round that did not finish),
        oldest first, at most `per_destination` of each destination: one destination's
        backlog never crowds the others out of a round. `shards`: only those a process
        running these shards sends (its servers' channels, its members' DMs)."""
        share, params = _share(shards)
        rows = self.db.query(
            f"""SELECT * FROM (
                   SELECT d.*, {_EVENT_COLUMNS},
                          row_number() OVER (PARTITION BY d.destination ORDER BY d.id) AS turn
                   FROM deliveries d {_EVENT_JOINS}
                   WHERE d.status {_IS_LIVE} AND d.destination != ? AND {share}
               ) WHERE turn <= ? ORDER BY id LIMIT ?""",
            [str(exclude), *params, per_destination, limit],
        )
        return [_pending(row) for row in rows]

    def last_id(self) -> int:
        """The newest delivery's id (0 with none)."""
        return int(self.db.execute("SELECT coalesce(max(id), 0) FROM deliveries").fetchone()[0])

    def queued_after(self, delivery_id: int, shards: Shards | None = None) -> bool:
        """Has a delivery been queued since this one (a round's newest), for these shards?"""
        share, params = _share(shards)
        row = self.db.execute(
            f"""SELECT 1 FROM deliveries d WHERE d.id > ? AND d.status = {_PENDING} AND {share}
                LIMIT 1""",
            [delivery_id, *params],
        ).fetchone()
        return row is not None

    def claim(self, batches: Sequence[tuple[str, Sequence[int]]], *, now: datetime) -> None:
        """Mark deliveries as on their way, each batch under its message nonce."""
        with self.store.write():
            for batch_key, ids in batches:
                self.db.conn.executemany(
                    f"""UPDATE deliveries SET status = ?, batch_key = ?, claimed_at = ?,
                           attempts = attempts + 1
                       WHERE id = ? AND status {_IS_LIVE}""",
                    [
                        (DeliveryStatus.SENDING.value, batch_key, iso(now), delivery_id)
                        for delivery_id in ids
                    ],
                )

    def mark_sent(
        self, delivery_ids: Sequence[int], *, now: datetime, message_id: int | None = None
    ) -> None:
        with self.store.write():
            self.db.conn.executemany(
                """UPDATE deliveries SET status = ?, sent_at = ?, message_id = ?,
                       last_error = NULL
                   WHERE id = ?""",
                [
                    (DeliveryStatus.SENT.value, iso(now), message_id, delivery_id)
                    for delivery_id in delivery_ids
                ],
            )

    def retry_later(self, delivery_ids: Sequence[int], *, at: datetime, error: str) -> None:
        """A transient failure: tried again not before `at`, each message still claimed
        under its nonce. Discord may have made the message and only its answer was lost:
        sent again with the same deliveries and nonce, it is found, never made twice, and
        alerts queued since go in a message of their own instead of hiding under it."""
        with self.store.write():
            self.db.conn.executemany(
                "UPDATE deliveries SET next_attempt_at = ?, last_error = ? WHERE id = ?",
                [(iso(at), error, delivery_id) for delivery_id in delivery_ids],
            )

    def give_up(self, delivery_ids: Sequence[int], *, status: DeliveryStatus, reason: str) -> None:
        """Dropped (the destination is gone) or failed (Discord refused the message)."""
        assert status in (DeliveryStatus.DROPPED, DeliveryStatus.FAILED)
        with self.store.write():
            self.db.conn.executemany(
                "UPDATE deliveries SET status = ?, last_error = ? WHERE id = ?",
                [(status.value, reason, delivery_id) for delivery_id in delivery_ids],
            )

    def mark_dead(self, destination: Destination, reason: str, *, now: datetime) -> None:
        """Stop posting to a destination; its pending deliveries are dropped with the reason.
        (Inside the caller's transaction when there is one.)"""
        if self.db.conn.in_transaction:
            self._mark_dead(destination, reason, now)
            return
        with self.store.write():
            self._mark_dead(destination, reason, now)

    def _mark_dead(self, destination: Destination, reason: str, now: datetime) -> None:
        self.db.execute(
            """INSERT INTO dead_destinations (destination, reason, since) VALUES (?, ?, ?)
               ON CONFLICT(destination) DO UPDATE SET reason = excluded.reason""",
            [str(destination), reason, iso(now)],
        )
        self.db.execute(
            f"""UPDATE deliveries SET status = ?, last_error = ?
                WHERE destination = ? AND status {_IS_LIVE}""",
            [DeliveryStatus.DROPPED.value, reason, str(destination)],
        )

    def drop_server(
        self, guild_id: int, reason: str, *, alert_channel: int | None, now: datetime
    ) -> None:
        """A server the bot left: its channels (its alert channel, any with deliveries on
        their way) are dead, its deliveries not made yet dropped, with the reason."""
        channels = {
            Destination.parse(row[0])
            for row in self.db.execute(
                f"""SELECT DISTINCT destination FROM deliveries
                    WHERE guild_id = ? AND status {_IS_LIVE}""",
                [guild_id],
            )
        }
        if alert_channel is not None:
            channels.add(Destination.channel(alert_channel))
        for destination in sorted(channels, key=str):
            if destination.channel_id is not None:
                self.mark_dead(destination, reason, now=now)
        self.db.execute(
            f"""UPDATE deliveries SET status = ?, last_error = ?
                WHERE guild_id = ? AND status {_IS_LIVE}""",
            [DeliveryStatus.DROPPED.value, reason, guild_id],
        )

    def live_servers(self) -> set[int]:
        """The servers with deliveries not made yet."""
        query = f"""SELECT DISTINCT guild_id FROM deliveries
                    WHERE guild_id IS NOT NULL AND status {_IS_LIVE}"""
        return {guild_id for (guild_id,) in self.db.execute(query)}

    def revive(self, destination: Destination) -> None:
        """A destination made usable again (a member's DMs work, a mention may be made)."""
        self.db.execute("DELETE FROM dead_destinations WHERE destination = ?", [str(destination)])

    def revive_channel(self, channel_id: int) -> None:
        """A channel set anew for alerts (after a kick and re-invite, say): the channel and
        the members' mentions in it are delivered again."""
        self.db.execute(
            "DELETE FROM dead_destinations WHERE destination = ? OR destination LIKE ?",
            [str(Destination.channel(channel_id)), Destination.mentions_in(channel_id)],
        )

    def dead_destinations(self) -> dict[Destination, str]:
        return {
            Destination.parse(destination): reason
            for destination, reason in self.db.execute(
                "SELECT destination, reason FROM dead_destinations"
            )
        }

    def counts(self) -> dict[DeliveryStatus, int]:
        return {
            DeliveryStatus(status): count
            for status, count in self.db.execute(
                "SELECT status, count(*) FROM deliveries GROUP BY status"
            )
        }

    def waiting(self) -> int:
        """Deliveries not made yet (pending, or claimed and on their way)."""
        counts = self.counts()
        return sum(counts.get(status, 0) for status in LIVE)


def _pending(row: dict[str, Any]) -> PendingDelivery:
    return PendingDelivery(
        id=row["id"],
        event_id=row["event_id"],
        destination=Destination.parse(row["destination"]),
        guild_id=row["guild_id"],
        attempts=row["attempts"],
        event=(
            event_from_json(json.loads(row["data"]), title_key=row["title_key"])
            if row["data"]
            else None
        ),
        notice=notice_from_json(row["notice"]) if row["notice"] else None,
        status=DeliveryStatus(row["status"]),
        batch_key=row["batch_key"],
        next_attempt_at=from_iso(row["next_attempt_at"]),
        source_label=row.get("source_label"),
        language=Language.parse(row["language"]) if row.get("language") else None,
    )


def _share(shards: Shards | None) -> tuple[str, list[Any]]:
    """The SQL condition (on deliveries `d`) for a process's share of the outbox (see
    Shards): a delivery to a server's channel goes by the server's shard, a DM by the
    member's ((id >> 22) % count, as Discord places servers), one of no server to the lead."""
    if shards is None:
        return "1", []
    dm = f"{DestinationKind.DM.value}:"  # a DM's stored text: "dm:<user id>" (Destination)
    placed_by = f"""CASE WHEN d.destination LIKE '{dm}%'
                         THEN CAST(substr(d.destination, {len(dm) + 1}) AS INTEGER)
                         ELSE d.guild_id END"""
    return (
        f"""coalesce((({placed_by}) >> 22) % ? BETWEEN ? AND ?, ?)""",
        [shards.count, shards.first, shards.last, int(shards.lead)],
    )
