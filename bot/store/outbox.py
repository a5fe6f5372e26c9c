"""Events and the outbox: deliveries, their claims and retries, dead destinations.

A delivery goes pending -> sending (claimed, with the nonce of the message
that carries it) -> sent. A crash while `sending` leaves the claim in place:
the next dispatcher sends the same message again with the same nonce, which
Discord answers with the message already made instead of a second one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from bot.engine.events import Event, event_from_json
from bot.store.base import Part, PendingDelivery, from_iso, iso


class OutboxPart(Part):
    def add_events(
        self,
        events: Sequence[Event],
        *,
        chart_ids: dict[str, int],
        snapshot_id: int,
        now: datetime,
        title_ids: dict[str, int] | None = None,
    ) -> list[tuple[int, Event]]:
        """Insert events; return (id, event) for those not already stored, in order.

        `title_ids` are title ids the caller has at hand already (key -> id).
        """
        known = title_ids or {}
        title_ids = {**known, **self.title_ids([e for e in events if e.title_key not in known])}
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

    def add_deliveries(
        self, deliveries: Iterable[tuple[int, str, int | None]], *, now: datetime
    ) -> int:
        """Outbox rows (event id, destination, guild id); an existing pair is left alone."""
        cursor = self.db.conn.executemany(
            """INSERT INTO deliveries (event_id, destination, guild_id, created_at)
               VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING""",
            [(event_id, dest, guild, iso(now)) for event_id, dest, guild in deliveries],
        )
        return cursor.rowcount

    def add_notice(self, text: str, *, now: datetime) -> int:
        """A message about chartbot itself for every guild's alert channel (not the dead ones)."""
        dead = self.dead_destinations()
        rows = [
            (f"channel:{g.channel_id}", g.guild_id)
            for g in self.guild_alerts()  # type: ignore[attr-defined]
            if g.channel_id is not None and f"channel:{g.channel_id}" not in dead
        ]
        self.db.conn.executemany(
            """INSERT INTO deliveries (notice, destination, guild_id, created_at)
               VALUES (?, ?, ?, ?)""",
            [(text, dest, guild, iso(now)) for dest, guild in rows],
        )
        return len(rows)

    def pending_deliveries(
        self,
        *,
        destination: str | None = None,
        exclude: str | None = None,
        statuses: Sequence[str] = ("pending",),
        limit: int = 1000,
    ) -> list[PendingDelivery]:
        """Deliveries not yet made, oldest first."""
        where = [f"d.status IN ({','.join('?' * len(statuses))})"]
        params: list[Any] = list(statuses)
        if destination is not None:
            where.append("d.destination = ?")
            params.append(destination)
        if exclude is not None:
            where.append("d.destination != ?")
            params.append(exclude)
        rows = self.db.query(
            f"""SELECT d.*, e.data, t.key AS title_key
                FROM deliveries d LEFT JOIN events e ON e.id = d.event_id
                LEFT JOIN titles t ON t.id = e.title_id
                WHERE {" AND ".join(where)} ORDER BY d.id LIMIT ?""",
            [*params, limit],
        )
        return [_pending(row) for row in rows]

    def claim(self, batches: Sequence[tuple[str, Sequence[int]]], *, now: datetime) -> None:
        """Mark deliveries as on their way, each batch under its message nonce."""
        with self.write():
            for batch_key, ids in batches:
                self.db.conn.executemany(
                    """UPDATE deliveries SET status = 'sending', batch_key = ?, claimed_at = ?,
                           attempts = attempts + 1
                       WHERE id = ? AND status IN ('pending', 'sending')""",
                    [(batch_key, iso(now), delivery_id) for delivery_id in ids],
                )

    def mark_sent(
        self, delivery_ids: Sequence[int], *, now: datetime, message_id: int | None = None
    ) -> None:
        with self.write():
            self.db.conn.executemany(
                """UPDATE deliveries SET status = 'sent', sent_at = ?, message_id = ?,
                       last_error = NULL
                   WHERE id = ?""",
                [(iso(now), message_id, delivery_id) for delivery_id in delivery_ids],
            )

    def retry_later(self, delivery_ids: Sequence[int], *, at: datetime, error: str) -> None:
        """A transient failure: back to pending, not before `at`."""
        with self.write():
            self.db.conn.executemany(
                """UPDATE deliveries SET status = 'pending', next_attempt_at = ?,
                       last_error = ?, batch_key = NULL
                   WHERE id = ?""",
                [(iso(at), error, delivery_id) for delivery_id in delivery_ids],
            )

    def give_up(self, delivery_ids: Sequence[int], *, status: str, reason: str) -> None:
        """'dropped' (the destination is gone) or 'failed' (Discord refused the message)."""
        with self.write():
            self.db.conn.executemany(
                "UPDATE deliveries SET status = ?, last_error = ? WHERE id = ?",
                [(status, reason, delivery_id) for delivery_id in delivery_ids],
            )

    def mark_dead(self, destination: str, reason: str, *, now: datetime) -> None:
        """Stop posting to a destination; its pending deliveries are dropped with the reason."""
        with self.write():
            self.db.execute(
                """INSERT INTO dead_destinations (destination, reason, since) VALUES (?, ?, ?)
                   ON CONFLICT(destination) DO UPDATE SET reason = excluded.reason""",
                [destination, reason, iso(now)],
            )
            self.db.execute(
                """UPDATE deliveries SET status = 'dropped', last_error = ?
                   WHERE destination = ? AND status IN ('pending', 'sending')""",
                [reason, destination],
            )

    def revive(self, destination: str) -> None:
        """A destination made usable again (an admin set the channel anew)."""
        self.db.execute("DELETE FROM dead_destinations WHERE destination = ?", [destination])

    def dead_destinations(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT destination, reason FROM dead_destinations"))

    def delivery_counts(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT status, count(*) FROM deliveries GROUP BY status"))


def _pending(row: dict[str, Any]) -> PendingDelivery:
    return PendingDelivery(
        id=row["id"],
        event_id=row["event_id"],
        destination=row["destination"],
        guild_id=row["guild_id"],
        attempts=row["attempts"],
        event=(
            event_from_json(json.loads(row["data"]), title_key=row["title_key"])
            if row["data"]
            else None
        ),
        notice=row["notice"],
        status=row["status"],
        batch_key=row["batch_key"],
        next_attempt_at=from_iso(row["next_attempt_at"]),
    )
