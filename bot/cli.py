"""The `chartbot` command: a thin layer over the library.

Each command loads the config, calls one library function and turns the
known errors (a bad config, an unusable database, a failed source) into one
clear line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import sqlite3
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console

from bot import __version__, logs, terminal
from bot.config import DEFAULT_CONFIG_PATH, Config, ConfigError, load_config
from bot.engine.plan import Rejected
from bot.service.lookup import lookup_title, open_store
from bot.service.polling import (
    MERGE_PENDING,
    configured_sources,
    emit_terminal_alerts,
    poll_once,
)
from bot.service.status import status_report
from bot.service.titles import title_merges
from bot.sources.base import SourceError
from bot.store.base import StoreError, explain

if TYPE_CHECKING:
    from bot.importer import ImportOutcome

log = logging.getLogger(__name__)

EXIT_FAILED = 1
EXIT_CONFIG = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT

out = Console(soft_wrap=True, highlight=False)
err = Console(stderr=True, soft_wrap=True, highlight=False)


class Failure(click.ClickException):
    """A known failure: printed as one line, exit code 1."""

    exit_code = EXIT_FAILED

    def show(self, file: Any = None) -> None:
        err.print(f"chartbot: {terminal.clean(self.message)}", markup=False)


class BadConfig(Failure):
    exit_code = EXIT_CONFIG


class Interrupted(Failure):
    """Ctrl-C: said in one line, exit 130 as a shell reports a command it interrupted."""

    exit_code = EXIT_INTERRUPTED


def config_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "-c",
        "--config",
        "config_path",
        type=click.Path(path_type=Path, dir_okay=False),
        default=DEFAULT_CONFIG_PATH,
        show_default=True,
        help="The TOML config file.",
    )(func)


def known_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the errors a user can cause into one clean line."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ConfigError as exc:
            raise BadConfig(str(exc)) from None
        except (StoreError, SourceError, Rejected) as exc:
            raise Failure(str(exc)) from None
        except sqlite3.Error as exc:
            raise Failure(f"database: {explain(exc)}") from None
        except KeyboardInterrupt:
            raise Interrupted("interrupted") from None

    return wrapper


def load(config_path: Path) -> Config:
    config = load_config(config_path)
    logs.setup("WARNING")
    return config


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="chartbot")
def main() -> None:
    """chartbot: chart alerts for Discord ("now #1 in 46 countries (+2)")."""


@main.command()
@config_option
@click.option(
    "--database",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Keep the demo's database here instead of a temporary folder.",
)
@known_errors
def demo(config_path: Path, database: Path | None) -> None:
    """Replay the bundled "All of Us Are Dead" story through the real pipeline.

    No token, no network: three days of per-country Netflix TV charts go through
    the store, the diff and the alert rendering, and the alerts are printed. The
    alert settings of the config are used when it exists (the defaults otherwise).
    """
    from bot.demo import run_demo

    logs.setup("WARNING")
    alerts = load_config(config_path).alerts if config_path.exists() else None
    run_demo(out, database=database, alerts=alerts)


@main.command()
@config_option
@click.option("--once", is_flag=True, help="Poll every source once, print the alerts, exit.")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON object per alert on stdout, and nothing else.",
)
@known_errors
def poll(config_path: Path, once: bool, as_json: bool) -> None:
    """Poll the configured sources and print the alerts an alert channel would get.

    A first poll records a baseline and prints no alert. Exits 1 when a source
    failed (its reason is printed on stderr; what was stored before is kept).
    """
    if not once:
        raise click.UsageError("use --once (run `chartbot run` to poll on a schedule)")
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
        emit_terminal_alerts(store, terminal.json_line if as_json else terminal.alert_printer(out))
        if config.titles.merge and title_merges(store, config, apply=False):
            warn([MERGE_PENDING])
    if any(o.failed for o in outcomes):
        sys.exit(EXIT_FAILED)


@main.command()
@config_option
@click.argument("title")
@click.option("--country", help="Also show this country (code or name).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@known_errors
def rank(config_path: Path, title: str, country: str | None, as_json: bool) -> None:
    """Where TITLE stands on every chart: #1 countries, watched markets, best rank."""
    from bot import countries

    config = load(config_path)
    code = None
    if country:
        code = countries.lookup(country)
        if code is None:
            raise Failure(f"unknown country {country!r}")
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
        terminal.print_rank(out, found, markets)


def warn(warnings: list[str]) -> None:
    for warning in warnings:
        err.print(f"warning: {terminal.clean(warning)}", markup=False, style="yellow")


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


def say_imported(outcomes: list[ImportOutcome]) -> None:
    for outcome in outcomes:
        err.print(terminal.clean(outcome.summary), markup=False)
        warn(outcome.warnings)


@main.command()
@config_option
@click.option("-v", "--verbose", is_flag=True, help="Log everything (debug level).")
@click.option(
    "--shards",
    metavar="FIRST-LAST/COUNT",
    help="Run these gateway shards only (e.g. 0-9/40); other processes on the same "
    "database run the rest. The one with shard 0 polls.",
)
@known_errors
def run(config_path: Path, verbose: bool, shards: str | None) -> None:
    """Run the Discord bot: slash commands, scheduled polls and alert delivery.

    The token comes from CHARTBOT_DISCORD_TOKEN (or [discord] token). Stops
    cleanly on SIGTERM or Ctrl-C; alerts not yet delivered wait in the outbox.
    """
    from bot.discord.client import BotError, run_bot
    from bot.engine.deliveries import Shards

    config = load_config(config_path)
    if shards is not None:
        try:
            chosen = Shards.parse(shards)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--shards") from None
        discord = config.discord.model_copy(update={"shards": chosen})
        config = config.model_copy(update={"discord": discord})
    logs.setup(config.logging.level, verbose=verbose)
    try:
        asyncio.run(run_bot(config))
    except BotError as exc:
        raise Failure(str(exc)) from None


@main.command(name="sync-commands")
@config_option
@click.option("--guild", type=int, help="Register in this server only (instant, for testing).")
@known_errors
def sync_commands(config_path: Path, guild: int | None) -> None:
    """Register the slash commands with Discord (globally, or in one server)."""
    from bot.discord.client import BotError
    from bot.discord.client import sync_commands as register

    config = load(config_path)
    try:
        count = asyncio.run(register(config, guild))
    except BotError as exc:
        raise Failure(str(exc)) from None
    where = f"in server {guild}" if guild else "globally (may take up to an hour to show)"
    out.print(f"registered {count} slash commands {where}", markup=False)


@main.command(name="merge-titles")
@config_option
@click.option("--dry-run", is_flag=True, help="Say what would be joined, and change nothing.")
@known_errors
def merge_titles(config_path: Path, dry_run: bool) -> None:
    """Join stored titles that the config's [titles] merge names as one title.

    Their ranks, events and subscriptions move to the group's first name. Joining
    cannot be undone: look first with --dry-run. (New rows are stored under the
    group's first name anyway; this joins what was stored before the group was added.)
    """
    config = load(config_path)
    with open_store(config, existing=True) as store:
        merges = title_merges(store, config, apply=not dry_run)
    terminal.print_merges(out, merges, applied=not dry_run)


@main.command()
@config_option
@click.option("--source", "source_name", help="Only this source's.")
@known_errors
def rewrites(config_path: Path, source_name: str | None) -> None:
    """Stored periods that polls rewrote (a source changed its past), which can be undone.

    Each line is one poll: its number (for `chartbot undo-rewrite`), when, and the
    periods it rewrote.
    """
    from bot.service.rewrites import rewrites as listing

    config = load(config_path)
    with open_store(config, existing=True) as store:
        terminal.print_rewrites(out, listing(store, source_name))


@main.command(name="undo-rewrite")
@config_option
@click.argument("poll_number", type=click.IntRange(min=1))
@known_errors
def undo_rewrite(config_path: Path, poll_number: int) -> None:
    """Put back the periods one poll rewrote, as they were stored before it.

    POLL_NUMBER is the number `chartbot rewrites` shows. While the source serves the
    same file, it is not read again; a new file that still rewrites those periods
    rewrites them again (turn the source off with `enabled = false` until it is fixed).
    """
    from bot.service.rewrites import undo_rewrite as undo

    config = load(config_path)
    with open_store(config, existing=True) as store:
        undone = undo(store, poll_number)
    if undone is None:
        raise Failure(
            f"poll {poll_number} rewrote nothing that can be put back (see `chartbot rewrites`)"
        )
    terminal.print_rewrites(out, [undone], undone=True)


@main.command(name="check-config")
@config_option
@known_errors
def check_config(config_path: Path) -> None:
    """Validate the config file and say what it sets up."""
    config = load(config_path)
    out.print(terminal.config_summary(config_path, config), markup=False)


@main.command()
@config_option
@known_errors
def status(config_path: Path) -> None:
    """Each source's health: last good poll, last error, latest stored period."""
    config = load(config_path)
    with open_store(config, existing=True) as store:
        terminal.print_status(out, status_report(store, config))
