"""The forecast model: the chance that a candidate is #1 in a market in the next period,
and within the horizon, learned from a chart's past examples (bot/forecast/examples.py).

One gradient-boosted tree classifier (scikit-learn's HistGradientBoostingClassifier) per
target. On a chart of several markets the chances are then put in competition: each
market has one #1 a period, so a market's chances are scaled to add up to the number of
#1s its candidates took per period in the past, then calibrated (isotonic regression).
Measured (bench/README.md, "forecasts"): on the Netflix per-country file competing took
the skill over the current-rank baseline from +0.013 to +0.085, calibrating to +0.095
(+0.125 since a local hit is no candidate elsewhere, bot/forecast/examples.py); on
the one-market US daily file the plain chances did better (+0.054 against +0.032), so
one-market charts keep them, averaged with a logistic regression's (LINEAR). On the Hot
100 next week: the trees +0.040, with the run and race features about +0.045, averaged
with the regression +0.055 to +0.059 (bench/README.md, "2026-12-04 (late)"), +0.063
with one-market trees splitting on a random fifth of the features ("2026-12-05").
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.forecast.examples import FEATURES, Example

MIN_ONES = 20  # #1 outcomes the past must hold before a model is trained on it
# On a chart of one market, the share of its chances that a logistic regression gives,
# beside the trees: on the Hot 100 it learned what few #1s the trees' leaves could not
# (bench/README.md, "2026-12-04 (late)").
LINEAR = 0.5
ONES_PER_LEAF = 10  # a tree's leaf holds about this many #1 outcomes' worth of examples
# On a chart of one market, each split of a tree chooses among a random fifth of the
# features: Hot 100 next week +0.059 to +0.063 (+0.063 and +0.062 with seeds 1 and 2),
# US daily next day +0.065 to +0.059; on the Netflix per-country file (several markets)
# it cost +0.128 to +0.124, so those keep every feature (bench/README.md, "2026-12-05").
ONE_MARKET_FEATURES = 0.2
CEILING = 0.999  # a chance is never said to be certain


class Target(enum.Enum):
    """What a chance is of."""

    NEXT = "next"  # #1 in the next period
    WITHIN = "within"  # #1 in any period of the horizon

    def outcome(self, example: Example) -> bool | None:
        return example.next_one if self is Target.NEXT else example.within

    def resolved(self, example: Example) -> str | None:
        """The period by which the outcome is known (None: not yet)."""
        return example.next_period if self is Target.NEXT else example.horizon_end

    def known(self, examples: Sequence[Example], through: str) -> list[Example]:
        """The examples whose outcome was known when `through` was the latest period (an
        outcome in a market missing from a later period is never known)."""
        return [
            e
            for e in examples
            if (r := self.resolved(e)) is not None and r <= through and self.outcome(e) is not None
        ]


class TooLittleHistory(Exception):
    """The past holds too few #1 outcomes to learn from."""

    def __init__(self, ones: int) -> None:
        super().__init__(f"{ones} #1 outcomes stored, {MIN_ONES} needed")
        self.ones = ones


@dataclass(frozen=True, slots=True)
class Model:
    """A trained forecast for one chart kind."""

    classifiers: dict[Target, Any]
    linear: dict[Target, Any]  # a logistic regression beside the trees (one market)
    per_market: dict[Target, float]  # #1s a market's candidates took per period
    compete: bool  # scale each market's chances to `per_market` (several markets)
    calibrators: dict[Target, Any]  # competing chances -> how often such came true

    @classmethod
    def train(cls, examples: Sequence[Example], *, through: str) -> Model:
        """Learn from the examples whose outcomes were known when `through` was the latest
        period. Raises TooLittleHistory."""
        with _one_thread():
            return cls._train(examples, through)

    @classmethod
    def _train(cls, examples: Sequence[Example], through: str) -> Model:
        classifiers: dict[Target, Any] = {}
        linear: dict[Target, Any] = {}
        per_market: dict[Target, float] = {}
        calibrators: dict[Target, Any] = {}
        compete = len({e.market for e in examples}) > 1
        for target in Target:
            known = target.known(examples, through)
            outcomes = [bool(target.outcome(e)) for e in known]
            ones = sum(outcomes)
            if ones < MIN_ONES:
                raise TooLittleHistory(ones)
            classifier = _classifier(len(outcomes) / ones, one_market=not compete)
            features = _matrix(known)
            classifier.fit(features, outcomes)
            classifiers[target] = classifier
            if not compete:
                linear[target] = _linear().fit(features, outcomes)
            markets = {(e.chart, e.period, e.market) for e in known}
            per_market[target] = ones / len(markets)
            if compete:
                said = _said(classifier, linear.get(target), features)
                competing = _compete(known, said, per_market[target])
                calibrators[target] = _calibrator().fit(competing, outcomes)
            del features  # before the next target's: one matrix at a time
        return cls(classifiers, linear, per_market, compete, calibrators)

    def predict(self, examples: Sequence[Example]) -> dict[Target, list[float]]:
        """Each example's chances, in order."""
        if not examples:
            return {target: [] for target in Target}
        with _one_thread():
            return self._predict(examples)

    def _predict(self, examples: Sequence[Example]) -> dict[Target, list[float]]:
        features = _matrix(examples)
        chances: dict[Target, list[float]] = {}
        for target, classifier in self.classifiers.items():
            said = _said(classifier, self.linear.get(target), features)
            if self.compete:
                said = _compete(examples, said, self.per_market[target])
                said = [float(p) for p in self.calibrators[target].predict(said)]
            chances[target] = [min(p, CEILING) for p in said]
        # #1 next period is #1 within the horizon: the two models, trained apart, may not
        # know it.
        chances[Target.WITHIN] = [
            max(within, next_)
            for within, next_ in zip(chances[Target.WITHIN], chances[Target.NEXT], strict=True)
        ]
        return chances


def _said(classifier: Any, linear: Any, features: Any) -> list[float]:
    """The trees' chances, averaged with the logistic regression's where there is one."""
    said = classifier.predict_proba(features)[:, 1]
    if linear is not None:
        said = (1 - LINEAR) * said + LINEAR * linear.predict_proba(features)[:, 1]
    return [float(p) for p in said]


def _compete(examples: Sequence[Example], chances: list[float], per_market: float) -> list[float]:
    totals: dict[tuple[str, str, str], float] = defaultdict(float)
    for example, chance in zip(examples, chances, strict=True):
        totals[example.chart, example.period, example.market] += chance
    return [
        chance * per_market / totals[e.chart, e.period, e.market] if chance else 0.0
        for e, chance in zip(examples, chances, strict=True)
    ]


def _matrix(examples: Sequence[Example]) -> Any:
    """The examples' features as one matrix, read from their arrays' bytes. Given a list
    of arrays, scikit-learn converted each in turn: on 250,000 examples that doubled the
    time of a fit (4.0 s against 2.2 s) and took 25 MB more at its peak."""
    import numpy as np

    joined = b"".join(e.features for e in examples)
    return np.frombuffer(joined, dtype=np.float64).reshape(len(examples), len(FEATURES))


def _one_thread() -> Any:
    """Trees grown on one thread: on charts' small training sets OpenMP's threads spent
    their time waiting for each other, and 20 times longer when another process was busy
    (a 120-prediction backtest: 114 s on two threads, 5.7 s on one)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="openmp")


def _linear() -> Any:
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    # The weekday is a category, not a quantity: taken as a number it cost the US daily
    # file's skill next day 0.022 (+0.045 against +0.067).
    day = FEATURES.index("weekday")
    scaled = [n for n in range(len(FEATURES)) if n != day]
    columns = ColumnTransformer(
        [("day", OneHotEncoder(handle_unknown="ignore"), [day]), ("rest", StandardScaler(), scaled)]
    )
    # Lightly penalised (C=10): on the Hot 100, C=1 and C=100 did about as well in the
    # average (+0.058, +0.057 against +0.059), C=0.1 alone far worse (bench/README.md).
    return make_pipeline(columns, LogisticRegression(C=10.0, max_iter=5_000))


def _calibrator() -> Any:
    from sklearn.isotonic import IsotonicRegression

    return IsotonicRegression(y_min=0.0, y_max=CEILING, out_of_bounds="clip")


def _classifier(per_one: float, *, one_market: bool) -> Any:
    """Trees whose leaves hold about ONES_PER_LEAF #1s (`per_one`: examples per #1)."""
    # Imported here: scikit-learn is heavy, and only training and backtests need it.
    from sklearn.ensemble import HistGradientBoostingClassifier

    # Shallow, slowly learned trees with large leaves: a chart's past holds few #1s, and
    # deeper trees learned its noise (worse than the baseline on the Netflix file).
    # No early stopping: its random validation split would make predictions vary.
    return HistGradientBoostingClassifier(
        max_iter=100,
        learning_rate=0.05,
        max_leaf_nodes=7,
        min_samples_leaf=round(ONES_PER_LEAF * per_one),
        l2_regularization=1.0,
        early_stopping=False,
        max_features=ONE_MARKET_FEATURES if one_market else 1.0,
        random_state=0,
    )
