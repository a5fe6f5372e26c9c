"""Walk-forward backtests of "who is #1 next": each period from a start on is predicted
by a model trained only on what was known before it, beside two baselines measured on
the same predictions:

- the current rank: the chance of #1 given only the rank now (or "not charting here"),
  counted from the same past;
- persistence: this period's #1 stays #1.

Scores: the Brier score, log loss and a reliability table (predicted against observed in
ten bins). Pure: charts' histories in, predictions and scores out.
"""

from __future__ import annotations

import enum
import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.forecast.examples import ChartHistory, Example, all_examples
from bot.forecast.model import Model, Target, TooLittleHistory

REFITS = 200  # a model is retrained every (its position / REFITS) periods, at least every one
EPSILON = 1e-6  # chances are kept this far from 0 and 1 for the log loss


class Forecaster(enum.Enum):
    """Who gives a chance in a backtest."""

    MODEL = "chartbot"
    RANK = "current rank"
    PERSISTENCE = "persistence"


@dataclass(frozen=True, slots=True)
class Prediction:
    """One title in one market: the chances given for `period`, and what happened."""

    period: str  # the period predicted
    chart: str
    market: str
    title: int
    rank: int | None  # its rank there the period before (None: not charting there)
    chances: dict[Target, float]
    outcomes: dict[Target, bool | None]  # None: the horizon is not all stored yet
    baseline: dict[Target, float]  # the current-rank baseline's chances

    def chance(self, who: Forecaster, target: Target) -> float:
        if who is Forecaster.PERSISTENCE:
            return 1.0 if self.rank == 1 else 0.0
        return (self.chances if who is Forecaster.MODEL else self.baseline)[target]


@dataclass(frozen=True, slots=True)
class Bin:
    low: float
    high: float
    count: int
    predicted: float  # the mean chance given
    observed: float  # the share that came true


@dataclass(frozen=True, slots=True)
class Scores:
    count: int
    brier: float
    log_loss: float
    reliability: tuple[Bin, ...]

    @classmethod
    def of(cls, chances: Sequence[float], outcomes: Sequence[bool]) -> Scores:
        pairs = list(zip(chances, outcomes, strict=True))
        if not pairs:
            return cls(0, math.nan, math.nan, ())
        brier = sum((p - o) ** 2 for p, o in pairs) / len(pairs)
        kept = [(min(max(p, EPSILON), 1 - EPSILON), o) for p, o in pairs]
        loss = -sum(math.log(p if o else 1 - p) for p, o in kept) / len(pairs)
        bins: dict[int, list[tuple[float, bool]]] = defaultdict(list)
        for p, o in pairs:
            bins[min(int(p * 10), 9)].append((p, o))
        reliability = tuple(
            Bin(
                n / 10,
                (n + 1) / 10,
                len(held),
                sum(p for p, _ in held) / len(held),
                sum(o for _, o in held) / len(held),
            )
            for n, held in sorted(bins.items())
        )
        return cls(len(pairs), brier, loss, reliability)

    def skill(self, baseline: Scores) -> float:
        """Brier skill over a baseline: 1 - ours / theirs (above 0: better)."""
        return 1 - self.brier / baseline.brier if baseline.brier else math.nan

    def worst_bin(self, least: int = 50) -> float:
        """The largest gap between predicted and observed among bins of `least` or more."""
        return max(
            (abs(b.predicted - b.observed) for b in self.reliability if b.count >= least),
            default=0.0,
        )


@dataclass(frozen=True, slots=True)
class Backtest:
    predictions: list[Prediction]
    skipped: list[str]  # periods not predicted: too little history before them

    def scores(self, who: Forecaster, target: Target) -> Scores:
        known = [p for p in self.predictions if p.outcomes[target] is not None]
        return Scores.of(
            [p.chance(who, target) for p in known], [bool(p.outcomes[target]) for p in known]
        )

    def skill(self, target: Target) -> float:
        """The model's Brier skill over the current-rank baseline."""
        baseline = self.scores(Forecaster.RANK, target)
        return self.scores(Forecaster.MODEL, target).skill(baseline)


def backtest(
    histories: Sequence[ChartHistory],
    *,
    start: str | None = None,
    horizon: int,
    window: int,
    every: int | None = None,
) -> Backtest:
    """Predict each period from `start` on from what was known before it (a source's
    charts learn together: their features say the same things). A model is trained again
    at each period early on, then less often (`_refit_point`); `every`: every that many
    periods instead."""
    by_period: dict[str, list[Example]] = defaultdict(list)
    for history in histories:
        for made in all_examples(history, horizon):
            for example in made:
                by_period[example.period].append(example)
    periods = sorted(by_period)
    # The latest model only: refit points never go back, so no earlier one is used again.
    fitted_at, trained = -1, None
    predictions: list[Prediction] = []
    skipped: list[str] = []
    for index, period in enumerate(periods):
        now = [
            e
            for e in by_period[period]
            if e.next_period is not None and (start is None or e.next_period >= start)
        ]
        predicted = sorted({e.next_period for e in now if e.next_period is not None})
        if not predicted:
            continue
        fitted = _refit_point(index) if every is None else index - index % every
        if fitted != fitted_at:
            first = max(0, fitted - window + 1)
            past = [e for p in periods[first : fitted + 1] for e in by_period[p]]
            fitted_at, trained = fitted, _trained(past, periods[fitted])
        if trained is None:
            skipped.extend(predicted)
            continue
        model, rates = trained
        chances = model.predict(now)
        for n, example in enumerate(now):
            assert example.next_period is not None
            predictions.append(
                Prediction(
                    period=example.next_period,
                    chart=example.chart,
                    market=example.market,
                    title=example.title,
                    rank=example.rank,
                    chances={target: chances[target][n] for target in Target},
                    outcomes={target: target.outcome(example) for target in Target},
                    baseline={target: rates[target](example.rank) for target in Target},
                )
            )
    return Backtest(predictions, skipped)


def _refit_point(index: int) -> int:
    """The period a model predicting from period `index` was trained at: every period
    early on, less often as the past grows (a model trained on 2,000 periods changes
    little in ten more). It depends on `index` alone, so a period's predictions do not
    depend on which periods were stored after it."""
    point = index
    while point % max(1, point // REFITS):
        point -= 1
    return point


_RankRates = dict[Target, Callable[[int | None], float]]


def _trained(past: Sequence[Example], through: str) -> tuple[Model, _RankRates] | None:
    try:
        model = Model.train(past, through=through)
    except TooLittleHistory:
        return None
    rates = {target: _rank_rates(target.known(past, through), target) for target in Target}
    return model, rates


def _rank_rates(past: Sequence[Example], target: Target) -> Callable[[int | None], float]:
    """The chance of the outcome given only the rank now (0: not charting there), counted
    from the past, smoothed ((k + 1) / (n + 2)) so that an unseen rank is not certain."""
    seen: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for example in past:
        held = seen[example.rank or 0]
        held[0] += bool(target.outcome(example))
        held[1] += 1

    def rate(rank: int | None) -> float:
        k, n = seen.get(rank or 0, (0, 0))
        return (k + 1) / (n + 2)

    return rate
