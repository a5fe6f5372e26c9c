"""The commands of forecasts: `backtest`, which replays a source's stored history
walk-forward and scores the forecasts beside two baselines."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from bot.cli import report
from bot.cli.base import Failure, config_option, known_errors, load, main, out
from bot.service.forecasts import UnknownSource, backtest_source
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
        except UnknownSource as error:
            raise Failure(str(error)) from None
    if as_json:
        for row in report.json_rows(run):
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    for line in report.lines(run):
        out.print(line, markup=False)
