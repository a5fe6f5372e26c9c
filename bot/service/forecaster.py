"""Forecasts kept up to date: after a poll stores a new period, a process of its own
trains on the source's history, predicts the period after the latest, scores the model
again where its last backtest is old, and stores it all with the on-course alerts it
calls for, in one short transaction.

The learning (seconds to minutes) happens before the transaction, on what the store held
when it began; if a poll stored a newer period meanwhile, nothing is written (that poll
starts a refresh of its own). `python -I -m bot.service.forecaster SOURCE` is the process
the bot starts (the config pickled on its stdin, as bot/service/worker.py's poll);
`chartbot forecast --source NAME --store` runs the same refresh in the foreground.
"""

from __future__ import annotations

import json
import logging
import math
import pickle
import sys
from collections import defaultdict
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime

from bot import children, logs
from bot.clock import utcnow
from bot.config import Config
from bot.engine.events import OnCourse
from bot.engine.routing import route
from bot.engine.titles import title_key
from bot.forecast.backtest import Backtest, Forecaster, Predictions, backtest
from bot.forecast.calls import Call, Chance, carry_calls, outcomes
from bot.forecast.examples import TOP
from bot.forecast.model import Target, TooLittleHistory
from bot.forecast.scores import bin_of
from bot.service.forecasts import Histories, predict_latest, source_histories, source_shape
from bot.service.polling import alert_policy
from bot.store.forecasts import ChartScore, Tally
from bot.store.store import Store

log = logging.getLogger(__name__)

SCORED = 60  # the latest periods a chart's rolling backtest scores, at most
PREDICTIONS = 100_000  # and about as many predictions, at most
FIT_EXAMPLES = 2_000  # a chart with more examples a period than this refits less often
MAX_FITS = 4  # and a source of several markets fits about this many models a rescore, at most
RESCORE = 7  # a chart is scored again once this many periods are stored after its score
STARTED = "chartbot forecaster"  # the marker line the outcome follows


@dataclass(slots=True)
class Refreshed:
    """What a refresh stored, for the log and the CLI."""

    source: str
    period: str | None = None  # the latest period the forecasts are made after
    forecasts: int = 0
    shown: list[str] = field(default_factory=list)  # charts whose chances are shown
    hidden: dict[str, str] = field(default_factory=dict)  # chart -> why not
    calls: list[str] = field(default_factory=list)  # "US: Title 71% within 3"
    resolved: int = 0
    deliveries: int = 0
    stale: bool = False  # a newer period was stored meanwhile: nothing written

    @property
    def summary(self) -> str:
        if self.stale:
            return f"{self.source}: a newer period was stored meanwhile; forecasts left to it"
        if self.period is None:
            return f"{self.source}: no forecast ({'; '.join(self.hidden.values())})"
        hidden = "; ".join(f"{chart} hidden: {why}" for chart, why in self.hidden.items())
        return (
            f"{self.source}: {self.forecasts:,} chances after {self.period}"
            + (f", shown for {', '.join(self.shown)}" if self.shown else "")
            + (f"; {hidden}" if hidden else "")
            + f"; {len(self.calls)} on-course calls, {self.resolved} resolved, "
            f"{self.deliveries} deliveries queued"
        )


def refresh_forecasts(store: Store, config: Config, source: str, *, now: datetime) -> Refreshed:
    """Forecast after each of the source's charts' latest period and store it (see above)."""
    settings = config.forecast
    done = Refreshed(source)
    charts = {c.name: c.id for c in store.charts.listing() if c.source == source}
    shape = source_shape(store, source)
    scored = scored_periods(shape.markets)
    held = source_histories(store, source, settings.window, also=scored, shape=shape)
    read = {h.chart: h.periods[-1] for h in held.charts if h.periods}
    scores, fresh = _scores(store, held, charts, settings.horizon, scored)
    latest = predict_latest(held.charts, horizon=settings.horizon, window=held.window)
    if isinstance(latest, TooLittleHistory):
        scores = {name: replace(s, note=str(latest)) for name, s in scores.items()}
    done.shown = sorted(name for name, s in scores.items() if s.shown and s.note is None)
    done.hidden = {name: _why_hidden(s) for name, s in scores.items() if name not in done.shown}
    with store.write():
        if store.charts.latest_periods(source) != read:
            done.stale = True
            return done
        for score in scores.values():
            store.forecasts.set_score(score, now=now)
        for name, counted in fresh.items():
            store.forecasts.set_tallies(charts[name], counted)
        if isinstance(latest, TooLittleHistory):
            return done
        done.period = max(read.values())
        chances = [
            Chance(e.chart, e.market, e.title, e.period, e.rank, nxt, within)
            for e, nxt, within in zip(
                latest.now, latest.chances[Target.NEXT], latest.chances[Target.WITHIN], strict=True
            )
        ]
        kept, calls = carry_calls(
            chances,
            store.forecasts.called(charts),
            alert_at=settings.alert_at,
            callable_charts=frozenset(done.shown),
        )
        store.forecasts.replace(charts, kept)
        done.forecasts = len(kept)
        found = outcomes(store.forecasts.open_calls(charts), held.charts, settings.horizon)
        store.forecasts.resolve(charts, found, now=now)
        done.resolved = len(found)
        store.forecasts.add_calls(charts, calls, settings.horizon)
        events = _on_course(store, source, calls, kept, scores, charts, held.unit.value)
        added = store.outbox.add_events(events, chart_ids=charts, snapshot_id=None, now=now)
        routed = route(
            added,
            default=alert_policy(config),
            guilds=store.guilds.alerts(),
            subscriptions=store.guilds.subscriptions_for({e.title_key for e in events}),
        )
        done.deliveries = store.outbox.add_deliveries(routed, now=now)
        done.calls = [
            f"{c.chart} {c.market}: {e.title} {c.chance:.0%}"
            for c, e in zip(calls, events, strict=True)
        ]
    return done


def scored_periods(markets: int) -> int:
    """The latest periods a chart's rolling backtest scores: SCORED, fewer on a chart of
    many markets (about PREDICTIONS predictions; at least 8 periods)."""
    return max(8, min(SCORED, PREDICTIONS // (max(1, markets) * TOP * 2)))


def refit_every(markets: int, scored: int) -> int:
    """How many periods apart a rolling backtest of `scored` periods refits its model:
    every period on a chart of one market; on a source of several, less often the more
    examples a period holds, and about MAX_FITS times at most (each fit learns from the
    whole window of every market: fits were 85% of a refresh of 70 regions, 4 min 33 s
    with a fit every other day, 2 min 32 s with one every fifth)."""
    if markets <= 1:
        return 1
    return max(1, markets * TOP * 2 // FIT_EXAMPLES, math.ceil(scored / MAX_FITS))


def _scores(
    store: Store, held: Histories, charts: dict[str, int], horizon: int, scored: int
) -> tuple[dict[str, ChartScore], dict[str, list[Tally]]]:
    """Each chart's score: its stored one while it is recent (and of this horizon, with
    its tallies), else a walk-forward backtest
    of its latest `scored` periods (each predicted by a model trained only before it,
    again every few periods on a chart of many markets), with its tallies."""
    stored = store.forecasts.scores(charts.values())
    periods = {h.chart: h.periods for h in held.charts}
    stale = [
        name
        for name, id_ in charts.items()
        if (kept := stored.get(id_)) is None
        or kept.scored_through is None
        or kept.horizon != horizon
        or len([p for p in periods.get(name, []) if p > kept.scored_through]) >= RESCORE + horizon
    ]
    tested = None
    fresh: dict[str, list[Tally]] = {}
    if stale:
        every = sorted({p for h in held.charts for p in h.periods})
        start = every[-scored] if len(every) > scored else None
        refits = refit_every(held.markets, min(scored, len(every)))
        tested = backtest(
            held.charts, start=start, horizon=horizon, window=held.window, every=refits
        )
    scores = {}
    for name, id_ in charts.items():
        latest = periods[name][-1] if periods.get(name) else ""
        kept = stored.get(id_)
        if tested is not None and name in stale:
            scores[name], fresh[name] = _score(id_, tested, name, latest, horizon)
        elif kept is not None:
            scores[name] = replace(kept, period=latest, horizon=horizon, note=None)
        else:
            scores[name] = ChartScore(id_, latest, horizon, None, None, 0, None, None)
    return scores, fresh


def _score(
    chart_id: int, tested: Backtest, chart: str, period: str, horizon: int
) -> tuple[ChartScore, list[Tally]]:
    """A chart's score from a backtest of its source, and how the chances it gave fared."""
    mine = Backtest(
        Predictions(p for p in tested.predictions if p.chart == chart),
        tested.skipped,
        tested.horizon,
    )
    known = [p.period for p in mine.predictions if p.within_one is not None]
    if not known:
        return ChartScore(chart_id, period, horizon, None, None, 0, None, "nothing scored yet"), []
    score = ChartScore(
        chart_id,
        period,
        horizon,
        mine.skill(Target.NEXT),
        mine.skill(Target.WITHIN),
        len(mine.predictions),
        max(known),
        None,
        len({p.period for p in mine.predictions}),
    )
    return score, tallies(mine)


def tallies(tested: Backtest) -> list[Tally]:
    """How the model's chances in a backtest fared, by tenths, apart for titles #1 where
    the chance was given and the others: the backing /rank and on-course alerts show."""
    held: dict[tuple[Target, bool, int], list[float]] = defaultdict(lambda: [0, 0, 0.0])
    for p in tested.predictions:
        for target in Target:
            outcome = p.outcome(target)
            if outcome is not None:
                chance = p.chance(Forecaster.MODEL, target)
                tally = held[target, p.rank == 1, bin_of(chance)]
                tally[0] += 1
                tally[1] += outcome
                tally[2] += chance
    return [
        Tally(target, holder, bin_, int(given), int(came), total / given)
        for (target, holder, bin_), (given, came, total) in sorted(
            held.items(), key=lambda item: (item[0][0].value, item[0][1], item[0][2])
        )
    ]


def _why_hidden(score: ChartScore) -> str:
    if score.note:
        return score.note
    return (
        f"no skill over the current-rank baseline (next {score.skill_next or 0:+.3f}, "
        f"within {score.skill_within or 0:+.3f}, {score.scored:,} predictions)"
    )


def _on_course(
    store: Store,
    source: str,
    calls: list[Call],
    kept: list[Chance],
    scores: dict[str, ChartScore],
    charts: dict[str, int],
    unit: str,
) -> list[OnCourse]:
    """The calls' alerts, each with how the chances its chart's backtest gave in the same
    tenth as its chance fared."""
    titles = store.titles.named(c.title for c in calls)
    ranks = {c.key: c.rank for c in kept}
    backing = {chart: store.forecasts.backing(charts[chart]) for chart in {c.chart for c in calls}}
    events = []
    for call in calls:
        title = titles[call.title]
        score = scores[call.chart]
        backed = backing[call.chart].of(Target.WITHIN, call.chance, holder=ranks.get(call.key) == 1)
        periods = score.scored_periods or 0
        events.append(
            OnCourse(
                source=source,
                chart=call.chart,
                period=call.period,
                title_key=title_key(title.name, title.artist),
                title=title.name,
                artist=title.artist,
                country=call.market,
                rank=ranks.get(call.key),
                chance=round(call.chance, 4),
                horizon=score.horizon,
                unit=unit,
                backtest_given=backed.given if periods else 0,
                backtest_came_true=backed.came_true if periods else 0,
                backtest_periods=periods,
            )
        )
    return events


# -- the process of its own ------------------------------------------------------------


async def refresh_in_process(config: Config, source: str, *, timeout: float) -> str:
    """Refresh a source's forecasts in a child process; what came of it, for the log."""
    said, reason = await children.run_job(
        config, "bot.service.forecaster", source, marker=STARTED, timeout=timeout
    )
    return (
        str(json.loads(said)["summary"]) if said is not None else f"{source}: the forecast {reason}"
    )


def main(argv: list[str]) -> int:
    [name] = argv
    config: Config = pickle.load(sys.stdin.buffer)
    logs.setup("WARNING")
    print(STARTED, flush=True)
    store = Store.open(config.database_path, busy_timeout=config.busy_timeout)
    try:
        done = refresh_forecasts(store, config, name, now=utcnow())
    finally:
        store.close()
    print(json.dumps({**asdict(done), "summary": done.summary}, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
