"""Looking titles up: where a title stands on every chart, and a country's chart."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Config
from bot.engine.standings import ChartStanding, Odds, standings
from bot.engine.stored import ChartInfo, ChartLine
from bot.engine.titles import Candidate, Match, TitleAliases, match_title
from bot.service.settings import ServerDefaults, ServerSettings, server_settings
from bot.store.base import StoreError
from bot.store.store import Store


@dataclass(frozen=True, slots=True)
class TitleLookup:
    match: Match
    standings: list[ChartStanding]


def open_store(config: Config, *, existing: bool = False) -> Store:
    """The config's database; with existing=True, one that must already be there."""
    path = config.database_path
    if existing and not path.exists():
        raise StoreError(
            f"no database at {path} yet: run `chartbot poll` or `chartbot import` first"
        )
    return Store.open(path, busy_timeout=config.busy_timeout)


def title_standings(store: Store, title_id: int) -> list[ChartStanding]:
    """Where a title stands on each chart, in words: its history holds only its latest
    period there and the chart's period before (`full_standing` reads every period, for
    a picture)."""
    ranks, spans = store.titles.latest_ranks(title_id)
    found = standings(
        ranks,
        {chart_id: store.charts.periods(chart_id) for chart_id in spans},
        {chart_id: store.charts.shape(chart_id) for chart_id in spans},
        spans,
    )
    by_chart = {s.chart_id: s for s in found}
    for chances in store.forecasts.for_title(title_id):
        standing = by_chart.get(chances.chart_id)
        if standing is not None and chances.period == standing.chart_latest:
            standing.chances[chances.country] = Odds(
                chances.next, chances.within, chances.horizon, chances.scored_periods
            )
    return found


def full_standing(store: Store, title_id: int, chart_id: int) -> ChartStanding | None:
    """Where a title stands on one chart, with its every period (for its history picture)."""
    ranks = store.titles.ranks(title_id, chart_id)
    found = standings(
        ranks, {chart_id: store.charts.periods(chart_id)}, {chart_id: store.charts.shape(chart_id)}
    )
    return found[0] if found else None


def rank_answer(
    store: Store, guild_id: int | None, defaults: ServerDefaults, title_id: int
) -> tuple[ServerSettings, list[ChartStanding]]:
    """What /rank reads for its answer, in one read: the server's settings (its watched
    markets, its language) and where the title stands."""
    return server_settings(store, guild_id, defaults), title_standings(store, title_id)


def lookup_title(store: Store, query: str, aliases: TitleAliases | None = None) -> TitleLookup:
    """The title a person meant (a merged spelling finds its title) and where it stands."""
    if aliases:
        query = aliases.canonical(query)
    match = match_title(query, store.titles.candidates())
    if match.title is None:
        return TitleLookup(match, [])
    return TitleLookup(match, title_standings(store, match.title.id))


@dataclass(frozen=True, slots=True)
class CountryChart:
    chart: ChartInfo
    lines: list[ChartLine]
    previous: list[ChartLine]


def pick_chart(known: list[ChartInfo], wanted: str | None) -> ChartInfo | None:
    """The chart someone asked for (an id from autocomplete, or a name), else the newest."""
    if not wanted:
        return known[0] if known else None
    for chart in known:
        if wanted == str(chart.id) or wanted.casefold() in (
            chart.name.casefold(),
            chart.heading.casefold(),
            f"{chart.source} · {chart.name}".casefold(),
            f"{chart.source} {chart.name}".casefold(),
        ):
            return chart
    return None


def country_chart(store: Store, chart: ChartInfo, country: str) -> CountryChart:
    """A country's chart in the chart's latest period, with the period before for movement."""
    lines = store.charts.country_chart(chart.id, chart.latest, country)
    previous = (
        store.charts.country_chart(chart.id, chart.previous, country) if chart.previous else []
    )
    return CountryChart(chart, lines, previous)


def chart_listing(store: Store) -> list[ChartInfo]:
    """Every chart with stored periods, newest first."""
    return store.charts.listing()


def catalogue_version(store: Store) -> tuple[int, int]:
    """(titles listed, the last listed): changes when a title comes onto a chart."""
    return store.titles.count()


def catalogue(store: Store) -> list[Candidate]:
    """Every title a chart has had, for the title index."""
    return store.titles.candidates()


def catalogue_since(store: Store, listed: int) -> list[Candidate]:
    """Titles listed after this one, for the title index to add."""
    return store.titles.since(listed)


def ensure_by_title_index(store: Store) -> bool:
    """Build the by-title index of ranks a stopped first import left out; True if built
    (a write only when it is missing)."""
    return not store.charts.has_by_title_index() and store.charts.build_by_title_index()
