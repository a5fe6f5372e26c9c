"""Titles: one row per title (its normalised key, the shortest spelling seen, the artist)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from operator import attrgetter

from bot.engine.events import Event
from bot.engine.model import ChartRow, PeriodUnit
from bot.engine.titles import Candidate, title_key
from bot.store.base import BATCH, Repo, TitleRank

_TITLE_AND_ARTIST = attrgetter("title", "artist")


class TitlesRepo(Repo):
    def ids(self, rows: Iterable[ChartRow | Event]) -> dict[str, int]:
        """Title key -> id of the rows' (or events') titles, creating titles not seen before."""
        return self.ids_of(map(_TITLE_AND_ARTIST, rows))

    def ids_of(self, titles: Iterable[tuple[str, str | None]]) -> dict[str, int]:
        """Title key -> id of these (title, artist), creating titles not seen before.

        The shortest spelling names a title: "All of Us Are Dead" over "...: Season 1".
        """
        wanted: dict[str, tuple[str, str | None]] = {}
        for title, artist in dict.fromkeys(titles):
            key = title_key(title, artist)
            held = wanted.get(key)
            if held is None or len(title) < len(held[0]):
                wanted[key] = (title, artist)
        ids: dict[str, int] = {}
        shorter = []
        for key, title_id, name in self._by_keys(list(wanted)):
            ids[key] = title_id
            spelled = wanted[key][0]
            if len(spelled) < len(name) or (
                # A title a member named before it charted takes the chart's spelling.
                len(spelled) == len(name) and spelled != name and self._followed_early(title_id)
            ):
                shorter.append((spelled, title_id))
        self.db.conn.executemany("UPDATE titles SET name = ? WHERE id = ?", shorter)
        missing = [key for key in wanted if key not in ids]
        if missing:
            self.db.conn.executemany(
                "INSERT INTO titles (key, name, artist) VALUES (?, ?, ?)",
                [(key, *wanted[key]) for key in missing],
            )
            ids.update((key, title_id) for key, title_id, _ in self._by_keys(missing))
        return ids

    def _followed_early(self, title_id: int) -> bool:
        """Followed, and not charted yet. The ranks are looked at only for a followed title:
        during a big first import the by-title index is built at the end, and a spelling
        that differs only in case ("SICKO MODE") would scan every rank in each part."""
        query = """SELECT 1 FROM subscriptions WHERE title_id = ?
                   AND NOT EXISTS (SELECT 1 FROM ranks WHERE title_id = ?) LIMIT 1"""
        return self.db.conn.execute(query, [title_id, title_id]).fetchone() is not None

    def _by_keys(self, keys: list[str]) -> Iterator[tuple[str, int, str]]:
        for start in range(0, len(keys), BATCH):
            batch = keys[start : start + BATCH]
            marks = ",".join("?" * len(batch))
            yield from self.db.conn.execute(
                f"SELECT key, id, name FROM titles WHERE key IN ({marks})", batch
            )

    def candidates(self) -> list[Candidate]:
        return [
            Candidate(row["id"], row["name"], row["artist"])
            for row in self.db.query("SELECT id, name, artist FROM titles ORDER BY id")
        ]

    def by_key(self, name: str, artist: str | None = None) -> Candidate | None:
        rows = list(
            self.db.query(
                "SELECT id, name, artist FROM titles WHERE key = ?", [title_key(name, artist)]
            )
        )
        return Candidate(rows[0]["id"], rows[0]["name"], rows[0]["artist"]) if rows else None

    def named(self, name: str, artist: str | None = None) -> Candidate:
        """The title of this name, created when no chart has it yet (a member follows it
        before it charts: the chart's rows find it by the same key)."""
        with self.store.write():
            found = self.by_key(name, artist)
            if found is not None:
                return found
            self.db.execute(
                "INSERT INTO titles (key, name, artist) VALUES (?, ?, ?)",
                [title_key(name, artist), name, artist],
            )
        created = self.by_key(name, artist)
        assert created is not None
        return created

    def ranks(self, title_id: int) -> list[TitleRank]:
        """Every stored rank of a title, oldest period first."""
        return [
            TitleRank(
                chart_id=row["chart_id"],
                source=row["source"],
                chart=row["name"],
                period=row["period"],
                country=row["country"],
                rank=row["rank"],
                weeks=row["weeks"],
                season=row["season"],
                unit=PeriodUnit(row["unit"]) if row["unit"] else None,
            )
            for row in self.db.query(
                """SELECT r.chart_id, c.source, c.name, c.unit, r.period, r.country, r.rank,
                          r.weeks, r.season
                   FROM ranks r JOIN charts c ON c.id = r.chart_id
                   WHERE r.title_id = ? ORDER BY r.period, c.source, c.name, r.country, r.rank""",
                [title_id],
            )
        ]

    def merge(self, groups: Sequence[Sequence[str]]) -> int:
        """Fold stored titles into their group's first name (the config's [titles] merge).

        Ranks, events and subscriptions move to the kept title; returns how many
        titles were folded in. Nothing to do costs one query per name.
        """
        merged = 0
        for group in groups:
            keep_key = title_key(group[0])
            keys = sorted({title_key(name) for name in group[1:]} - {keep_key})
            marks = ",".join("?" * len(keys))
            others = [
                row[0]
                for row in self.db.execute(
                    f"SELECT id FROM titles WHERE key IN ({marks}) ORDER BY id", keys
                )
            ]
            if not others:
                continue
            with self.store.write():
                kept = self.db.execute("SELECT id FROM titles WHERE key = ?", [keep_key]).fetchone()
                if kept is None:
                    target, others = others[0], others[1:]
                    self.db.execute(
                        "UPDATE titles SET key = ?, name = ? WHERE id = ?",
                        [keep_key, group[0], target],
                    )
                else:
                    target = kept[0]
                for other in others:
                    for table in ("ranks", "events"):
                        self.db.execute(
                            f"UPDATE {table} SET title_id = ? WHERE title_id = ?", [target, other]
                        )
                    self.db.execute(
                        "UPDATE OR IGNORE subscriptions SET title_id = ? WHERE title_id = ?",
                        [target, other],
                    )
                    self.db.execute("DELETE FROM subscriptions WHERE title_id = ?", [other])
                    self.db.execute("DELETE FROM titles WHERE id = ?", [other])
                merged += len(others) + (kept is None)
        return merged

    def count(self) -> tuple[int, int]:
        """(number of titles, highest id): cheap to ask, changes when titles are added."""
        row = self.db.execute("SELECT count(*), coalesce(max(id), 0) FROM titles").fetchone()
        return row[0], row[1]

    def since(self, title_id: int) -> list[Candidate]:
        """Titles added after this id, oldest first (the title index adds them)."""
        return [
            Candidate(row["id"], row["name"], row["artist"])
            for row in self.db.query(
                "SELECT id, name, artist FROM titles WHERE id > ? ORDER BY id", [title_id]
            )
        ]
