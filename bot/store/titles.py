"""Titles: one row per title (its normalised key, the shortest spelling seen, the artist)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from operator import attrgetter

from sqlite_utils import Database

from bot.engine.events import Event
from bot.engine.model import ChartRow, PeriodUnit
from bot.engine.standings import PeriodBest, TitleSpan, span_of_periods
from bot.engine.stored import TitleMerge, TitleRank
from bot.engine.titles import Candidate, TitleName, title_key
from bot.store.base import Repo, batches
from bot.store.migration import has_ranks_by_title

_TITLE_AND_ARTIST = attrgetter("title", "artist")


class TitlesRepo(Repo):
    def ids(self, rows: Iterable[ChartRow | Event]) -> dict[str, int]:
        """Title key -> id of the rows' (or events') titles, creating titles not seen before."""
        return self.ids_of(map(_TITLE_AND_ARTIST, rows))

    def ids_of(self, titles: Iterable[tuple[str, str | None]]) -> dict[str, int]:
        """Title key -> id of these (title, artist) from a chart, creating titles not seen
        before. Inside the caller's write transaction.

        The shortest spelling names a title: "All of Us Are Dead" over "...: Season 1". A
        title a member followed before it charted (not listed yet) takes the chart's name
        and artist now, whatever the member typed, and is listed from now on.
        """
        wanted: dict[str, tuple[str, str | None]] = {}
        for title, artist in dict.fromkeys(titles):
            key = title_key(title, artist)
            held = wanted.get(key)
            if held is None or len(title) < len(held[0]):
                wanted[key] = (title, artist)
        ids: dict[str, int] = {}
        shorter = []
        charted = []
        for key, title_id, name, listed in self._by_keys(list(wanted)):
            ids[key] = title_id
            spelled, artist = wanted[key]
            if listed is None:
                charted.append((spelled, artist, title_id))
            elif len(spelled) < len(name):
                shorter.append((spelled, title_id))
        self.db.conn.executemany("UPDATE titles SET name = ? WHERE id = ?", shorter)
        missing = [key for key in wanted if key not in ids]
        if charted or missing:
            listed = self._next_listed()
            self.db.conn.executemany(
                "UPDATE titles SET name = ?, artist = ?, listed = ? WHERE id = ?",
                [
                    (name, artist, listed + n, title_id)
                    for n, (name, artist, title_id) in enumerate(charted)
                ],
            )
            listed += len(charted)
            self.db.conn.executemany(
                "INSERT INTO titles (key, name, artist, listed) VALUES (?, ?, ?, ?)",
                [(key, *wanted[key], listed + n) for n, key in enumerate(missing)],
            )
            ids.update((key, title_id) for key, title_id, _, _ in self._by_keys(missing))
        return ids

    def _next_listed(self) -> int:
        """The next number in the order titles came onto a chart (the title index reads
        titles listed after the last one it holds)."""
        row = self.db.execute("SELECT coalesce(max(listed), 0) FROM titles").fetchone()
        return int(row[0]) + 1

    def early(self, title: TitleName) -> int | None:
        """The id of a title of this name (listed or followed early), if stored."""
        row = self.db.execute("SELECT id FROM titles WHERE key = ?", [title.key]).fetchone()
        return None if row is None else int(row[0])

    def add_early(self, title: TitleName) -> int:
        """A title followed before any chart has it, unlisted: inside the transaction of
        the subscription that follows it (bot/store/guilds.py)."""
        assert self.db.conn.in_transaction, "only inside an accepted subscription's transaction"
        cursor = self.db.execute(
            "INSERT INTO titles (key, name, artist) VALUES (?, ?, ?)",
            [title.key, title.name, title.artist],
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def drop_unfollowed(self, title_ids: Iterable[int] | None = None) -> int:
        """Remove titles followed before they charted that nobody follows any more (these
        ids, or all of them); inside the caller's transaction. Returns how many went."""
        query = """DELETE FROM titles WHERE listed IS NULL
                   AND NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.title_id = titles.id)"""
        if title_ids is None:
            return self.db.execute(query).rowcount
        removed = 0
        ids = sorted(set(title_ids))
        for batch, marks in batches(ids):
            removed += self.db.execute(f"{query} AND id IN ({marks})", batch).rowcount
        return removed

    def _by_keys(self, keys: list[str]) -> Iterator[tuple[str, int, str, int | None]]:
        for batch, marks in batches(keys):
            yield from self.db.conn.execute(
                f"SELECT key, id, name, listed FROM titles WHERE key IN ({marks})", batch
            )

    def candidates(self) -> list[Candidate]:
        """Every title a chart has had, in the order they came onto one (a title followed
        before it charted is no candidate: other servers never see a member's text)."""
        return [
            Candidate(row["id"], row["name"], row["artist"])
            for row in self.db.query(
                "SELECT id, name, artist FROM titles WHERE listed IS NOT NULL ORDER BY listed"
            )
        ]

    def named(self, title_ids: Iterable[int]) -> dict[int, Candidate]:
        """Title id -> its name (and artist), for the ids given."""
        named: dict[int, Candidate] = {}
        for batch, marks in batches(sorted(set(title_ids))):
            for id_, name, artist in self.db.conn.execute(
                f"SELECT id, name, artist FROM titles WHERE id IN ({marks})", batch
            ):
                named[id_] = Candidate(id_, name, artist)
        return named

    def by_key(self, name: str, artist: str | None = None) -> Candidate | None:
        rows = list(
            self.db.query(
                "SELECT id, name, artist FROM titles WHERE key = ?", [title_key(name, artist)]
            )
        )
        return Candidate(rows[0]["id"], rows[0]["name"], rows[0]["artist"]) if rows else None

    def ranks(self, title_id: int, chart_id: int | None = None) -> list[TitleRank]:
        """Every stored rank of a title (on one chart, or on all), oldest period first.

        Read as plain tuples, each chart's names looked up once (a title of five years in
        94 countries has tens of thousands of ranks)."""
        on_chart = "" if chart_id is None else " AND r.chart_id = ?"
        charts = self._charts(title_id, None if chart_id is None else [chart_id])
        return [
            TitleRank._make(charts[row[0]] + row[1:])
            for row in self.db.execute(
                f"""SELECT r.chart_id, r.period, r.country, r.rank, r.weeks, r.season
                    FROM ranks r JOIN charts c ON c.id = r.chart_id
                    WHERE r.title_id = ?{on_chart}
                    ORDER BY r.period, c.source, c.name, r.country, r.rank""",
                [title_id] if chart_id is None else [title_id, chart_id],
            )
        ]

    def latest_ranks(self, title_id: int) -> tuple[list[TitleRank], dict[int, TitleSpan]]:
        """A title's ranks on each chart in its latest period there and in the chart's period
        before it, and a span of all its ranks there: what /rank's words say.

        The span is summed up by SQLite, one row a period, in the by-title index's order:
        reading a hit's every rank (1,500 in the Netflix file) took three times as long."""
        by_period: dict[int, list[PeriodBest]] = {}
        for chart_id, period, best, joined in self.db.execute(
            """SELECT chart_id, period, min(rank),
                      group_concat(DISTINCT replace(nullif(season, ''), ',', char(31)))
               FROM ranks WHERE title_id = ? GROUP BY chart_id, period
               ORDER BY chart_id, period""",
            [title_id],
        ):
            by_period.setdefault(chart_id, []).append(PeriodBest(period, best, _seasons(joined)))
        charts = self._charts(title_id, list(by_period))
        recent: list[TitleRank] = []
        spans: dict[int, TitleSpan] = {}
        for chart_id, periods in by_period.items():
            span = span_of_periods(periods)
            latest = periods[-1].period
            [(since,)] = self.db.execute(
                "SELECT max(period) FROM periods WHERE chart_id = ? AND period < ?",
                [chart_id, latest],
            ).fetchall()
            recent += [
                TitleRank._make(charts[chart_id] + row)
                for row in self.db.execute(
                    """SELECT period, country, rank, weeks, season FROM ranks
                       WHERE title_id = ? AND chart_id = ? AND period >= ?
                       ORDER BY period, country, rank""",
                    [title_id, chart_id, since or latest],
                )
            ]
            countries = tuple(
                country
                for (country,) in self.db.execute(
                    """SELECT country FROM ranks WHERE title_id = ? AND chart_id = ?
                       AND period = ? AND rank = ? ORDER BY country""",
                    [title_id, chart_id, span.best_rank_period, span.best_rank],
                )
            )
            spans[chart_id] = replace(span, best_rank_countries=countries)
        return recent, spans

    def _charts(
        self, title_id: int, chart_ids: list[int] | None
    ) -> dict[int, tuple[int, str, str, PeriodUnit | None, str]]:
        """The chart fields of a title's ranks (TitleRank's first five), by chart: of the
        charts given, or of every chart the title is on."""
        if chart_ids is None:
            where, params = (
                "IN (SELECT DISTINCT chart_id FROM ranks WHERE title_id = ?)",
                [title_id],
            )
        else:
            where, params = f"IN ({', '.join('?' * len(chart_ids))})", chart_ids
        return {
            chart_id: (chart_id, source, name, PeriodUnit(unit) if unit else None, label or source)
            for chart_id, source, name, unit, label in self.db.execute(
                f"""SELECT c.id, c.source, c.name, c.unit, s.label FROM charts c
                    LEFT JOIN sources s ON s.name = c.source WHERE c.id {where}""",
                params,
            )
        }

    def merges(self, groups: Sequence[Sequence[str]]) -> list[TitleMerge]:
        """What folding the config's [titles] merge groups would join, as stored now:
        one entry per group with stored titles to fold (nothing is changed)."""
        found = []
        for group in groups:
            keep_key = title_key(group[0])
            keys = sorted({title_key(name) for name in group[1:]} - {keep_key})
            marks = ",".join("?" * len(keys))
            others = [
                Candidate(row[0], row[1], row[2])
                for row in self.db.execute(
                    f"SELECT id, name, artist FROM titles WHERE key IN ({marks}) ORDER BY id", keys
                )
            ]
            if not others:
                continue
            kept = self.db.execute(
                "SELECT id, name, artist FROM titles WHERE key = ?", [keep_key]
            ).fetchone()
            ids = [c.id for c in others]
            found.append(
                TitleMerge(
                    name=group[0],
                    kept=Candidate(*kept) if kept else None,
                    folded=tuple(others),
                    ranks=self._count_of("ranks", ids),
                    subscriptions=self._count_of("subscriptions", ids),
                )
            )
        return found

    def _count_of(self, table: str, title_ids: Sequence[int]) -> int:
        marks = ",".join("?" * len(title_ids))
        query = f"SELECT count(*) FROM {table} WHERE title_id IN ({marks})"
        return int(self.db.execute(query, list(title_ids)).fetchone()[0])

    def merge(self, groups: Sequence[Sequence[str]]) -> list[TitleMerge]:
        """Fold stored titles into their group's first name (`chartbot merge-titles`, from
        the config's [titles] merge): ranks, events and subscriptions move to the kept
        title. Not undone by anything: `merges` says first what this would join."""
        done = []
        for merge in self.merges(groups):
            with self.store.write():
                others = [c.id for c in merge.folded]
                if merge.kept is None:
                    target, others = others[0], others[1:]
                    self.db.execute(
                        "UPDATE titles SET key = ?, name = ? WHERE id = ?",
                        [title_key(merge.name), merge.name, target],
                    )
                else:
                    target = merge.kept.id
                for other in others:
                    fold_title(self.db, other, into=target)
                if self._count_of("ranks", [target]):  # charted now, if it was followed early
                    self.db.execute(
                        "UPDATE titles SET listed = ? WHERE id = ? AND listed IS NULL",
                        [self._next_listed(), target],
                    )
            done.append(merge)
        return done

    def charted_before(
        self, chart_id: int, period: str, title_ids: Iterable[int], depth: int
    ) -> set[int]:
        """Which of these titles charted on the chart (to `depth`) before `period`: a
        forecast reading only the periods after counts their ages from further back. One
        look each by the by-title index; without it (a big first import under way), one
        read of the chart's ranks before `period`."""
        wanted = sorted(set(title_ids))
        if not has_ranks_by_title(self.db):
            before = self.db.execute(
                """SELECT DISTINCT title_id FROM ranks
                   WHERE chart_id = ? AND period < ? AND rank <= ?""",
                [chart_id, period, depth],
            )
            return {title for (title,) in before} & set(wanted)
        return {
            title
            for (title,) in self.db.execute(
                """SELECT t.value FROM json_each(?) t
                   WHERE EXISTS (SELECT 1 FROM ranks r WHERE r.title_id = t.value
                                 AND r.chart_id = ? AND r.period < ? AND r.rank <= ?)""",
                [json.dumps(wanted), chart_id, period, depth],
            )
        }

    def count(self) -> tuple[int, int]:
        """(number of listed titles, the last listed): cheap to ask, changes when a title
        comes onto a chart."""
        row = self.db.execute(
            "SELECT count(*), coalesce(max(listed), 0) FROM titles WHERE listed IS NOT NULL"
        ).fetchone()
        return row[0], row[1]

    def since(self, listed: int) -> list[Candidate]:
        """Titles listed after this one, in order (the title index adds them)."""
        return [
            Candidate(row["id"], row["name"], row["artist"])
            for row in self.db.query(
                "SELECT id, name, artist FROM titles WHERE listed > ? ORDER BY listed", [listed]
            )
        ]


def fold_title(db: Database, other: int, *, into: int) -> None:
    """Make one title of two: the other's ranks, events, subscriptions and on-course
    calls move to `into` (where `into` has the same, `into`'s are kept), its forecasts
    go (the next refresh makes them again), and it goes."""
    for table in ("ranks", "events", "replaced_ranks"):
        db.execute(f"UPDATE {table} SET title_id = ? WHERE title_id = ?", [into, other])
    # A member's DMs (no server) following both: UNIQUE does not see NULLs as equal.
    db.execute(
        """DELETE FROM subscriptions AS s WHERE title_id = ? AND guild_id IS NULL
           AND EXISTS (SELECT 1 FROM subscriptions k WHERE k.title_id = ?
                       AND k.guild_id IS NULL AND k.user_id = s.user_id)""",
        [other, into],
    )
    for table in ("subscriptions", "on_course_calls"):
        db.execute(f"UPDATE OR IGNORE {table} SET title_id = ? WHERE title_id = ?", [into, other])
    for table in ("subscriptions", "on_course_calls", "forecasts", "titles"):
        column = "id" if table == "titles" else "title_id"
        db.execute(f"DELETE FROM {table} WHERE {column} = ?", [other])


def _seasons(joined: str | None) -> tuple[str, ...]:
    """A period's seasons by name, as group_concat joined them (a comma in a name stored
    as \\x1f)."""
    return tuple(sorted(name.replace("\x1f", ",") for name in joined.split(","))) if joined else ()
