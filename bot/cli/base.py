"""What every `chartbot` command shares: the group, the config option, and the one table
of the errors a user can cause, each turned into one line on stderr and an exit code."""

from __future__ import annotations

import functools
import logging
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from bot import __version__, logs, terminal
from bot.config import DEFAULT_CONFIG_PATH, Config, ConfigError, load_config
from bot.engine.plan import Rejected
from bot.languages import Language
from bot.sources.base import SourceError
from bot.store.base import StoreError, explain

log = logging.getLogger(__name__)

EXIT_FAILED = 1
EXIT_CONFIG = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT; bot/__main__.py then ends the process by SIGINT

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
    """Ctrl-C: said in one line, then the process ends by SIGINT (bot/__main__.py)."""

    exit_code = EXIT_INTERRUPTED


def config_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """-c/--config, and -v/--verbose (every command that reads the config logs with it)."""
    verbose = click.option(
        "-v",
        "--verbose",
        is_flag=True,
        expose_value=False,
        callback=_note_verbose,
        help="Log everything (debug level) on stderr.",
    )
    return verbose(
        click.option(
            "-c",
            "--config",
            "config_path",
            type=click.Path(path_type=Path, dir_okay=False),
            default=DEFAULT_CONFIG_PATH,
            show_default=True,
            help="The TOML config file.",
        )(func)
    )


LANGUAGES = ", ".join(language.value for language in Language)


def language_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """--lang: the language of what the command prints for people (a server's alerts, /rank),
    else the environment's (LC_ALL, LC_MESSAGES, LANG, LANGUAGE) when chartbot speaks it,
    else English."""
    return click.option(
        "--lang",
        "language",
        metavar="LANG",
        callback=_language,
        help=f"Say it in this language ({LANGUAGES}); default: the environment's (LANG…), else en.",
    )(func)


def environment_language() -> Language:
    """The language the environment asks for, as gettext reads it: LC_ALL, then
    LC_MESSAGES, then LANG; under any locale but C, LANGUAGE's list first. English when it
    names none chartbot speaks."""
    env = os.environ
    locale = env.get("LC_ALL") or env.get("LC_MESSAGES") or env.get("LANG") or ""
    if locale.split(".")[0] in ("", "C", "POSIX"):
        return Language.EN
    for wanted in env.get("LANGUAGE", "").split(":"):
        if spoken := Language.parse(wanted):
            return spoken
    return Language.parse(locale) or Language.EN


def _language(ctx: click.Context, param: click.Parameter, value: str | None) -> Language:
    if value is None:
        return environment_language()
    language = Language.parse(value)
    if language is None:
        raise click.BadParameter(f"{value!r} is not a language chartbot speaks: {LANGUAGES}")
    return language


def _note_verbose(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    ctx.meta["chartbot.verbose"] = value


def verbose() -> bool:
    """Was -v/--verbose given to the command running?"""
    ctx = click.get_current_context(silent=True)
    return bool(ctx and ctx.meta.get("chartbot.verbose"))


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

    return wrapper


def load(config_path: Path) -> Config:
    config = load_config(config_path)
    logs.setup("WARNING", verbose=verbose())
    return config


def warn(warnings: list[str]) -> None:
    for warning in warnings:
        err.print(f"warning: {terminal.clean(warning)}", markup=False, style="yellow")


class _Commands(click.Group):
    """The chartbot commands: a Ctrl-C while one reads its options or runs is Interrupted
    (click's own "Aborted!", exit 1, would let a shell loop go on to the next file)."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except KeyboardInterrupt:
            raise Interrupted("interrupted") from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise Interrupted("interrupted") from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="chartbot")
def main() -> None:
    """chartbot: chart alerts for Discord ("now #1 in 46 countries (+2)")."""
