"""FlixPatrol's rows made one snapshot, whichever way they came (pages or the API): per
country the fullest list wins, and lists of one day must agree at #1. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.engine.model import ChartRow, PeriodUnit
from bot.sources.base import Keep, ParseError, Snapshot, keep_all


@dataclass(frozen=True, slots=True)
class Listed:
    """The rows one place (a page, an API answer) gives for one chart, country and day."""

    where: str
    rows: tuple[ChartRow, ...]

    @property
    def first(self) -> str | None:
        return next((row.title for row in self.rows if row.rank == 1), None)


def combine(
    sources: Iterable[tuple[str, Sequence[ChartRow]]],
    *,
    source: str,
    content_hash: str,
    keep: Keep = keep_all,
) -> Snapshot:
    """One snapshot of rows from several places (`(where, rows)`): for each chart, country
    and day the fullest list is kept (a country page's top 10 over the world page's #1);
    two lists that disagree at #1 refuse the whole snapshot (one of them is stale)."""
    best: dict[tuple[str, str, str], Listed] = {}
    for where, rows in sources:
        groups: dict[tuple[str, str, str], list[ChartRow]] = {}
        for row in rows:
            groups.setdefault((row.chart, row.period, row.country), []).append(row)
        for key, group in groups.items():
            listed = Listed(where, tuple(group))
            held = best.get(key)
            if (
                held is not None
                and None not in (held.first, listed.first)
                and (held.first != listed.first)
            ):
                chart, period, country = key
                raise ParseError(
                    f"{held.where} and {where} disagree on #1 in {chart} for {country} on "
                    f"{period} (“{held.first}” and “{listed.first}”): one of them is stale"
                )
            if held is None or len(listed.rows) > len(held.rows):
                best[key] = listed
    snapshot = Snapshot(source=source, content_hash=content_hash)
    for listed in best.values():
        for row in sorted(listed.rows, key=lambda r: r.rank):
            try:
                snapshot.add(row, keep)
            except ValueError as exc:
                raise ParseError(f"{listed.where}: {exc}") from None
    snapshot.units = dict.fromkeys({chart for chart, _ in snapshot.periods}, PeriodUnit.DAY)
    return snapshot
