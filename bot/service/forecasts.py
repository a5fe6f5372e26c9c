"""Forecasts over the store: a source's charts read as histories, and their backtest."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import attrgetter

from bot.config import Config
from bot.engine.model import PeriodUnit
from bot.engine.standings import Backed
from bot.engine.titles import Candidate
from bot.forecast.backtest import Backtest, backtest
from bot.forecast.examples import (
    CAP,
    DEPTH,
    ChartHistory,
    Example,
    candidates_per_period,
    examples_by_period,
    learning_window,
)
from bot.forecast.model import MIN_ONES, Model, Target, TooLittleHistory
from bot.store.store import Store


class UnknownSource(LookupError):
    """No stored chart of that source."""


class NothingToScore(LookupError):
    """A backtest that could predict no period; the message says why."""


@dataclass(frozen=True, slots=True)
class SourceBacktest:
    source: str
    charts: list[str]
    unit: PeriodUnit  # what one period is, for "next week" / "next day"
    horizon: int
    result: Backtest
    titles: dict[int, Candidate]


@dataclass(frozen=True, slots=True)
class Forecast:
    """The chances a title is #1 in a market in the period after `period`, and within the
    horizon."""

    chart: str
    market: str
    title: Candidate
    rank: int | None  # its rank there in `period` (None: not charting there)
    period: str
    chances: dict[Target, float]
    # Each chance with how chances like it fared in its chart's stored rolling backtest
    # (empty: the chart has none of this horizon stored yet).
    backed: dict[Target, Backed] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SourceForecast:
    source: str
    unit: PeriodUnit
    horizon: int
    forecasts: list[Forecast]  # by chart and market, the most likely #1 next first
    too_little: TooLittleHistory | None  # set when the history is too short to learn from
    scored: dict[str, int] = field(default_factory=dict)  # chart -> periods its backtest scored


@dataclass(frozen=True, slots=True)
class Histories:
    """A source's stored charts as histories, and how a model learns from them."""

    charts: list[ChartHistory]
    unit: PeriodUnit  # what one period is
    markets: int  # all its charts' markets together
    window: int  # the periods a model learns from (bot/forecast/examples.py learning_window)


def source_histories(
    store: Store,
    source: str,
    window: int,
    *,
    also: int | None = None,
    shape: SourceShape | None = None,
) -> Histories:
    """Every stored chart of a source, as histories (its ranks to DEPTH) of the periods a
    model learns from, `also` periods more (None: every stored period), and the few
    before them that its features look back on."""
    charts = sorted(
        (c for c in store.charts.listing() if c.source == source), key=attrgetter("name")
    )
    if not charts:
        stored = sorted({c.source for c in store.charts.listing()})
        raise UnknownSource(
            f"no stored chart of a source named {source!r}"
            + (f" (stored: {', '.join(stored)})" if stored else " (nothing is stored yet)")
        )
    if shape is None:  # the caller may have read it already (source_shape)
        shape = source_shape(store, source)
    learn = learning_window(window, shape.per_period)
    periods = None if also is None else learn + also
    histories = []
    for chart in charts:
        since = _since(store, chart.id, periods)
        history = ChartHistory.of(chart.name, store.charts.all_ranks(chart.id, since, DEPTH))
        if since:  # read from a period on: which of its titles charted before
            read = {title for period in history.standings for on in period.values() for title in on}
            history.earlier = frozenset(store.titles.charted_before(chart.id, since, read, DEPTH))
        histories.append(history)
    return Histories(histories, store.charts.unit(charts[0].id), shape.markets, learn)


@dataclass(frozen=True, slots=True)
class SourceShape:
    """A source's charts together, in their latest periods: their markets, and about how
    many candidates (examples) a period makes (bot/forecast/examples.py)."""

    markets: int
    per_period: int


def source_shape(store: Store, source: str) -> SourceShape:
    """Each of the source's charts read once: its markets and its titles #1 somewhere."""
    markets = per_period = 0
    for chart in store.charts.listing():
        if chart.source == source:
            countries = store.charts.shape(chart.id).countries
            markets += countries
            per_period += candidates_per_period(countries, store.charts.leaders(chart.id))
    return SourceShape(markets, per_period)


def _since(store: Store, chart_id: int, window: int | None) -> str:
    if window is None:
        return ""
    periods = store.charts.periods(chart_id)
    return periods[-(window + CAP)] if len(periods) > window + CAP else ""


@dataclass(frozen=True, slots=True)
class Latest:
    """A model's chances for the candidates of each chart's latest stored period."""

    now: list[Example]  # the latest period's candidates
    chances: dict[Target, list[float]]  # for `now`, in its order


def predict_latest(
    histories: Sequence[ChartHistory], *, horizon: int, window: int
) -> Latest | TooLittleHistory:
    """Train on the latest `window` periods and predict the period after the latest."""
    # Learn from the window only: the periods loaded before it are there for the features
    # that look back (runs, ages), which are cut short in them.
    first = {h.chart: h.periods[-window:][0] for h in histories if h.periods}
    last = {h.chart: h.periods[-1] for h in histories if h.periods}
    learned: list[Example] = []
    latest = None
    for period, made in examples_by_period(histories, horizon):
        learned += [e for e in made if e.period >= first[e.chart]]
        latest = period
    if latest is None:
        return TooLittleHistory(0)
    try:
        model = Model.train(learned, through=latest)
    except TooLittleHistory as error:
        return error
    now = [e for e in learned if e.period == last[e.chart]]
    return Latest(now, model.predict(now))


def forecast_source(store: Store, config: Config, source: str) -> SourceForecast:
    """Who is likely #1 after each chart's latest stored period, by a model trained on the
    source's latest `[forecast] window` periods."""
    settings = config.forecast
    held = source_histories(store, source, settings.window, also=0)
    unit = held.unit
    latest = predict_latest(held.charts, horizon=settings.horizon, window=held.window)
    if isinstance(latest, TooLittleHistory):
        return SourceForecast(source, unit, settings.horizon, [], latest)
    titles = store.titles.named(e.title for e in latest.now)
    scored = _scored(store, source, settings.horizon)
    backing = {chart: store.forecasts.backing(id_) for chart, (id_, _) in scored.items()}
    forecasts = []
    for n, e in enumerate(latest.now):
        chances = {target: latest.chances[target][n] for target in Target}
        backed = {
            target: backing[e.chart].of(target, chance, holder=e.rank == 1)
            for target, chance in chances.items()
            if e.chart in backing
        }
        forecasts.append(
            Forecast(e.chart, e.market, titles[e.title], e.rank, e.period, chances, backed)
        )
    forecasts.sort(key=lambda f: (f.chart, f.market, -f.chances[Target.NEXT]))
    periods = {chart: held for chart, (_, held) in scored.items()}
    return SourceForecast(source, unit, settings.horizon, forecasts, None, periods)


def _scored(store: Store, source: str, horizon: int) -> dict[str, tuple[int, int]]:
    """The source's charts whose stored backtest (of this horizon) counted how its chances
    fared: chart -> (its id, the periods it scored)."""
    charts = {c.name: c.id for c in store.charts.listing() if c.source == source}
    scores = store.forecasts.scores(charts.values())
    return {
        name: (id_, score.scored_periods)
        for name, id_ in charts.items()
        if (score := scores.get(id_)) is not None
        and score.scored_periods
        and score.horizon == horizon
    }


def backtest_source(
    store: Store, config: Config, source: str, start: str | None = None
) -> SourceBacktest:
    """Replay a source's stored history walk-forward (bot/forecast/backtest.py)."""
    settings = config.forecast
    held = source_histories(store, source, settings.window)
    histories, unit = held.charts, held.unit
    result = backtest(histories, start=start, horizon=settings.horizon, window=held.window)
    if not result.predictions:
        raise NothingToScore(
            f"{source}: too little history before any period to predict "
            f"({len(set(result.skipped))} skipped: a model needs {MIN_ONES} #1 outcomes)"
            if result.skipped
            else f"{source}: no stored period to predict" + (f" from {start} on" if start else "")
        )
    titles = store.titles.named(p.title for p in result.predictions)
    charts = [h.chart for h in histories]
    return SourceBacktest(source, charts, unit, settings.horizon, result, titles)
