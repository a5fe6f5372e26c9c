"""Migration 0015 (bot/store/schema.py): titles that `table` and `html` sources stored as a
wrong decoding had left them ("Greyâs Anatomy"), mended as those sources now read them
(bot.engine.titles.mended). Kept as it was released, like every migration: its SQL is its
own, not the store's code of a later day.

A mended title whose key is another title's is folded into it. Each stored period's digest
(of its rows' text) moves by the mended rows' difference, so that the next read of the
same file is no rewrite; where a row's text was not its title's stored name (a spelling
with a season, or other case and punctuation) that read still says "rewritten", with no
alert.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlite_utils import Database

from bot.engine.model import line_digest
from bot.engine.titles import mended, title_key

KINDS = ("table", "html")  # the source kinds that mend what they read

# Folding a mended title into its twin, as the store was at this migration: what hangs on
# it moves (a member following both keeps one follow: UNIQUE does not see two NULL servers
# as the same), its forecasts go (the next refresh makes them again), and so does it.
_FOLD = (
    "UPDATE ranks SET title_id = :into WHERE title_id = :other",
    "UPDATE events SET title_id = :into WHERE title_id = :other",
    "UPDATE replaced_ranks SET title_id = :into WHERE title_id = :other",
    """DELETE FROM subscriptions AS s WHERE title_id = :other AND guild_id IS NULL
       AND EXISTS (SELECT 1 FROM subscriptions k WHERE k.title_id = :into
                   AND k.guild_id IS NULL AND k.user_id = s.user_id)""",
    "UPDATE OR IGNORE subscriptions SET title_id = :into WHERE title_id = :other",
    "UPDATE OR IGNORE on_course_calls SET title_id = :into WHERE title_id = :other",
    "DELETE FROM subscriptions WHERE title_id = :other",
    "DELETE FROM on_course_calls WHERE title_id = :other",
    "DELETE FROM forecasts WHERE title_id = :other",
    "DELETE FROM titles WHERE id = :other",
)


@dataclass(frozen=True, slots=True)
class _Mending:
    """A stored title, and how it reads mended."""

    id: int
    name: str
    artist: str | None
    fixed: str
    fixed_artist: str | None
    listed: int | None  # its place in the title index (None: followed, never charted)


def mend_titles(db: Database) -> int:
    """Mend the titles that charted on KINDS' sources alone; how many were mended."""
    marks = ", ".join("?" * len(KINDS))
    if not db.execute(f"SELECT 1 FROM sources WHERE kind IN ({marks})", KINDS).fetchone():
        return 0
    found: dict[int, _Mending] = {}
    for title_id, name, artist, listed in db.execute(
        "SELECT id, name, artist, listed FROM titles"
    ).fetchall():
        fixed, fixed_artist = mended(name), mended(artist) if artist else artist
        if (fixed, fixed_artist) != (name, artist):
            found[title_id] = _Mending(title_id, name, artist, fixed, fixed_artist, listed)
    if not found:
        return 0
    # One read of their ranks (without the by-title index, one scan of them all).
    ids = ", ".join(str(title_id) for title_id in found)
    ranks = db.execute(
        f"""SELECT r.title_id, r.chart_id, r.period, r.country, r.rank, r.season, r.weeks,
                   s.kind IN ({marks})
            FROM ranks r JOIN charts c ON c.id = r.chart_id LEFT JOIN sources s ON s.name = c.source
            WHERE r.title_id IN ({ids})""",
        KINDS,
    ).fetchall()
    # Only titles on a chart, and on no chart of a source that does not mend.
    charted = {title_id for title_id, *_ in ranks}
    elsewhere = {title_id for title_id, *_, ours in ranks if not ours}
    found = {
        title_id: title for title_id, title in found.items() if title_id in charted - elsewhere
    }
    shifts: dict[tuple[int, str], int] = defaultdict(int)
    for title_id, chart_id, period, country, rank, season, weeks, _ in ranks:
        if (t := found.get(title_id)) is not None:
            now = line_digest(country, rank, t.fixed, t.fixed_artist, season, weeks)
            was = line_digest(country, rank, t.name, t.artist, season, weeks)
            shifts[chart_id, period] += now - was
    # Their keys out of the way first: a title's twin is then one already mended, or one
    # that no mending moves (whatever order they come in).
    for title_id in found:
        db.execute("UPDATE titles SET key = ? WHERE id = ?", [f"\x00mending {title_id}", title_id])
    for title in found.values():
        _mend(db, title)
    for (chart_id, period), shift in shifts.items():
        for (digest,) in db.execute(
            "SELECT digest FROM periods WHERE chart_id = ? AND period = ?", [chart_id, period]
        ).fetchall():
            db.execute(
                "UPDATE periods SET digest = ? WHERE chart_id = ? AND period = ?",
                [f"{(int(digest, 16) + shift) & 0xFFFFFFFFFFFFFFFF:016x}", chart_id, period],
            )
    return len(found)


def _mend(db: Database, title: _Mending) -> None:
    key = title_key(title.fixed, title.fixed_artist)
    twin = db.execute("SELECT id, listed FROM titles WHERE key = ? AND id != ?", [key, title.id])
    if (held := twin.fetchone()) is None:
        db.execute(
            "UPDATE titles SET key = ?, name = ?, artist = ? WHERE id = ?",
            [key, title.fixed, title.fixed_artist, title.id],
        )
        return
    into, into_listed = held
    for statement in _FOLD:
        db.execute(statement, {"into": into, "other": title.id})
    if into_listed is None:  # followed before it charted: it charts now, as the file says
        db.execute(
            "UPDATE titles SET name = ?, artist = ?, listed = ? WHERE id = ?",
            [title.fixed, title.fixed_artist, title.listed, into],
        )
