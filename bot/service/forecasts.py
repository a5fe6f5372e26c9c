"""Forecasts over the store: a source's charts read as histories, and their backtest."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Config
from bot.engine.model import PeriodUnit
from bot.engine.titles import Candidate
from bot.forecast.backtest import Backtest, backtest
from bot.forecast.examples import ChartHistory
from bot.store.store import Store


class UnknownSource(LookupError):
    """No stored chart of that source."""


@dataclass(frozen=True, slots=True)
class SourceBacktest:
    source: str
    charts: list[str]
    unit: PeriodUnit  # what one period is, for "next week" / "next day"
    horizon: int
    result: Backtest
    titles: dict[int, Candidate]


def source_histories(store: Store, source: str) -> tuple[list[ChartHistory], PeriodUnit]:
    """Every stored chart of a source, as histories, and what one period of them is."""
    charts = sorted((c for c in store.charts.listing() if c.source == source), key=_by_name)
    if not charts:
        stored = sorted({c.source for c in store.charts.listing()})
        raise UnknownSource(
            f"no stored chart of a source named {source!r}"
            + (f" (stored: {', '.join(stored)})" if stored else " (nothing is stored yet)")
        )
    histories = [ChartHistory.of(c.name, store.charts.all_ranks(c.id)) for c in charts]
    return histories, store.charts.unit(charts[0].id)


def backtest_source(
    store: Store, config: Config, source: str, start: str | None = None
) -> SourceBacktest:
    """Replay a source's stored history walk-forward (bot/forecast/backtest.py)."""
    histories, unit = source_histories(store, source)
    horizon = config.forecast.horizon
    result = backtest(histories, start=start, horizon=horizon, window=config.forecast.window)
    titles = store.titles.named(p.title for p in result.predictions)
    return SourceBacktest(source, [h.chart for h in histories], unit, horizon, result, titles)


def _by_name(chart: object) -> str:
    return getattr(chart, "name", "")
