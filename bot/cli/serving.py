"""The commands of the Discord bot: running it, registering its commands, inviting it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot import logs
from bot.cli.base import (
    Failure,
    config_option,
    known_errors,
    load,
    main,
    out,
)
from bot.config import load_config

if TYPE_CHECKING:
    pass


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
