"""Deciding what a fetched file means against what is stored, before anything is written.

A source is trusted only when a failed, partial or strange fetch can never
look like "the title dropped out". So a file is rejected when it is older than
the store, when it lacks weeks or countries the store has, or when its newest
period is thinner than the one before; it is accepted, without alerts, when it
merely rewrites past periods (Netflix has renamed things across its whole
history before). Alerts come only from genuinely new periods.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from bot.engine.model import ChartPeriodKey, PeriodSummary
from bot.engine.source_types import FailureKind

# A period dated this far past today means a wrong file or a wrong clock.
FUTURE_TOLERANCE = timedelta(days=2)


class Rejected(Exception):
    """A well-formed chart that must not be stored; str() is the reason (the operator's),
    `kind` what kind of refusal it is."""

    def __init__(self, reason: str, kind: FailureKind = FailureKind.UNREADABLE) -> None:
        super().__init__(reason)
        self.kind = kind


@dataclass(frozen=True, slots=True)
class StoredPeriod:
    """What the store holds for one chart in one period."""

    countries: Mapping[str, int]  # country -> rows
    digest: str


Stored = Mapping[str, Mapping[str, StoredPeriod]]  # chart -> period -> StoredPeriod


@dataclass(slots=True)
class Plan:
    """What to write for a snapshot, and which periods are new enough to alert on."""

    baseline: bool
    new: dict[str, list[str]] = field(default_factory=dict)  # chart -> new periods, oldest first
    rewritten: list[ChartPeriodKey] = field(default_factory=list)
    # Imports only: stored periods the file adds countries to (a file per country), and
    # of those countries the ones stored at #1 only that the file lists in full (a country
    # page beside a world page's table of #1s): their list replaces the #1.
    extended: dict[ChartPeriodKey, list[str]] = field(default_factory=dict)
    deepened: dict[ChartPeriodKey, list[str]] = field(default_factory=dict)
    previous: dict[ChartPeriodKey, str | None] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def new_keys(self) -> list[ChartPeriodKey]:
        return [(chart, period) for chart, periods in self.new.items() for period in periods]

    @property
    def changed(self) -> bool:
        return bool(self.new_keys or self.rewritten or self.extended)

    def latest(self) -> dict[str, str]:
        """chart -> its newest new period (the one alerts go out for)."""
        return {chart: periods[-1] for chart, periods in self.new.items() if periods}


@dataclass(frozen=True, slots=True)
class Promises:
    """What a source promises about its data, for the checks of a new file.

    `charts` limits which stored charts a file must still carry (a config filter); None
    means every stored chart. `countries` likewise limits which countries a new period
    must still carry, for sources whose countries are configured (a country taken out of
    the config is not "missing"). `fixed_length` says a country with fewer rows than
    before is a broken file (a top 10); a list feed (False) may list fewer songs from one
    day to the next. `whole_history` says a file holds every period (Netflix's): one that
    starts later than the store is worth a warning; a file of one period (a feed, a
    download) always does.
    """

    charts: tuple[str, ...] | None = None
    countries: frozenset[str] | None = None
    fixed_length: bool = True
    whole_history: bool = True


ANYTHING = Promises()


def plan(
    periods: Mapping[ChartPeriodKey, PeriodSummary],
    stored: Stored,
    *,
    today: date,
    promises: Promises = ANYTHING,
    as_stored: Collection[ChartPeriodKey] = frozenset(),
) -> Plan:
    """Check a parsed file against the store; raise Rejected or say what to write.

    `as_stored` are periods the file is known to hold exactly as stored, unread (see
    Snapshot.based_on): in the file, and not checked again.
    """
    in_file: dict[str, list[str]] = {}
    for chart, period in sorted({*periods, *as_stored}):
        in_file.setdefault(chart, []).append(period)
    if not in_file:
        raise Rejected("the file holds no chart rows", FailureKind.EMPTY_BODY)
    _check_future(in_file, today)
    charts = promises.charts
    expected = set(stored) if charts is None else set(stored) & set(charts)
    result = Plan(baseline=not any(stored.values()))
    if result.baseline:
        result.new = in_file
        _link_previous(result, in_file, stored)
        return result

    source_latest = max(max(p) for p in stored.values() if p)
    unseen = sorted(set(in_file) - set(stored))
    for chart in sorted(expected):
        if chart not in in_file:
            if not promises.whole_history:
                continue  # files of one chart each (downloads): a chart may have none today
            if unseen:
                result.warnings.append(
                    f"chart {chart} is gone from the file and {', '.join(unseen)} appeared "
                    f"(renamed?); {chart} keeps its history"
                )
                continue
            raise Rejected(f"chart {chart} is missing from the file", FailureKind.HISTORY_MISSING)
        held = _Held(chart, in_file[chart], stored[chart])
        _check_history(held, periods, result, as_stored, promises)

    for chart, file_periods in in_file.items():
        known = stored.get(chart, {})
        since = max(known) if known else source_latest
        result.new[chart] = [p for p in file_periods if p > since]
    _link_previous(result, in_file, stored)
    for chart, period in result.new_keys:
        _check_new_period(
            (chart, period), result.previous[(chart, period)], periods, stored, promises
        )
    return result


@dataclass(frozen=True, slots=True)
class _Held:
    """One chart as a file has it and as the store does."""

    chart: str
    file_periods: list[str]
    stored_periods: Mapping[str, StoredPeriod]


def _check_future(in_file: Mapping[str, list[str]], today: date) -> None:
    limit = (today + FUTURE_TOLERANCE).isoformat()
    for chart, file_periods in in_file.items():
        if file_periods[-1] > limit:
            raise Rejected(
                f"{chart} has a period dated {file_periods[-1]}, after today ({today}): "
                "the file or this machine's clock is wrong",
                FailureKind.DATED_IN_FUTURE,
            )


def _check_history(
    held: _Held,
    periods: Mapping[ChartPeriodKey, PeriodSummary],
    result: Plan,
    as_stored: Collection[ChartPeriodKey],
    promises: Promises,
) -> None:
    chart, file_periods, stored_periods = held.chart, held.file_periods, held.stored_periods
    if not stored_periods:
        return
    stored_latest, file_latest = max(stored_periods), file_periods[-1]
    if file_latest < stored_latest:
        raise Rejected(
            f"{chart}: the file's newest period {file_latest} is older than the stored "
            f"{stored_latest} (a stale copy?)",
            FailureKind.OLDER_THAN_STORED,
        )
    file_first = file_periods[0]
    present = set(file_periods)
    gaps = [p for p in stored_periods if p >= file_first and p not in present]
    if gaps:
        raise Rejected(
            f"{chart}: the file lacks {_some(sorted(gaps))}, stored before (a partial file?)",
            FailureKind.HISTORY_MISSING,
        )
    trimmed = sum(1 for p in stored_periods if p < file_first)
    if trimmed and promises.whole_history:
        result.warnings.append(
            f"{chart}: the file starts at {file_first}; {trimmed} older stored periods are kept"
        )
    for period, kept in sorted(stored_periods.items()):
        if period < file_first or (chart, period) in as_stored:
            continue
        summary = periods[(chart, period)]
        missing = sorted(set(kept.countries) - set(summary.countries))
        if missing:
            raise Rejected(
                f"{chart} {period}: the file lacks {_some(missing)}, stored before "
                "(countries missing)",
                FailureKind.COUNTRIES_MISSING,
            )
        thinner = sorted(c for c, rows in kept.countries.items() if summary.countries[c] < rows)
        if thinner and promises.fixed_length:
            c = thinner[0]
            raise Rejected(
                f"{chart} {period}: {c} has {summary.countries[c]} rows where "
                f"{kept.countries[c]} were stored (rows missing)",
                FailureKind.ROWS_MISSING,
            )
        if summary.digest_hex != kept.digest:
            result.rewritten.append((chart, period))


def _link_previous(result: Plan, in_file: Mapping[str, list[str]], stored: Stored) -> None:
    """Each new period's predecessor: the period before it in the file or in the store."""
    for chart, new_periods in result.new.items():
        order = sorted(set(in_file[chart]) | set(stored.get(chart, {})))
        for period in new_periods:
            index = order.index(period)
            result.previous[(chart, period)] = order[index - 1] if index else None


def _check_new_period(
    key: ChartPeriodKey,
    previous: str | None,
    periods: Mapping[ChartPeriodKey, PeriodSummary],
    stored: Stored,
    promises: Promises,
) -> None:
    chart, period = key
    summary = periods[key]
    gaps = summary.gaps()
    if gaps:
        country, holes = sorted(gaps.items())[0]
        raise Rejected(
            f"{chart} {period}: {country} lacks rank {', '.join(f'#{h}' for h in holes[:5])} "
            "(rows missing)",
            FailureKind.ROWS_MISSING,
        )
    if previous is None:
        return
    before = periods.get((chart, previous))
    counts = before.countries if before else stored[chart][previous].countries
    if promises.countries is not None:
        counts = {c: n for c, n in counts.items() if c in promises.countries}
    missing = sorted(set(counts) - set(summary.countries))
    if missing:
        raise Rejected(
            f"{chart} {period}: {_some(missing)} charted in {previous} but not in the new "
            "period (countries missing)",
            FailureKind.COUNTRIES_MISSING,
        )
    thinner = sorted(c for c, rows in counts.items() if summary.countries[c] < rows)
    if thinner and promises.fixed_length:
        c = thinner[0]
        raise Rejected(
            f"{chart} {period}: {c} has {summary.countries[c]} rows where {previous} had "
            f"{counts[c]} (rows missing)",
            FailureKind.ROWS_MISSING,
        )


def _some(items: list[str], limit: int = 5) -> str:
    shown = ", ".join(items[:limit])
    more = len(items) - limit
    return f"{shown} and {more} more" if more > 0 else shown


def plan_import(periods: Mapping[ChartPeriodKey, PeriodSummary], stored: Stored) -> Plan:
    """Importing history: store the periods not stored yet; leave stored ones as they are."""
    if not periods:
        raise Rejected("the file holds no chart rows", FailureKind.EMPTY_BODY)
    result = Plan(baseline=False)
    differ = []
    for (chart, period), summary in sorted(periods.items()):
        held = stored.get(chart, {}).get(period)
        if held is None:
            result.new.setdefault(chart, []).append(period)
            continue
        added = sorted(set(summary.countries) - set(held.countries))
        deeper = sorted(
            c for c, rows in summary.countries.items() if held.countries.get(c) == 1 < rows
        )
        if deeper:
            result.deepened[(chart, period)] = deeper
        if added or deeper:
            result.extended[(chart, period)] = added + deeper
        elif set(summary.countries) == set(held.countries) and held.digest != summary.digest_hex:
            # (Some of a stored period's countries, as a part of a big file brings, cannot be
            # told from the period's digest: those are taken as stored.)
            differ.append(f"{chart} {period}")
    if differ:
        differs = "1 period differs" if len(differ) == 1 else f"{len(differ)} periods differ"
        result.warnings.append(
            f"{differs} from the stored copies ({_some(differ, 3)}); the stored ones are kept"
        )
    return result
