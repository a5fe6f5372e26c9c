"""How good a backtest's chances were: the Brier score, log loss and a reliability table
(predicted against observed in ten bins), with the range luck alone gives each bin and
the largest gap of all (bot/forecast/backtest.py makes the chances). Pure.

A chart period's predictions rise and fall together (one release takes #1 in 80
countries at once), so luck is measured by drawing the chart periods again, not the
predictions: a bin of 600 predictions from 12 weeks is 12 tries, not 600.
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

EPSILON = 1e-6  # chances are kept this far from 0 and 1 for the log loss
RESAMPLES = 2_000  # redraws of a reliability bin's chart periods for its range
FEW_EVENTS = 5  # a bin of fewer chart periods (or blocks of them) gets no range
MANY_EVENTS = 500  # a bin of more is given the normal range instead of redraws
NORMAL_90 = 1.6449  # the normal distribution's 95th percentile, in standard deviations
LEAST = 50  # the bins a calibration is judged on: 50 predictions or more
CHUNK = 250  # redraws made at a time for the largest gap's luck (memory: CHUNK x periods)

# One prediction in a bin: its chance, whether it came true, the chart period it is of,
# and the block of periods it is redrawn with.
Held = tuple[float, bool, Hashable, Hashable]


@dataclass(frozen=True, slots=True)
class Bin:
    low: float
    high: float
    count: int
    predicted: float  # the mean chance given
    observed: float  # the share that came true
    events: int  # the chart periods its predictions are of
    # The middle 90% of `observed` over RESAMPLES redraws of those chart periods, or its
    # normal range above MANY_EVENTS, at least the Wilson interval of the predictions as
    # independent tries (None: fewer than FEW_EVENTS chart periods, too few to say).
    observed_range: tuple[float, float] | None

    @property
    def off(self) -> bool:
        """The mean chance is outside the range of what came true: more than chance."""
        low, high = self.observed_range or (0.0, 1.0)
        return not low <= self.predicted <= high


def _bin(n: int, held: list[Held]) -> Bin:
    """Bin n (chances from n/10 to (n+1)/10), with the range of what came true when its
    chart periods are drawn again (with replacement, as many as there are): a period's
    predictions rise and fall together (one release takes #1 in 80 countries at once),
    so its predictions are not independent tries, and the range says how far the share
    that came true could move by the luck of which periods were predicted. Periods are
    drawn in their blocks (see `Scores.of`)."""
    by_block: dict[Hashable, list[int]] = defaultdict(lambda: [0, 0])
    for _, outcome, _, block in held:
        tally = by_block[block]
        tally[0] += 1
        tally[1] += outcome
    observed = sum(o for _, o, _, _ in held) / len(held)
    return Bin(
        n / 10,
        (n + 1) / 10,
        len(held),
        sum(p for p, _, _, _ in held) / len(held),
        observed,
        len({event for _, _, event, _ in held}),
        _observed_range(list(by_block.values())) if len(by_block) >= FEW_EVENTS else None,
    )


def _observed_range(tallies: list[list[int]]) -> tuple[float, float]:
    """The range of the share that came true: the chart periods' redraws, widened where
    needed to the 90% Wilson interval of as many independent tries as there are
    predictions. Redraws alone say nothing of a bin where every outcome was the same (none
    of 60 chances of 2% came true: a 30% chance), nor does a share outside 0 to 1 mean
    anything."""
    low, high = _redrawn(tallies)
    tries = sum(n for n, _ in tallies)
    share = sum(k for _, k in tallies) / tries
    z2 = NORMAL_90**2
    centre = (share + z2 / (2 * tries)) / (1 + z2 / tries)
    half = (
        NORMAL_90 * math.sqrt(share * (1 - share) / tries + z2 / (4 * tries**2)) / (1 + z2 / tries)
    )
    return max(0.0, min(low, centre - half)), min(1.0, max(high, centre + half))


def _redrawn(tallies: list[list[int]]) -> tuple[float, float]:
    """The 5th and 95th percentiles of the share that came true over RESAMPLES redraws of
    the events ((predictions, came true) each); seeded, so a backtest prints the same. Of
    more than MANY_EVENTS events, the normal range of that share (as the redraws tend to
    it) instead: redrawing them would take seconds and hundreds of megabytes."""
    import numpy as np

    counts = np.array(tallies, dtype=np.int64)
    if len(counts) > MANY_EVENTS:
        share = counts[:, 1].sum() / counts[:, 0].sum()
        spread = counts[:, 1] - share * counts[:, 0]
        error = math.sqrt(float((spread**2).sum())) / float(counts[:, 0].sum())
        return float(share - NORMAL_90 * error), float(share + NORMAL_90 * error)
    drawn = np.random.default_rng(0).integers(0, len(counts), size=(RESAMPLES, len(counts)))
    shares = counts[drawn, 1].sum(axis=1) / counts[drawn, 0].sum(axis=1)
    low, high = np.quantile(shares, [0.05, 0.95])
    return float(low), float(high)


@dataclass(frozen=True, slots=True)
class GapLuck:
    """How large a gap between mean chance and came true luck alone leaves where every
    chance is right, judged on the largest among the bins of LEAST or more predictions
    that redraws can move (of FEW_EVENTS blocks or more, with some chances that came true
    and some that did not). The chart periods are drawn again RESAMPLES times, in their
    blocks, all bins together; a redraw's gap in a bin is how far its (came true - mean
    chance) moves from the table's, as the table's may lie from 0 when chances are right
    (a bootstrap of the gap). The noisiest bin weighs most: a bin of 10 weeks may be off
    by 0.1 by luck where one of 500 weeks may not."""

    largest: float  # the table's largest gap among the bins judged
    typical: float  # the median of the redraws' largest gaps
    as_large: float  # the share of redraws whose largest gap is at least `largest`
    judged: int  # the bins judged (of those of LEAST or more)


def _gap_luck(judged: list[list[Held]]) -> GapLuck:
    """`judged`: each judged bin's predictions (chance, came true, event, block)."""
    import numpy as np

    index: dict[Hashable, int] = {}
    for held in judged:
        for *_, block in held:
            index.setdefault(block, len(index))
    # Each block's predictions, how many came true and the sum of their chances, by bin.
    counts = np.zeros((len(index), len(judged), 3))
    for column, held in enumerate(judged):
        for chance, outcome, _, block in held:
            counts[index[block], column] += (1, outcome, chance)
    total = counts.sum(axis=0)
    gaps = (total[:, 1] - total[:, 2]) / total[:, 0]  # came true - mean chance
    largest = float(np.abs(gaps).max())
    flat = counts.reshape(len(index), -1)
    generator = np.random.default_rng(0)
    drawn_gaps = []
    for start in range(0, RESAMPLES, CHUNK):
        size = min(CHUNK, RESAMPLES - start)
        # Each redraw's count of each block, as a row: a matrix product sums them.
        picks = generator.integers(0, len(index), size=(size, len(index)))
        picks += np.arange(size)[:, None] * len(index)
        times = np.bincount(picks.ravel(), minlength=size * len(index)).reshape(size, -1)
        drawn = (times @ flat).reshape(size, len(judged), 3)
        with np.errstate(invalid="ignore", divide="ignore"):  # a bin no redrawn period holds
            moved = (drawn[:, :, 1] - drawn[:, :, 2]) / drawn[:, :, 0] - gaps
        drawn_gaps.append(np.nanmax(np.abs(moved), axis=1))
    spread = np.concatenate(drawn_gaps)
    # A redraw's largest gap equal to the table's but for rounding counts as as large.
    as_large = float((spread >= largest - 1e-12).mean())
    return GapLuck(largest, float(np.median(spread)), as_large, len(judged))


def _movable(held: list[Held]) -> bool:
    """Whether redrawing a bin's blocks can move its share that came true."""
    came = {outcome for _, outcome, _, _ in held}
    return len(came) == 2 and len({block for *_, block in held}) >= FEW_EVENTS


def bin_of(chance: float) -> int:
    """The reliability bin of a chance: n for chances from n/10 to (n+1)/10."""
    return min(int(chance * 10), 9)


@dataclass(frozen=True, slots=True)
class Scores:
    count: int
    brier: float
    log_loss: float
    reliability: tuple[Bin, ...]
    luck: GapLuck | None = None  # of the largest gap (None: no bin to judge)

    @classmethod
    def of(
        cls,
        chances: Sequence[float],
        outcomes: Sequence[bool],
        events: Sequence[Hashable] | None = None,
        blocks: Sequence[Hashable] | None = None,
        *,
        binned: bool = True,
    ) -> Scores:
        """`events`: the chart period each prediction is of (default: each its own);
        `blocks`: the periods drawn together (default: each event alone), as the periods
        of a horizon are when the outcome is "#1 within it": neighbours share outcomes.
        `binned`: with the reliability table (its ranges are redrawn: not for nothing)."""
        pairs = list(zip(chances, outcomes, strict=True))
        if not pairs:
            return cls(0, math.nan, math.nan, ())
        brier = sum((p - o) ** 2 for p, o in pairs) / len(pairs)
        kept = [(min(max(p, EPSILON), 1 - EPSILON), o) for p, o in pairs]
        loss = -sum(math.log(p if o else 1 - p) for p, o in kept) / len(pairs)
        if not binned:
            return cls(len(pairs), brier, loss, ())
        bins: dict[int, list[Held]] = defaultdict(list)
        named = range(len(pairs)) if events is None else events
        drawn = named if blocks is None else blocks
        for (p, o), event, block in zip(pairs, named, drawn, strict=True):
            bins[bin_of(p)].append((p, o, event, block))
        reliability = tuple(_bin(n, held) for n, held in sorted(bins.items()))
        scores = cls(len(pairs), brier, loss, reliability)
        judged = [h for _, h in sorted(bins.items()) if len(h) >= LEAST and _movable(h)]
        if not judged:
            return scores
        return dataclasses.replace(scores, luck=_gap_luck(judged))

    def skill(self, baseline: Scores) -> float:
        """Brier skill over a baseline: 1 - ours / theirs (above 0: better)."""
        return 1 - self.brier / baseline.brier if baseline.brier else math.nan

    def off_bins(self, least: int = LEAST) -> list[Bin]:
        """The bins of `least` or more predictions whose mean chance is off by more than
        their chart periods' redraws would explain."""
        return [b for b in self.reliability if b.count >= least and b.off]

    def worst_bin(self, least: int = LEAST) -> float:
        """The largest gap between predicted and observed among bins of `least` or more."""
        return max(
            (abs(b.predicted - b.observed) for b in self.reliability if b.count >= least),
            default=0.0,
        )
