"""A backtest as people and programs read it: the score tables, and one JSON object per
prediction (so anyone can recompute the scores)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from bot.alerts.render import counted
from bot.alerts.words import fared
from bot.engine.model import PeriodUnit
from bot.forecast.backtest import Forecaster
from bot.forecast.model import Target
from bot.forecast.scores import FEW_EVENTS, LEAST, RESAMPLES, GapLuck, Scores
from bot.i18n import Language, texts
from bot.service.forecasts import Forecast, SourceBacktest, SourceForecast


def json_rows(run: SourceBacktest) -> Iterator[dict[str, Any]]:
    for p in run.result.predictions:
        title = run.titles.get(p.title)
        row: dict[str, Any] = {
            "period": p.period,
            "chart": p.chart,
            "country": p.market,
            "title": title.name if title else str(p.title),
            "rank": p.rank,
            "p_next": round(p.next, 6),
            "outcome_next": p.next_one,
            "p_within": round(p.within, 6),
            "outcome_within": p.within_one,
            # the current-rank baseline's chances, so that its scores and the skill can be
            # recomputed too (persistence's is 1 for rank 1, else 0)
            "p_next_rank": round(p.rank_next, 6),
            "p_within_rank": round(p.rank_within, 6),
        }
        if title and title.artist:
            row["artist"] = title.artist
        yield row


def lines(run: SourceBacktest) -> Iterator[str]:
    result = run.result
    unit = _unit(run.unit)
    periods = sorted({p.period for p in result.predictions})
    yield f"Backtest of {run.source} ({', '.join(run.charts)}), walk-forward: each {unit} predicted"
    yield f"by a model trained only on the {unit}s before it."
    skipped = len(set(result.skipped))
    yield (
        f"{counted(len(result.predictions), 'prediction')} of {counted(len(periods), unit)}, "
        f"{periods[0]} to {periods[-1]}"
        + (f"; {counted(skipped, f'earlier {unit}')} had too little history." if skipped else ".")
    )
    for target in Target:
        yield ""
        yield from _table(run, target)
    yield ""
    skills = {target: result.skill(target) for target in Target}
    said = ", ".join(f"{skills[t]:+.3f} {_what(run, t)}" for t in Target)
    yield f"Skill over the current rank: {said}."
    yield (
        "/rank and on-course alerts show a chart's forecasts only where the backtest of its "
        "latest periods, run after polls, beats this baseline on both (`chartbot forecast "
        "--store` says which)."
    )


def _table(run: SourceBacktest, target: Target) -> Iterator[str]:
    result = run.result
    # The model's reliability is printed; the baselines' scores alone.
    scores = {who: result.scores(who, target, binned=who is Forecaster.MODEL) for who in Forecaster}
    baseline = scores[Forecaster.RANK]
    known = counted(baseline.count, "prediction")
    yield f"#1 {_what(run, target)} ({known} with a known outcome)"
    yield f"  {'':14}{'Brier':>9}{'log loss':>10}{'skill':>8}"
    for who, held in scores.items():
        yield f"  {who.value:14}{held.brier:9.5f}{held.log_loss:10.4f}{held.skill(baseline):+8.3f}"
    yield from _reliability(scores[Forecaster.MODEL], _unit(run.unit), result.span(target))


def _reliability(scores: Scores, unit: str, span: int) -> Iterator[str]:
    """`span`: the periods redrawn together (a horizon's, whose outcomes overlap)."""
    periods = f"chart {unit}s"
    yield (
        f"  {'chance given':14}{'predictions':>12}{periods:>13}{'mean chance':>13}"
        f"{'came true':>11}{'(90% range)':>15}"
    )
    for b in scores.reliability:
        low, high = b.observed_range or (math.nan, math.nan)
        spread = f"{low:.3f}-{high:.3f}" if b.observed_range else "-"
        mark = " *" if b.off and b.count >= LEAST else ""
        yield (
            f"  {b.low:.1f}-{b.high:.1f}{'':7}{b.count:12,}{b.events:13,}{b.predicted:13.3f}"
            f"{b.observed:11.3f}{spread:>15}{mark}"
        )
    off = scores.off_bins(least=LEAST)
    if not any(b.count >= LEAST for b in scores.reliability):
        yield f"  No bin holds {LEAST} or more predictions."
        return
    yield (
        f"  Bins of {LEAST} or more predictions: the largest gap between mean chance and"
        f" came true is {scores.worst_bin(least=LEAST):.3f}."
    )
    if scores.luck is not None:
        yield from _luck(scores.luck, scores, periods, _together(span, unit))
    are = "is" if len(off) == 1 else "are"
    yield (
        f"  {counted(len(off), 'bin')} (*) {are} off by more than luck explains: the mean"
        " chance is outside the middle"
    )
    yield (
        f"  90% of what came true over {RESAMPLES:,} redraws of the {periods} predicted"
        f"{_together(span, unit)}"
    )
    yield "  (by luck alone, about one bin in ten would be)."


def _luck(luck: GapLuck, scores: Scores, periods: str, together: str) -> Iterator[str]:
    """The largest gap's luck (`periods`: what is redrawn, "chart days"; `together`: how
    many at a time)."""
    came = round(luck.as_large * RESAMPLES)
    times = f"{came:,} of them ({luck.as_large:.0%})" if came else "none of them"
    yield (
        "  If every chance were right, luck would typically leave a largest gap of"
        f" {luck.typical:.3f} (the median"
    )
    yield f"  of {RESAMPLES:,} redraws of the {periods} predicted{together});"
    yield f"  one of {luck.largest:.3f} or more came in {times}."
    wide = sum(b.count >= LEAST for b in scores.reliability)
    if luck.judged < wide:
        yield (
            f"  (Judged on {luck.judged} of the {wide} bins: redraws cannot move a bin of fewer"
            f" than {FEW_EVENTS} {periods}, or one where every chance went the same way.)"
        )


def _together(span: int, unit: str) -> str:
    return f", {counted(span, unit)} at a time" if span > 1 else ""


def _what(run: SourceBacktest, target: Target) -> str:
    unit = _unit(run.unit)
    if target is Target.NEXT:
        return f"next {unit}"
    return f"within {counted(run.horizon, unit)}"


def _unit(unit: PeriodUnit) -> str:
    return str(unit)  # "day", "week", "period": the operator's lines are English


def forecast_line(said: SourceForecast, f: Forecast) -> str:
    """'Top 10 US · US  Stay Close (#2): #1 next day 38% · within 3 days 71% (backtest, last
    60 days: 33% of 21 · 70% of 10)'."""
    unit = _unit(said.unit)
    where = f"#{f.rank}" if f.rank is not None else "not charting"
    name = f.title.name + (f" — {f.title.artist}" if f.title.artist else "")
    line = (
        f"{f.chart} · {f.market}  {name} ({where} on {f.period}): "
        f"#1 next {unit} {f.chances[Target.NEXT]:.0%} · "
        f"within {counted(said.horizon, unit)} {f.chances[Target.WITHIN]:.0%}"
    )
    if not f.backed:
        return line
    backed = [f.backed[target] for target in Target]
    english = texts(Language.EN)  # the operator's lines are English
    how = " · ".join(fared(english, b.given, b.came_true) for b in backed)
    return f"{line} (backtest, last {counted(said.scored[f.chart], unit)}: {how})"


def unscored_charts(said: SourceForecast, shown: set[str]) -> str | None:
    """What to run for the chances' backing, when a chart shown has none stored (of this
    horizon)."""
    missing = sorted(shown - set(said.scored))
    if not missing:
        return None
    return (
        f"{', '.join(missing)}: no backtest of these chances stored yet; `chartbot forecast "
        f"--store --source {said.source}` scores it (then each line says how such chances "
        f"fared), `chartbot backtest --source {said.source}` replays the whole history"
    )


def forecast_json(said: SourceForecast, f: Forecast) -> dict[str, Any]:
    return {
        "chart": f.chart,
        "country": f.market,
        "title": f.title.name,
        "artist": f.title.artist,
        "rank": f.rank,
        "period": f.period,
        "p_next": round(f.chances[Target.NEXT], 6),
        "p_within": round(f.chances[Target.WITHIN], 6),
        **{
            f"backtest_{target.value}": (
                {"given": b.given, "came_true": b.came_true}
                if (b := f.backed.get(target))
                else None
            )
            for target in Target
        },
        "backtest_periods": said.scored.get(f.chart),
    }
