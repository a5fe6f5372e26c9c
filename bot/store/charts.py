"""Charts, their periods and ranks: what is stored of each chart, and the rows."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from bot.engine.milestones import History, Wanted, run_length
from bot.engine.model import (
    ChartPeriod,
    ChartPeriodKey,
    ChartRow,
    PeriodSummary,
    PeriodUnit,
    line_digest,
)
from bot.engine.plan import StoredPeriod
from bot.engine.standings import ChartShape, unit_of
from bot.engine.stored import ChartInfo, ChartLine
from bot.store.base import Repo, batches
from bot.store.migration import RANKS_BY_TITLE, has_ranks_by_title
from bot.store.rows import INSERT_RANK, LazyCountries, rank_rows


class ChartsRepo(Repo):
    def stored_periods(
        self, source: str, only: Iterable[ChartPeriodKey] | None = None
    ) -> dict[str, dict[str, StoredPeriod]]:
        """chart -> period -> what is stored for it (country row counts and digest).

        `only`: just these (chart, period) pairs (an import's part), not the whole history.
        """
        if only is not None:
            return self._stored_periods_of(source, only)
        stored: dict[str, dict[str, StoredPeriod]] = {}
        for chart, period, countries, digest in self.db.conn.execute(
            """SELECT c.name, p.period, p.countries, p.digest
               FROM charts c LEFT JOIN periods p ON p.chart_id = c.id WHERE c.source = ?""",
            [source],
        ):
            periods = stored.setdefault(chart, {})
            if period is not None:
                periods[period] = StoredPeriod(LazyCountries(countries), digest)
        return stored

    def _stored_periods_of(
        self, source: str, keys: Iterable[ChartPeriodKey]
    ) -> dict[str, dict[str, StoredPeriod]]:
        by_chart: dict[str, list[str]] = {}
        for chart, period in keys:
            by_chart.setdefault(chart, []).append(period)
        stored: dict[str, dict[str, StoredPeriod]] = {}
        for chart, periods in by_chart.items():
            held = stored.setdefault(chart, {})
            for batch, marks in batches(periods):
                for period, countries, digest in self.db.conn.execute(
                    f"""SELECT p.period, p.countries, p.digest FROM periods p
                        JOIN charts c ON c.id = p.chart_id
                        WHERE c.source = ? AND c.name = ? AND p.period IN ({marks})""",
                    [source, chart, *batch],
                ):
                    held[period] = StoredPeriod(LazyCountries(countries), digest)
        return stored

    def latest_periods(self, source: str) -> dict[str, str]:
        """chart -> its newest stored period."""
        return {
            row["name"]: row["latest"]
            for row in self.db.query(
                """SELECT c.name, max(p.period) AS latest FROM charts c
                   JOIN periods p ON p.chart_id = c.id WHERE c.source = ? GROUP BY c.id""",
                [source],
            )
        }

    def ids(
        self, source: str, names: Iterable[str], units: Mapping[str, PeriodUnit] | None = None
    ) -> dict[str, int]:
        """Chart name -> id, creating charts not seen before; `units` as the source says."""
        ids = {}
        units = units or {}
        for name in names:
            unit = units.get(name)
            self.db.execute(
                """INSERT INTO charts (source, name, unit) VALUES (?, ?, ?)
                   ON CONFLICT (source, name) DO UPDATE SET unit = excluded.unit
                   WHERE excluded.unit IS NOT NULL AND unit IS NOT excluded.unit""",
                [source, name, unit],
            )
            ids[name] = self.db.execute(
                "SELECT id FROM charts WHERE source = ? AND name = ?", [source, name]
            ).fetchone()[0]
        return ids

    @contextmanager
    def loading_ranks(self, *, bulk: bool) -> Iterator[None]:
        """Rows about to be stored; a bulk load into no stored ranks (a first import)
        builds the by-title index once at the end instead of row by row."""
        rebuild = (
            bulk
            and self.has_by_title_index()
            and self.db.execute("SELECT 1 FROM ranks LIMIT 1").fetchone() is None
        )
        if rebuild:
            self.db.execute("DROP INDEX ranks_by_title")
        yield
        if rebuild:
            self.db.execute(RANKS_BY_TITLE)

    def has_by_title_index(self) -> bool:
        return has_ranks_by_title(self.db)

    def defer_by_title_index(self) -> bool:
        """Before a first import of a big file in many parts (transactions): without the
        by-title index until `build_by_title_index`, which sorts once what each row would
        otherwise insert at a random place. Only into a store with no ranks yet (nothing
        reads them), or one an earlier such import left without it; True if deferred.
        A transaction of its own."""
        with self.store.write():
            if self.has_by_title_index():
                if self.db.execute("SELECT 1 FROM ranks LIMIT 1").fetchone() is not None:
                    return False
                self.db.execute("DROP INDEX ranks_by_title")
            return True

    def build_by_title_index(self) -> bool:
        """Build the by-title index if it is missing (a big import finished, or stopped
        before it could); True if it was built. A transaction of its own."""
        with self.store.write():
            if self.has_by_title_index():
                return False
            self.db.execute(RANKS_BY_TITLE)
            return True

    def put_period(
        self,
        chart_id: int,
        summary: PeriodSummary,
        rows: Sequence[ChartRow],
        title_ids: dict[str, int],
        snapshot_id: int,
    ) -> None:
        """Store (or replace) one chart's rows for one period, with its summary. A period
        stored before is kept as it was (store.rewrites), so the rewrite can be undone."""
        conn = self.db.conn
        self.store.rewrites.keep(chart_id, summary.period, replaced_by=snapshot_id)
        conn.execute(
            "DELETE FROM ranks WHERE chart_id = ? AND period = ?", [chart_id, summary.period]
        )
        conn.executemany(INSERT_RANK, rank_rows(chart_id, rows, title_ids))
        conn.execute(
            """INSERT OR REPLACE INTO periods
                   (chart_id, period, countries, rows, digest, snapshot_id)
               VALUES (?, ?, ?, ?, ?, ?)""",
            [
                chart_id,
                summary.period,
                json.dumps(summary.countries, sort_keys=True),
                summary.rows,
                summary.digest_hex,
                snapshot_id,
            ],
        )

    def extend_period(
        self,
        chart_id: int,
        added: PeriodSummary,
        rows: Sequence[ChartRow],
        title_ids: dict[str, int],
        snapshot_id: int,
        replacing: Collection[str] = (),
    ) -> list[str]:
        """Add countries to a stored period (one country's file at a time), keeping the rest.

        `replacing`: countries stored at #1 only whose full list `rows` bring: the list
        replaces the #1 when it has the same #1 (else the stored one is kept and a warning
        returned)."""
        kept, warnings, removed = self._replace_number_ones(chart_id, added, rows, replacing)
        if len(kept) < len(rows):
            added = PeriodSummary.of(added.chart, added.period, kept)
        stored = self.db.execute(
            "SELECT countries, rows, digest FROM periods WHERE chart_id = ? AND period = ?",
            [chart_id, added.period],
        ).fetchone()
        countries = {**json.loads(stored[0]), **added.countries}
        digest = (int(stored[2], 16) + added.digest - removed) & 0xFFFFFFFFFFFFFFFF
        self.db.conn.executemany(INSERT_RANK, rank_rows(chart_id, kept, title_ids))
        self.db.execute(
            """UPDATE periods SET countries = ?, rows = ?, digest = ?, snapshot_id = ?
               WHERE chart_id = ? AND period = ?""",
            [
                json.dumps(countries, sort_keys=True),
                sum(countries.values()),
                f"{digest:016x}",
                snapshot_id,
                chart_id,
                added.period,
            ],
        )
        return warnings

    def _replace_number_ones(
        self,
        chart_id: int,
        added: PeriodSummary,
        rows: Sequence[ChartRow],
        countries: Collection[str],
    ) -> tuple[list[ChartRow], list[str], int]:
        """The rows to insert (without those of a country whose #1 disagrees), warnings, and
        the digest of the #1 rows taken out (deleted here)."""
        refused: set[str] = set()
        warnings = []
        removed = 0
        for country in sorted(countries):
            held = self.db.execute(
                """SELECT t.key, t.name, t.artist, r.season, r.weeks FROM ranks r
                   JOIN titles t ON t.id = r.title_id
                   WHERE r.chart_id = ? AND r.period = ? AND r.country = ? AND r.rank = 1""",
                [chart_id, added.period, country],
            ).fetchone()
            first = next(r for r in rows if r.country == country and r.rank == 1)
            if held is None or held[0] != first.key:
                refused.add(country)
                warnings.append(
                    f"{added.chart} {added.period}: the {country} list has “{first.title}” at #1, "
                    f"where “{held[1] if held else '?'}” is stored: the stored #1 is kept"
                )
                continue
            removed += line_digest(country, 1, held[1], held[2], held[3], held[4])
            self.db.execute(
                "DELETE FROM ranks WHERE chart_id = ? AND period = ? AND country = ?",
                [chart_id, added.period, country],
            )
        kept = [r for r in rows if r.country not in refused] if refused else list(rows)
        return kept, warnings, removed

    def period_standings(self, source: str, chart: str, period: str) -> ChartPeriod:
        """One stored chart period, as the standings a diff compares."""
        return ChartPeriod.from_entries(
            chart,
            period,
            self.db.conn.execute(
                """SELECT r.country, t.key, r.rank, t.name, t.artist
                   FROM ranks r JOIN charts c ON c.id = r.chart_id
                   JOIN titles t ON t.id = r.title_id
                   WHERE c.source = ? AND c.name = ? AND r.period = ?
                   ORDER BY r.country, r.rank""",
                [source, chart, period],
            ),
        )

    def history(
        self, chart_id: int, period: str, wanted: Wanted, title_ids: Mapping[str, int]
    ) -> History:
        """What the periods before `period` say of the titles a new period's events name
        (bot/engine/milestones.py): each title's best #1 count, the last period it was #1
        in a market, and how many periods running it has held #1 there."""

        def at_number_one(select: str, title: str, more: str = "", *params: str) -> list[Any]:
            return self.db.conn.execute(
                f"""SELECT {select} FROM ranks WHERE title_id = ? AND chart_id = ?
                    AND period < ? AND rank = 1 {more}""",
                [title_ids[title], chart_id, period, *params],
            ).fetchall()

        best = {}
        for title in wanted.peaks:
            counts = at_number_one("count(DISTINCT country)", title, "GROUP BY period")
            best[title] = max((n for (n,) in counts), default=0)
        last = {}
        for title, country in wanted.returns:
            [(held,)] = at_number_one("max(period)", title, "AND country = ?", country)
            if held is not None:
                last[(title, country)] = held
        runs = {}
        if wanted.streaks:
            before = [p for p in self.periods(chart_id) if p < period]
            for title, country in wanted.streaks:
                held = {p for (p,) in at_number_one("period", title, "AND country = ?", country)}
                runs[(title, country)] = run_length(held, before)
        return History(best, last, runs)

    def charted_before(self, title_ids: Mapping[str, int], period: str) -> set[str]:
        """Those of the titles with a rank on any chart before `period`."""
        return {
            key
            for key, title_id in title_ids.items()
            if self.db.conn.execute(
                "SELECT 1 FROM ranks WHERE title_id = ? AND period < ? LIMIT 1", [title_id, period]
            ).fetchone()
        }

    def title_period(
        self, source: str, chart: str, period: str, key: str
    ) -> tuple[dict[str, int], ChartShape]:
        """A title's best rank in each country in one period of a chart, and the chart's
        shape (for its map)."""
        found = self.db.conn.execute(
            "SELECT id FROM charts WHERE source = ? AND name = ?", [source, chart]
        ).fetchone()
        if found is None:
            return {}, ChartShape(0, 0)
        ranks = dict(
            self.db.conn.execute(
                """SELECT r.country, min(r.rank) FROM ranks r JOIN titles t ON t.id = r.title_id
                   WHERE r.chart_id = ? AND r.period = ? AND t.key = ? GROUP BY r.country""",
                [found[0], period, key],
            ).fetchall()
        )
        return ranks, self.shape(found[0])

    def shape(self, chart_id: int) -> ChartShape:
        """How deep the chart lists and which countries, in its latest period."""
        deepest = dict(
            self.db.conn.execute(
                """SELECT country, max(rank) FROM ranks WHERE chart_id = ?
                   AND period = (SELECT max(period) FROM periods WHERE chart_id = ?)
                   GROUP BY country""",
                [chart_id, chart_id],
            ).fetchall()
        )
        return ChartShape(max(deepest.values(), default=0), len(deepest), frozenset(deepest))

    def leaders(self, chart_id: int) -> int:
        """How many titles are #1 somewhere in the chart's latest period."""
        [(count,)] = self.db.conn.execute(
            """SELECT count(DISTINCT title_id) FROM ranks WHERE chart_id = ? AND rank = 1
               AND period = (SELECT max(period) FROM periods WHERE chart_id = ?)""",
            [chart_id, chart_id],
        ).fetchall()
        return int(count)

    def unit(self, chart_id: int) -> PeriodUnit:
        """What one period of the chart is, as its source said or as its dates show."""
        [(said,)] = self.db.execute("SELECT unit FROM charts WHERE id = ?", [chart_id]).fetchall()
        return PeriodUnit(said) if said else unit_of(self.periods(chart_id))

    def periods(self, chart_id: int) -> list[str]:
        return [
            row[0]
            for row in self.db.execute(
                "SELECT period FROM periods WHERE chart_id = ? ORDER BY period", [chart_id]
            )
        ]

    def all_ranks(
        self, chart_id: int, since: str = "", depth: int | None = None
    ) -> Iterator[tuple[str, str, int, int]]:
        """A chart's ranks from `since` on (to `depth` when given), (period, country, rank,
        title id), period by period: what a forecast learns from (bot/forecast)."""
        yield from self.db.execute(
            """SELECT period, country, rank, title_id FROM ranks
               WHERE chart_id = ? AND period >= ? AND rank <= ? ORDER BY period""",
            [chart_id, since, depth or 1 << 62],
        )

    def listing(self) -> list[ChartInfo]:
        """Every chart with stored periods, newest first."""
        return [
            ChartInfo(
                row["id"],
                row["source"],
                row["name"],
                row["latest"],
                row["previous"],
                row["label"] or row["source"],
            )
            for row in self.db.query(
                """SELECT c.id, c.source, c.name, max(p.period) AS latest,
                       (SELECT max(q.period) FROM periods q
                        WHERE q.chart_id = c.id AND q.period < max(p.period)) AS previous,
                       (SELECT s.label FROM sources s WHERE s.name = c.source) AS label
                   FROM charts c JOIN periods p ON p.chart_id = c.id
                   GROUP BY c.id ORDER BY latest DESC, c.source, c.name"""
            )
        ]

    def country_chart(self, chart_id: int, period: str, country: str) -> list[ChartLine]:
        """One country's chart in one period, by rank."""
        return [
            ChartLine(row["rank"], row["title_id"], row["name"], row["artist"], row["season"])
            for row in self.db.query(
                """SELECT r.rank, r.title_id, t.name, t.artist, r.season FROM ranks r
                   JOIN titles t ON t.id = r.title_id
                   WHERE r.chart_id = ? AND r.period = ? AND r.country = ? ORDER BY r.rank""",
                [chart_id, period, country],
            )
        ]
