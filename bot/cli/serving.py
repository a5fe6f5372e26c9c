"""The commands of the Discord bot: running it, registering its commands, inviting it."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot import logs
from bot.cli.base import (
    BadConfig,
    Failure,
    config_option,
    known_errors,
    load,
    main,
    out,
    verbose,
)
from bot.config import TOKEN_ENV, load_config

if TYPE_CHECKING:
    pass


@main.command()
@config_option
@click.option(
    "--shards",
    metavar="FIRST-LAST/COUNT",
    help="Run these gateway shards only (e.g. 0-9/40); other processes on the same "
    "database run the rest. The one with shard 0 polls.",
)
@known_errors
def run(config_path: Path, shards: str | None) -> None:
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
    logs.setup(config.logging.level, verbose=verbose())
    try:
        asyncio.run(run_bot(config))
    except BotError as exc:
        raise Failure(str(exc)) from None


@main.command(name="sync-commands")
@config_option
@click.option(
    "--guild",
    type=click.IntRange(min=1),
    metavar="SERVER_ID",
    help="Register in this server only (instant, for a first try).",
)
@click.option(
    "--clear",
    is_flag=True,
    help="With --guild: remove the commands registered in that server (the global ones stay).",
)
@known_errors
def sync_commands(config_path: Path, guild: int | None, clear: bool) -> None:
    """Register the slash commands with Discord (globally, or in one server).

    Commands registered in a server show beside the global ones that `chartbot run`
    registers, so a member sees each twice: once the server is set up, remove them
    with `sync-commands --guild SERVER_ID --clear`.
    """
    from bot.discord.client import BotError
    from bot.discord.client import sync_commands as register

    if clear and guild is None:
        raise click.UsageError("--clear removes a server's commands: give --guild SERVER_ID")
    config = load(config_path)
    try:
        count = asyncio.run(register(config, guild, clear=clear))
    except BotError as exc:
        raise Failure(str(exc)) from None
    if clear:
        out.print(f"removed the slash commands registered in server {guild}", markup=False)
        return
    where = f"in server {guild}" if guild else "globally (may take up to an hour to show)"
    out.print(f"registered {count} slash commands {where}", markup=False)


@main.command()
@config_option
@click.option(
    "--application-id",
    type=click.IntRange(min=1),
    metavar="ID",
    help="The application's id (its General Information page); by default read from the "
    "configured token.",
)
@known_errors
def invite(config_path: Path, application_id: int | None) -> None:
    """Print the link that adds the bot to a server, with the permissions it needs.

    View Channel, Send Messages, Embed Links and Attach Files (for the maps), and the
    scopes bot and applications.commands. Open it in a browser, pick the server.
    """
    from bot.discord.invite import application_id_of, invite_url

    if application_id is None:
        config = load(config_path) if config_path.exists() else None
        token = config.discord_token() if config else os.environ.get(TOKEN_ENV)
        configured = config.discord.application_id if config else None
        application_id = configured or (application_id_of(token) if token else None)
        if application_id is None:
            why = (
                f"the token in {TOKEN_ENV} does not look like a bot token"
                if token
                else f"set {TOKEN_ENV} to read it from the token"
            )
            raise BadConfig(
                "give --application-id ID (the Application ID on your application's General "
                f"Information page); {why}"
            )
    click.echo(invite_url(application_id))
