"""The commands of the charts themselves: the demo, polls, imports, `rank`, `status`, and
checking a config."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot import logs, terminal
from bot.cli.base import (
    EXIT_FAILED,
    BadConfig,
    Failure,
    Interrupted,
    config_option,
    err,
    known_errors,
    language_option,
    load,
    main,
    out,
    verbose,
    warn,
)
from bot.config import load_config
from bot.i18n import Language, texts
from bot.service.lookup import lookup_title, open_store
from bot.service.polling import (
    MERGE_PENDING,
    configured_sources,
    emit_terminal_alerts,
    poll_once,
)
from bot.service.status import status_report
from bot.service.titles import title_merges

if TYPE_CHECKING:
    from bot.importer import ImportOutcome


@main.command()
@config_option
@click.option(
    "--database",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Keep the demo's database here instead of a temporary folder.",
)
@language_option
@known_errors
def demo(config_path: Path, database: Path | None, language: Language) -> None:
    """Replay the bundled "All of Us Are Dead" story through the real pipeline.

    No token, no network: three days of per-country Netflix TV charts go through
    the store, the diff and the alert rendering, and the alerts are printed. The
    alert settings of the config are used when it exists (the defaults otherwise).
    """
    from bot.demo import run_demo

    logs.setup("WARNING", verbose=verbose())
    alerts = load_config(config_path).alerts if config_path.exists() else None
    run_demo(out, database=database, alerts=alerts, t=texts(language))


@main.command()
@config_option
@click.option("--once", is_flag=True, hidden=True)  # what poll always does; kept for scripts
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON object per alert on stdout, and nothing else.",
)
@language_option
@known_errors
def poll(config_path: Path, once: bool, as_json: bool, language: Language) -> None:
    """Poll every source once, print the alerts an alert channel would get, and exit.

    A first poll records a baseline and prints no alert. Exits 1 when a source
    failed (its reason is printed on stderr; what was stored before is kept).
    `chartbot run` polls on a schedule.
    """
    config = load(config_path)
    if not configured_sources(config):
        raise BadConfig(f"{config_path}: no source to poll (each needs a url and enabled = true)")
    outcomes = asyncio.run(poll_once(config, terminal=True))
    for outcome in outcomes:
        err.print(
            terminal.clean(outcome.summary), markup=False, style="red" if outcome.failed else None
        )
        warn(outcome.warnings)
    with open_store(config) as store:
        t = texts(language)
        emit_terminal_alerts(
            store, terminal.json_printer(t) if as_json else terminal.alert_printer(out, t)
        )
        if config.titles.merge and title_merges(store, config, apply=False):
            warn([MERGE_PENDING])
    if any(o.failed for o in outcomes):
        sys.exit(EXIT_FAILED)


@main.command()
@config_option
@click.argument("title")
@click.option("--country", help="Also show this country (code or name).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@language_option
@known_errors
def rank(
    config_path: Path, title: str, country: str | None, as_json: bool, language: Language
) -> None:
    """Where TITLE stands on every chart: #1 countries, watched markets, best rank."""
    from bot import countries

    if not title.strip():
        raise click.BadParameter('give a title, such as "squid game"', param_hint="TITLE")
    code = None
    if country:
        code = countries.lookup(country)
        if code is None:
            raise click.BadParameter(
                f"{country!r} is not a country{countries.did_you_mean(country)}: use a code "
                'such as KR or a name such as "South Korea"',
                param_hint="--country",
            )
    config = load(config_path)
    with open_store(config, existing=True) as store:
        found = lookup_title(store, title, config.title_aliases())
    if found.match.title is None:
        raise Failure(terminal.did_you_mean(title, found.match))
    markets = list(config.alerts.watched_markets)
    if code and code not in markets:
        markets.append(code)
    if as_json:
        click.echo(json.dumps(terminal.rank_json(found, code), ensure_ascii=False))
    else:
        terminal.print_rank(out, found, markets, texts(language))


def iso_day(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2020-02-20") from None


@main.command(name="import")
@config_option
@click.argument("locations", metavar="[PATH_OR_URL]...", nargs=-1)
@click.option("--source", "source_name", required=True, help="The configured source it belongs to.")
@click.option(
    "--period",
    callback=iso_day,
    metavar="YYYY-MM-DD",
    help="The date of files whose names carry none (a chart's day, or its week's last day).",
)
@known_errors
def import_(
    config_path: Path, locations: tuple[str, ...], source_name: str, period: str | None
) -> None:
    """Load files of chart history into the store, oldest first, without alerts.

    Periods already stored are left as they are, so importing twice is harmless.
    Files named with their date (Spotify's regional-global-weekly-2023-11-16.csv)
    are taken in date order, whatever order they are given in. With no
    PATH_OR_URL, the source's own location is read: data a poll refused is
    stored as it is. The combined Spotify dataset (one big CSV) is streamed.
    """
    from bot.importer import ImportInterrupted, import_history

    config = load(config_path)
    config.source(source_name)  # an unknown name is a config error, before any work
    try:
        with terminal.progress(err) as report:
            outcomes = asyncio.run(
                import_history(config, source_name, list(locations), period=period, progress=report)
            )
    except ImportInterrupted as stopped:
        say_imported(stopped.outcomes)
        raise Interrupted(stopped.advice) from None
    say_imported(outcomes)
    skipped = sum(o.skipped is not None for o in outcomes)
    if skipped == len(outcomes):
        raise Failure(f"all {skipped} files skipped; nothing stored")
    if skipped:
        raise Failure(f"{skipped} of {len(outcomes)} files skipped; the others are stored")


def say_imported(outcomes: list[ImportOutcome]) -> None:
    """Each file's line on stdout (what a script reads), its warnings on stderr."""
    for outcome in outcomes:
        out.print(
            terminal.clean(outcome.summary),
            markup=False,
            style="red" if outcome.skipped is not None else None,
        )
        warn(outcome.warnings)


@main.command(name="check-config")
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@known_errors
def check_config(config_path: Path, as_json: bool) -> None:
    """Validate the config file and say what it sets up."""
    config = load(config_path)
    missing = config.missing_paths()
    if as_json:
        click.echo(json.dumps(terminal.config_json(config_path, config, missing)))
        return
    out.print(terminal.config_summary(config_path, config), markup=False)
    warn(missing)


@main.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@known_errors
def status(config_path: Path, as_json: bool) -> None:
    """Each source's health: last good poll, last error, latest stored period."""
    config = load(config_path)
    with open_store(config, existing=True) as store:
        report = status_report(store, config)
    if as_json:
        click.echo(json.dumps(terminal.status_json(report), ensure_ascii=False))
    else:
        terminal.print_status(out, report)
