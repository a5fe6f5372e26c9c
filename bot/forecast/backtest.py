"""Walk-forward backtests of "who is #1 next": each period from a start on is predicted
by a model trained only on what was known before it, beside two baselines measured on
the same predictions:

- the current rank: the chance of #1 given only the rank now (or "not charting here"),
  counted from the same past;
- persistence: this period's #1 stays #1.

Scored by bot/forecast/scores.py. Pure: charts' histories in, predictions out.
"""

from __future__ import annotations

import enum
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from bot.forecast.examples import ChartHistory, Example, examples_by_period
from bot.forecast.model import Model, Target, TooLittleHistory
from bot.forecast.scores import Scores

REFITS = 200  # a model is retrained every (its position / REFITS) periods, at least every one


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
    next: float  # the model's chance of #1 in `period`
    within: float  # and within the horizon from it
    next_one: bool | None  # what came of it (None: not stored yet)
    within_one: bool | None  # None also while the horizon is not all stored
    rank_next: float  # the current-rank baseline's chances
    rank_within: float

    def chance(self, who: Forecaster, target: Target) -> float:
        if who is Forecaster.PERSISTENCE:
            return 1.0 if self.rank == 1 else 0.0
        if who is Forecaster.MODEL:
            return self.next if target is Target.NEXT else self.within
        return self.rank_next if target is Target.NEXT else self.rank_within

    def outcome(self, target: Target) -> bool | None:
        return self.next_one if target is Target.NEXT else self.within_one


class Predictions:
    """A backtest's predictions, held as columns and read back as `Prediction`s: a rolling
    backtest of 70 regions makes 200,000 of them (as objects 40 MB, held while it fits)."""

    def __init__(self, made: Iterable[Prediction] = ()) -> None:
        self._periods: list[str] = []
        self._charts: list[str] = []
        self._markets: list[str] = []
        self._titles = array("q")
        self._ranks = array("q")  # 0: not charting there
        self._chances = array("d")  # next, within, rank_next, rank_within for each
        self._outcomes = array("b")  # next_one, within_one for each; -1: not known
        for prediction in made:
            self.append(prediction)

    def append(self, p: Prediction) -> None:
        self._periods.append(p.period)
        self._charts.append(p.chart)
        self._markets.append(p.market)
        self._titles.append(p.title)
        self._ranks.append(p.rank or 0)
        self._chances.extend((p.next, p.within, p.rank_next, p.rank_within))
        self._outcomes.extend(-1 if o is None else int(o) for o in (p.next_one, p.within_one))

    def __len__(self) -> int:
        return len(self._periods)

    def __getitem__(self, n: int) -> Prediction:
        if not 0 <= n < len(self):
            raise IndexError(n)
        next_, within, rank_next, rank_within = self._chances[4 * n : 4 * n + 4]
        next_one, within_one = (
            None if o < 0 else bool(o) for o in self._outcomes[2 * n : 2 * n + 2]
        )
        return Prediction(
            period=self._periods[n],
            chart=self._charts[n],
            market=self._markets[n],
            title=self._titles[n],
            rank=self._ranks[n] or None,
            next=next_,
            within=within,
            next_one=next_one,
            within_one=within_one,
            rank_next=rank_next,
            rank_within=rank_within,
        )

    def __iter__(self) -> Iterator[Prediction]:
        return (self[n] for n in range(len(self)))


@dataclass(frozen=True, slots=True)
class Backtest:
    predictions: Predictions
    skipped: list[str]  # periods not predicted: too little history before them
    horizon: int = 1  # the periods "within the horizon" looks ahead

    def span(self, target: Target) -> int:
        """The periods whose outcomes overlap, redrawn together: a horizon's for "within"."""
        return self.horizon if target is Target.WITHIN else 1

    def scores(self, who: Forecaster, target: Target, *, binned: bool = True) -> Scores:
        """`binned`: with the reliability table (its periods and their blocks)."""
        known = [p for p in self.predictions if p.outcome(target) is not None]
        events = [(p.chart, p.period) for p in known] if binned else None
        return Scores.of(
            [p.chance(who, target) for p in known],
            [bool(p.outcome(target)) for p in known],
            events,
            _blocks(events, self.span(target)) if events is not None else None,
            binned=binned,
        )

    def skill(self, target: Target) -> float:
        """The model's Brier skill over the current-rank baseline (no reliability table:
        the bot's rescoring after a poll reads none)."""
        baseline = self.scores(Forecaster.RANK, target, binned=False)
        return self.scores(Forecaster.MODEL, target, binned=False).skill(baseline)


def _blocks(events: Sequence[tuple[str, str]], span: int) -> list[tuple[str, int]]:
    """Each (chart, period)'s block: `span` of the chart's own predicted periods in a row
    (a chart's horizon is its own next periods, whatever other charts store)."""
    place: dict[tuple[str, str], int] = {}
    held: dict[str, int] = defaultdict(int)
    for chart, period in sorted(set(events)):
        place[chart, period] = held[chart]
        held[chart] += 1
    return [(chart, place[chart, period] // span) for chart, period in events]


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
    periods instead. Examples are made period by period and let go once no later model
    can learn from them (a window's worth, and the periods since the last fit)."""
    # The latest model only: refit points never go back, so no earlier one is used again.
    fitted_at, trained = -1, None
    predictions = Predictions()
    skipped: list[str] = []
    periods: list[str] = []
    held: dict[int, list[Example]] = {}  # by period index: what a model may yet learn from
    for index, (period, made) in enumerate(examples_by_period(histories, horizon)):
        periods.append(period)
        held[index] = made
        fitted = _refit_point(index) if every is None else index - index % every
        first = max(0, fitted - window + 1)  # refit points never go back: nor does this
        for gone in [i for i in held if i < first]:
            del held[gone]
        now = [
            e
            for e in made
            if e.next_period is not None and (start is None or e.next_period >= start)
        ]
        predicted = sorted({e.next_period for e in now if e.next_period is not None})
        if not predicted:
            continue
        if fitted != fitted_at:
            past = [e for i in range(first, fitted + 1) for e in held[i]]
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
                    next=chances[Target.NEXT][n],
                    within=chances[Target.WITHIN][n],
                    next_one=example.next_one,
                    within_one=example.within,
                    rank_next=rates[Target.NEXT](example.rank),
                    rank_within=rates[Target.WITHIN](example.rank),
                )
            )
    return Backtest(predictions, skipped, horizon)


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
