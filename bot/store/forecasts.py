"""Forecasts: each chart's latest chances, how well its backtest scored and how the chances
it gave fared, and the on-course calls with their outcomes (schema: migrations 0014, 0016)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.engine.standings import Backed
from bot.forecast.calls import Call, Chance, Key
from bot.forecast.model import Target
from bot.forecast.scores import bin_of
from bot.store.base import Repo, batches, iso


@dataclass(frozen=True, slots=True)
class ChartScore:
    """How a chart's forecasts were made, and its latest walk-forward backtest's skill over
    the current-rank baseline (None: nothing scored yet)."""

    chart_id: int
    period: str  # the forecasts are of the period after this one
    horizon: int
    skill_next: float | None
    skill_within: float | None
    scored: int  # predictions the backtest scored
    scored_through: str | None  # the last period it scored
    note: str | None  # why there are no forecasts ("too little history …")
    scored_periods: int | None = None  # the periods it scored (None: scored before 0016)

    @property
    def shown(self) -> bool:
        """Are its chances shown: does the backtest beat the baseline on both targets?"""
        return (self.skill_next or 0) > 0 and (self.skill_within or 0) > 0


@dataclass(frozen=True, slots=True)
class Tally:
    """How the chances a chart's latest backtest gave in one tenth (0 to 10%, 10 to 20%, …)
    fared, to titles #1 there when it gave them (`holder`) or to the others: how many were
    given, how many came true, and their mean."""

    target: Target
    holder: bool
    bin: int  # chances from bin/10 to (bin+1)/10 (bot.forecast.scores.bin_of)
    given: int
    came_true: int
    mean: float


@dataclass(frozen=True, slots=True)
class Backing:
    """A chart's tallies, read once, to back each of its chances with: the tally of the
    chance's tenth among titles placed as its title is (#1 there or not)."""

    tallies: dict[tuple[Target, bool, int], Tally]

    def of(self, target: Target, chance: float, *, holder: bool) -> Backed:
        held = self.tallies.get((target, holder, bin_of(chance)))
        return Backed(chance, held.given, held.came_true) if held else Backed(chance, 0, 0)


@dataclass(frozen=True, slots=True)
class MarketChances:
    """A title's chances in one market of a chart whose forecasts are shown, each with
    its backing, and the periods that backtest scored."""

    chart_id: int
    country: str
    period: str
    horizon: int
    next: Backed
    within: Backed
    scored_periods: int


@dataclass(frozen=True, slots=True)
class CallRecord:
    """The on-course calls so far: made, resolved, came true, and the number the calls'
    chances expected to come true."""

    calls: int
    resolved: int
    came_true: int
    expected: float


class ForecastsRepo(Repo):
    def called(self, charts: Mapping[str, int]) -> dict[Key, str | None]:
        """Each candidate's call in the charts' last forecasts (None: not called)."""
        names = {id_: name for name, id_ in charts.items()}
        found: dict[Key, str | None] = {}
        for batch, marks in batches(sorted(names)):
            for chart_id, country, title_id, called in self.db.conn.execute(
                f"""SELECT chart_id, country, title_id, called FROM forecasts
                    WHERE chart_id IN ({marks})""",
                batch,
            ):
                found[(names[chart_id], country, title_id)] = called
        return found

    def replace(self, charts: Mapping[str, int], chances: Iterable[Chance]) -> None:
        """The charts' forecasts, in place of their last ones."""
        for batch, marks in batches(sorted(charts.values())):
            self.db.conn.execute(f"DELETE FROM forecasts WHERE chart_id IN ({marks})", batch)
        self.db.conn.executemany(
            """INSERT INTO forecasts
                   (chart_id, country, title_id, period, rank, p_next, p_within, called)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                (charts[c.chart], c.market, c.title, c.period, c.rank, c.next, c.within, c.called)
                for c in chances
            ],
        )

    def set_score(self, score: ChartScore, *, now: datetime) -> None:
        self.db.conn.execute(
            """INSERT OR REPLACE INTO forecast_charts
                   (chart_id, period, horizon, made_at, skill_next, skill_within, scored,
                    scored_through, note, scored_periods)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                score.chart_id,
                score.period,
                score.horizon,
                iso(now),
                score.skill_next,
                score.skill_within,
                score.scored,
                score.scored_through,
                score.note,
                score.scored_periods,
            ],
        )

    def set_tallies(self, chart_id: int, tallies: Iterable[Tally]) -> None:
        """A chart's tallies, in place of its last backtest's."""
        self.db.conn.execute("DELETE FROM forecast_bins WHERE chart_id = ?", [chart_id])
        self.db.conn.executemany(
            """INSERT INTO forecast_bins (chart_id, target, holder, bin, given, came_true, mean)
               VALUES (?, ?, ?, ?, ?, ?, ?)""",
            [
                (chart_id, t.target.value, t.holder, t.bin, t.given, t.came_true, t.mean)
                for t in tallies
            ],
        )

    def backing(self, chart_id: int) -> Backing:
        """The chart's tallies, to back its chances with."""
        return Backing(
            {
                (Target(target), bool(holder), bin_): Tally(
                    Target(target), bool(holder), bin_, given, came_true, mean
                )
                for target, holder, bin_, given, came_true, mean in self.db.conn.execute(
                    """SELECT target, holder, bin, given, came_true, mean FROM forecast_bins
                       WHERE chart_id = ?""",
                    [chart_id],
                )
            }
        )

    def unscored_sources(self) -> list[str]:
        """The sources with a chart scored before the tallies were kept (migration 0016):
        its chances are not shown until it is scored again."""
        return [
            source
            for (source,) in self.db.conn.execute(
                """SELECT DISTINCT c.source FROM forecast_charts s
                   JOIN charts c ON c.id = s.chart_id
                   WHERE s.skill_next IS NOT NULL AND s.scored_periods IS NULL
                   ORDER BY c.source"""
            )
        ]

    def scores(self, chart_ids: Iterable[int] | None = None) -> dict[int, ChartScore]:
        """The charts' scores (None: every chart's)."""
        query = """SELECT chart_id, period, horizon, skill_next, skill_within, scored,
                          scored_through, note, scored_periods FROM forecast_charts"""
        if chart_ids is None:
            rows = self.db.conn.execute(query).fetchall()
        else:
            rows = []
            for batch, marks in batches(sorted(set(chart_ids))):
                rows += self.db.conn.execute(f"{query} WHERE chart_id IN ({marks})", batch)
        return {row[0]: ChartScore(*row) for row in rows}

    def for_title(self, title_id: int) -> list[MarketChances]:
        """A title's chances on the charts whose forecasts are shown (/rank), each with how
        chances like it fared in the chart's backtest: in its tenth, given to titles placed
        as it is (#1 there or not). None from a score stored before the tallies were kept:
        it is shown once scored again."""
        rows = self.db.conn.execute(
            """SELECT f.chart_id, f.country, f.period, s.horizon, f.rank, f.p_next, f.p_within,
                      s.scored_periods
               FROM forecasts f JOIN forecast_charts s ON s.chart_id = f.chart_id
               WHERE f.title_id = ? AND s.skill_next > 0 AND s.skill_within > 0
                 AND f.period = s.period AND s.scored_periods IS NOT NULL""",
            [title_id],
        ).fetchall()
        backing = {chart_id: self.backing(chart_id) for chart_id in {r[0] for r in rows}}
        return [
            MarketChances(
                chart_id,
                country,
                period,
                horizon,
                backing[chart_id].of(Target.NEXT, p_next, holder=rank == 1),
                backing[chart_id].of(Target.WITHIN, p_within, holder=rank == 1),
                scored_periods,
            )
            for chart_id, country, period, horizon, rank, p_next, p_within, scored_periods in rows
        ]

    def open_calls(self, charts: Mapping[str, int]) -> list[Call]:
        names = {id_: name for name, id_ in charts.items()}
        found: list[Call] = []
        for batch, marks in batches(sorted(names)):
            for chart_id, country, title_id, period, chance in self.db.conn.execute(
                f"""SELECT chart_id, country, title_id, period, chance FROM on_course_calls
                    WHERE outcome IS NULL AND chart_id IN ({marks})""",
                batch,
            ):
                found.append(Call(names[chart_id], country, title_id, period, chance))
        return found

    def add_calls(self, charts: Mapping[str, int], calls: Sequence[Call], horizon: int) -> None:
        self.db.conn.executemany(
            """INSERT INTO on_course_calls (chart_id, country, title_id, period, chance, horizon)
               VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
            [(charts[c.chart], c.market, c.title, c.period, c.chance, horizon) for c in calls],
        )

    def resolve(
        self, charts: Mapping[str, int], found: Mapping[Call, bool], *, now: datetime
    ) -> None:
        self.db.conn.executemany(
            """UPDATE on_course_calls SET outcome = ?, resolved_at = ?
               WHERE chart_id = ? AND country = ? AND title_id = ? AND period = ?""",
            [
                (int(came), iso(now), charts[c.chart], c.market, c.title, c.period)
                for c, came in found.items()
            ],
        )

    def record(self) -> CallRecord:
        calls, resolved, came_true, expected = self.db.conn.execute(
            """SELECT count(*), count(outcome), coalesce(sum(outcome), 0),
                      coalesce(sum(CASE WHEN outcome IS NOT NULL THEN chance END), 0)
               FROM on_course_calls"""
        ).fetchone()
        return CallRecord(calls, resolved, came_true, expected)
