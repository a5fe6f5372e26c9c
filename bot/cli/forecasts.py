"""The commands of forecasts: `forecast`, who is likely #1 next, and `backtest`, which
replays a source's stored history walk-forward and scores the forecasts beside two
baselines."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from bot.cli import report
from bot.cli.base import Failure, config_option, err, known_errors, load, main, out
from bot.clock import utcnow
from bot.service.forecaster import refresh_forecasts
from bot.service.forecasts import (
    NothingToScore,
    UnknownSource,
    backtest_source,
    forecast_source,
)
from bot.service.lookup import open_store


@main.command()
@config_option
@click.option("--source", "source_name", required=True, help="The source whose history to replay.")
@click.option(
    "--from",
    "start",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Predict the periods from this date on (default: every one with enough history).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per prediction.")
@known_errors
def backtest(config_path: Path, source_name: str, start: date | None, as_json: bool) -> None:
    """Score chartbot's forecasts of #1 on a source's stored history.

    Walk-forward: each period from --from on is predicted by a model trained only on the
    periods before it. Prints the Brier score, log loss and a reliability table for "#1
    next period" and "#1 within the horizon" ([forecast] horizon), beside the current-rank
    baseline and persistence (today's #1 stays #1), measured on the same predictions.
    """
    config = load(config_path)
    with open_store(config, existing=True) as store:
        try:
            run = backtest_source(
                store, config, source_name, start.strftime("%Y-%m-%d") if start else None
            )
        except (UnknownSource, NothingToScore) as error:
            raise Failure(str(error)) from None
    if as_json:
        for row in report.json_rows(run):
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    for line in report.lines(run):
        out.print(line, markup=False)


@main.command()
@config_option
@click.option("--source", "source_name", required=True, help="The source whose charts to forecast.")
@click.option("--country", "countries", multiple=True, help="Only this market (a code such as US).")
@click.option("--top", type=click.IntRange(min=1), default=3, help="Titles per market (default 3).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per title and market.")
@click.option(
    "--store",
    "keep",
    is_flag=True,
    help="Store the forecasts for /rank and queue the on-course alerts they call for, as the "
    "bot does after a poll.",
)
@known_errors
def forecast(
    config_path: Path,
    source_name: str,
    countries: tuple[str, ...],
    top: int,
    as_json: bool,
    keep: bool,
) -> None:
    """Who is likely #1 after the latest stored period, in each market of a source.

    The model learns from the source's latest [forecast] window periods; how good its
    chances have been is what `chartbot backtest` measures.
    """
    config = load(config_path)
    if keep:
        with open_store(config, existing=True) as store:
            try:
                done = refresh_forecasts(store, config, source_name, now=utcnow())
            except UnknownSource as error:
                raise Failure(str(error)) from None
        out.print(done.summary, markup=False)
        for call in done.calls:
            out.print(f"on course: {call}", markup=False)
        return
    with open_store(config, existing=True) as store:
        try:
            said = forecast_source(store, config, source_name)
        except UnknownSource as error:
            raise Failure(str(error)) from None
    if said.too_little is not None:
        raise Failure(f"{source_name}: too little history to forecast ({said.too_little})")
    wanted = {c.upper() for c in countries}
    markets = {f.market for f in said.forecasts}
    if unknown := sorted(wanted - markets):
        raise Failure(
            f"{source_name}: no forecasts for {', '.join(unknown)} "
            f"(markets forecast: {', '.join(sorted(markets)) or 'none'})"
        )
    shown: dict[tuple[str, str], int] = {}
    for f in said.forecasts:
        key = (f.chart, f.market)
        if (wanted and f.market not in wanted) or shown.get(key, 0) >= top:
            continue
        shown[key] = shown.get(key, 0) + 1
        if as_json:
            click.echo(json.dumps(report.forecast_json(said, f), ensure_ascii=False))
        else:
            out.print(report.forecast_line(said, f), markup=False)
    if missing := report.unscored_charts(said, {chart for chart, _ in shown}):
        err.print(missing, markup=False)
