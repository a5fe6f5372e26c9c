"""Stored periods a source rewrote: the ranks they replaced, kept so a bad rewrite can be
put back (`chartbot rewrites`, `chartbot undo-rewrite`)."""

from __future__ import annotations

from bot.clock import utcnow
from bot.engine.stored import Rewrite
from bot.store.base import Repo, from_iso, iso

_PERIOD_COLUMNS = "countries, rows, digest, snapshot_id"
_RANK_COLUMNS = "country, rank, title_id, season, weeks, extra"


class RewritesRepo(Repo):
    def keep(self, chart_id: int, period: str, replaced_by: int) -> None:
        """Before a stored period is written over: keep its ranks and summary (inside the
        writing transaction). A period not stored yet keeps nothing."""
        conn = self.db.conn
        held = conn.execute(
            f"SELECT {_PERIOD_COLUMNS} FROM periods WHERE chart_id = ? AND period = ?",
            [chart_id, period],
        ).fetchone()
        if held is None:
            return
        cursor = conn.execute(
            f"""INSERT INTO replaced_periods
                    (chart_id, period, {_PERIOD_COLUMNS}, replaced_by, replaced_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            [chart_id, period, *held, replaced_by, iso(utcnow())],
        )
        conn.execute(
            f"""INSERT INTO replaced_ranks (replaced_id, {_RANK_COLUMNS})
                SELECT ?, {_RANK_COLUMNS} FROM ranks WHERE chart_id = ? AND period = ?""",
            [cursor.lastrowid, chart_id, period],
        )

    def listing(self, source: str | None = None) -> list[Rewrite]:
        """The rewrites that can be undone, newest first (of one source, or all)."""
        found: dict[int, list[tuple[str, str, str, str, int]]] = {}
        for snapshot_id, name, chart, period, at, ranks in self.db.execute(
            """SELECT p.replaced_by, c.source, c.name, p.period, p.replaced_at,
                      (SELECT count(*) FROM replaced_ranks r WHERE r.replaced_id = p.id)
               FROM replaced_periods p JOIN charts c ON c.id = p.chart_id
               WHERE p.replaced_by IS NOT NULL AND (? IS NULL OR c.source = ?)
               ORDER BY p.replaced_by DESC, c.name, p.period""",
            [source, source],
        ):
            found.setdefault(snapshot_id, []).append((name, chart, period, at, ranks))
        return [
            Rewrite(
                snapshot_id=snapshot_id,
                source=rows[0][0],
                at=from_iso(rows[0][3]) or utcnow(),
                periods=tuple((chart, period) for _, chart, period, _, _ in rows),
                ranks=sum(ranks for *_, ranks in rows),
            )
            for snapshot_id, rows in found.items()
        ]

    def undo(self, snapshot_id: int) -> Rewrite | None:
        """Put back the periods a snapshot rewrote, as they were stored before it, in one
        transaction. (What it wrote is what its source served: not kept.)"""
        rewrite = next((r for r in self.listing() if r.snapshot_id == snapshot_id), None)
        if rewrite is None:
            return None
        conn = self.db.conn
        with self.store.write():
            replaced = conn.execute(
                "SELECT id, chart_id, period FROM replaced_periods WHERE replaced_by = ?",
                [snapshot_id],
            ).fetchall()
            for replaced_id, chart_id, period in replaced:
                conn.execute(
                    "DELETE FROM ranks WHERE chart_id = ? AND period = ?", [chart_id, period]
                )
                conn.execute(
                    f"""INSERT INTO ranks (chart_id, period, {_RANK_COLUMNS})
                        SELECT ?, ?, {_RANK_COLUMNS} FROM replaced_ranks WHERE replaced_id = ?""",
                    [chart_id, period, replaced_id],
                )
                conn.execute(
                    f"""INSERT OR REPLACE INTO periods (chart_id, period, {_PERIOD_COLUMNS})
                        SELECT chart_id, period, {_PERIOD_COLUMNS}
                        FROM replaced_periods WHERE id = ?""",
                    [replaced_id],
                )
                conn.execute("DELETE FROM replaced_ranks WHERE replaced_id = ?", [replaced_id])
                conn.execute("DELETE FROM replaced_periods WHERE id = ?", [replaced_id])
            # The stored periods are no longer what the source's last body said.
            self.store.sources.set_history_hash(rewrite.source, None)
        return rewrite
