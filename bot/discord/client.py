"""The bot: one process, one event loop, discord.py's AutoShardedBot with chartbot's cogs.

`setup_hook` opens the shared resources (the store's writer thread, readers for the
commands, the title index for autocomplete)
and loads each cog on its own, so one broken cog never stops the bot. The polling
scheduler and the dispatcher are cogs too; `sync-commands` loads only the command cogs.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import json
import logging
import random
import signal
from collections.abc import Sequence
from typing import Any

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.alerts.render import escape
from bot.clock import utcnow
from bot.config import Config, ConfigError
from bot.delivery.pacing import Pacer, SharedBudget
from bot.discord.answers import ChartTree, reply
from bot.discord.commands import COGS, CatalogTranslator
from bot.discord.endpoints import point_at
from bot.discord.language import member_texts, private_texts
from bot.engine.titles import TitleIndex
from bot.pictures.drawing import Drawings
from bot.service import lookup, registered, settings
from bot.service.settings import ServerDefaults, server_settings
from bot.store.base import StoreError
from bot.store.thread import ReadPool, StoreThread

log = logging.getLogger(__name__)

# chartbot never joins a voice channel: discord.py's "PyNaCl is not installed, voice will
# NOT be supported" (and its davey twin) on every start would only worry an operator.
discord.VoiceClient.warn_nacl = False
if hasattr(discord.VoiceClient, "warn_dave"):
    discord.VoiceClient.warn_dave = False

COMMAND_COGS = COGS
POLLING_COG = "bot.discord.cogs.polling"
RUNTIME_COGS = (POLLING_COG, "bot.discord.cogs.delivery")
TITLES_EVERY = 3.0  # seconds between looks for titles stored by any process
START_RETRY_FIRST = 1.0  # seconds before trying to reach Discord again at start-up
START_RETRY_CAP = 300.0


class BotError(Exception):
    """The bot cannot start or go on; the message is ready for the user."""


class ChartBot(commands.AutoShardedBot):
    def __init__(self, config: Config, *, runtime: bool = True) -> None:
        intents = discord.Intents.none()
        intents.guilds = True  # channels and roles, to check the bot may post somewhere
        self.shards_run = config.discord.shards  # None: every shard, in this process
        sharding: dict[str, Any] = {}
        if self.shards_run is not None:
            sharding = {"shard_ids": self.shards_run.ids, "shard_count": self.shards_run.count}
        super().__init__(
            **sharding,
            command_prefix=commands.when_mentioned,
            intents=intents,
            help_command=None,
            tree_cls=ChartTree,
            allowed_mentions=discord.AllowedMentions.none(),
            member_cache_flags=discord.MemberCacheFlags.none(),
            chunk_guilds_at_startup=False,
            max_messages=None,
            guild_ready_timeout=config.discord.guild_ready_timeout.total_seconds(),
        )
        self.config = config
        self.aliases = config.title_aliases()
        self.server_defaults = ServerDefaults.of(config)
        self.runtime = runtime
        self.db = StoreThread(config.database_path, config.busy_timeout)
        self.reads = ReadPool(config.database_path, config.busy_timeout)
        self.drawings = Drawings()  # the processes /rank's pictures and alerts' maps draw in
        self.titles = TitleIndex()
        self.titles_version: tuple[int, int] = (-1, -1)
        self.deliveries_waiting = asyncio.Event()
        # One pacer for everything the bot posts (alerts, confirmations): Discord counts
        # every message against the same limits; the processes of a bot split in shards
        # take their requests from one budget beside the store.
        self.pacer = Pacer(
            budget=SharedBudget(config.database_path.with_name(config.database_path.name + "-pace"))
            if self.shards_run
            else None
        )
        self.failed_cogs: list[str] = []
        self._watch: asyncio.Task[None] | None = None

    async def setup_hook(self) -> None:
        await self.tree.set_translator(CatalogTranslator())
        await self.db.open()
        if self.runtime and await self.db.call(lookup.ensure_by_title_index):
            # A first import of a big file builds it at its end; one stopped before that
            # leaves it to be built here, before /rank needs it.
            log.warning("built the title index an unfinished import left out")
        await self.refresh_titles()
        for name in COMMAND_COGS + (self._runtime_cogs() if self.runtime else ()):
            try:
                await self.load_extension(name)
            except Exception:
                self.failed_cogs.append(name)
                log.exception("cog %s failed to load; the bot goes on without it", name)
        self.tree.error(self.on_app_command_error)
        if self.runtime:
            self._watch = asyncio.create_task(self._watch_titles(), name="titles")
            if self.lead:
                await self.sync_commands_if_changed()
            # Most of what start-up made (modules, the cogs, the commands) lives as long as
            # the bot: set aside from the garbage collector, a full collection no longer
            # walks it in the middle of an answer (55-76 ms each, in the /rank benchmark).
            # What comes later (a title index grown by a poll) is collected as usual; it
            # goes back to the collector when the bot closes (`close`).
            gc.collect()
            gc.freeze()

    @property
    def lead(self) -> bool:
        """Does this process poll and register the commands (see Shards)?"""
        return self.shards_run is None or self.shards_run.lead

    def _runtime_cogs(self) -> tuple[str, ...]:
        return RUNTIME_COGS if self.lead else tuple(c for c in RUNTIME_COGS if c != POLLING_COG)

    async def close(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
        await super().close()  # unloads the cogs: the scheduler and dispatcher stop first
        await self.drawings.close()
        await self.reads.close()
        await self.db.close()
        self.pacer.budget.close()
        gc.unfreeze()  # a bot started again in this process (run_bot retries) frees this one

    async def refresh_titles(self) -> None:
        """Bring the title index up to date with the store (titles stored by any process):
        new titles are added to it, anything else (merges) rebuilds it; both off the loop."""
        version = await self.reads.call(lookup.catalogue_version)
        if version == self.titles_version:
            return
        (count, top), (known, known_top) = version, self.titles_version
        if known >= 0 and count >= known and top > known_top:
            added = await self.reads.call(lookup.catalogue_since, known_top)
            if len(added) == count - known:
                self.titles = await asyncio.to_thread(self.titles.with_added, added)
                self.titles_version = version
                return
        candidates = await self.reads.call(lookup.catalogue)
        self.titles = await asyncio.to_thread(TitleIndex, candidates)
        self.titles_version = version

    async def _watch_titles(self) -> None:
        while True:
            await asyncio.sleep(TITLES_EVERY)
            try:
                await self.refresh_titles()
            except Exception:
                log.warning("could not refresh the title index", exc_info=True)

    async def commands_payload(self) -> list[dict[str, Any]]:
        """What registering sends: every command with its names in each language."""
        translator = self.tree.translator
        assert translator is not None  # set in setup_hook
        return [
            await command.get_translated_payload(self.tree, translator)
            for command in self.tree.get_commands()
        ]

    async def sync_commands(self, guild_id: int | None = None, *, clear: bool = False) -> int:
        """Register the slash commands, globally or in one guild (instant, for testing);
        `clear`: remove the ones registered in that guild."""
        if guild_id is None:
            synced = await self.tree.sync()
        else:
            guild = discord.Object(guild_id)
            if clear:
                self.tree.clear_commands(guild=guild)
            else:
                self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
        return len(synced)

    async def sync_commands_if_changed(self) -> None:
        """Register the commands when they differ from what was last registered."""
        payload = json.dumps(await self.commands_payload(), sort_keys=True)
        digest = hashlib.sha256(payload.encode()).hexdigest()
        if await self.reads.call(registered.commands_digest, self.application_id) == digest:
            return
        try:
            count = await self.sync_commands()
        except discord.HTTPException as exc:
            log.warning("could not register the slash commands (%s); run sync-commands", exc)
            return
        await self.db.call(registered.note_commands, self.application_id, digest)
        log.info("registered %d slash commands", count)

    async def on_ready(self) -> None:
        log.info("connected as %s to %d servers", self.user, len(self.guilds))
        await self.seed_languages(self.guilds)

    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self.seed_languages([guild])

    async def seed_languages(self, guilds: Sequence[discord.Guild]) -> None:
        """Servers with settings and no language take their preferred locale's, when
        chartbot speaks it (else they keep the config's until an admin picks one)."""
        preferred = {g.id: str(g.preferred_locale.value) for g in guilds if not g.unavailable}
        seeded = await self.db.call(settings.seed_languages, preferred, now=utcnow())
        if seeded:
            log.info("%d servers speak their preferred language from now on", seeded)

    async def on_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """The one place a command's unexpected error ends: logged, and a short apology."""
        if isinstance(error, app_commands.CheckFailure) and interaction.response.is_done():
            return  # the check has answered already
        try:
            settings = await self.reads.call(
                server_settings, interaction.guild_id, self.server_defaults
            )
            t = private_texts(interaction, settings)  # privately, unless deferred publicly
        except Exception:  # the store itself may be what failed: the apology goes anyway
            t = member_texts(interaction, self.server_defaults.language)
        if isinstance(error, app_commands.CommandOnCooldown):
            seconds = max(1, round(error.retry_after))
            text = t.ngettext(
                "Slow down a little: try again in {count} second.",
                "Slow down a little: try again in {count} seconds.",
                seconds,
            )
        elif isinstance(error, app_commands.MissingPermissions):
            text = t.gettext("You need the Manage Server permission for that.")
        elif isinstance(error, app_commands.NoPrivateMessage):
            text = t.gettext("That only works in a server.")
        elif isinstance(error, app_commands.TransformerError):
            text = t.gettext(
                "I can't use “{value}” there: I may not see it, or it is not a text channel.",
                value=escape(str(error.value)),
            )
        else:
            log.error(
                "command /%s failed",
                getattr(interaction.command, "qualified_name", "?"),
                exc_info=error,
            )
            text = t.gettext("Something went wrong on my side; it has been logged.")
        await reply(interaction, text, ephemeral=True)


def _token(config: Config) -> str:
    token = config.discord_token()
    if not token:
        raise ConfigError(
            "no Discord token: set CHARTBOT_DISCORD_TOKEN (or [discord] token in the config)"
        )
    return token


class _Unreachable(Exception):
    """Discord could not be reached, or answered 5xx, while starting: worth waiting for."""


async def run_bot(config: Config) -> None:
    """Run until SIGTERM or Ctrl-C; raise BotError with a clear message when Discord says no.

    Discord down at start-up (5xx, no connection: a restart during an outage) is waited
    out with capped backoff; a rejected token stops at once.
    """
    token = _token(config)
    point_at(config.discord.api_base, config.discord.gateway_url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    wait = START_RETRY_FIRST
    try:
        while not stop.is_set():
            try:
                await _run_once(config, token, stop)
                return
            except _Unreachable as exc:
                log.warning("Discord is not reachable (%s); trying again in %.0fs", exc, wait)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), wait * random.uniform(0.8, 1.2))
            wait = min(START_RETRY_CAP, wait * 2)
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)


async def _run_once(config: Config, token: str, stop: asyncio.Event) -> None:
    bot = ChartBot(config)
    try:
        async with bot:
            runner = asyncio.create_task(bot.start(token))
            stopper = asyncio.create_task(stop.wait())
            done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
            if stopper in done:
                log.info("shutting down")
                await bot.close()
            else:
                stopper.cancel()
            await runner
    except discord.LoginFailure:
        raise BotError("Discord rejected the token (401): check CHARTBOT_DISCORD_TOKEN") from None
    except discord.PrivilegedIntentsRequired as exc:
        raise BotError(f"Discord refused the connection: {exc}") from None
    except discord.DiscordServerError as exc:
        raise _Unreachable(f"HTTP {exc.status}") from None
    except (aiohttp.ClientConnectorError, aiohttp.ServerDisconnectedError, OSError) as exc:
        raise _Unreachable(f"cannot connect to {config.discord.api_base}: {exc}") from None
    except discord.GatewayNotFound as exc:
        raise _Unreachable(str(exc)) from None
    except discord.HTTPException as exc:
        raise BotError(f"Discord answered HTTP {exc.status} while starting: {exc.text}") from None
    except StoreError:
        raise


async def sync_commands(config: Config, guild_id: int | None, *, clear: bool = False) -> int:
    """Log in over HTTP only, register the commands (or clear a guild's), log out."""
    token = _token(config)
    point_at(config.discord.api_base, config.discord.gateway_url)
    bot = ChartBot(config, runtime=False)
    try:
        async with bot:
            await bot.login(token)
            return await bot.sync_commands(guild_id, clear=clear)
    except discord.LoginFailure:
        raise BotError("Discord rejected the token (401): check CHARTBOT_DISCORD_TOKEN") from None
    except aiohttp.ClientConnectorError as exc:
        raise BotError(f"cannot reach Discord at {config.discord.api_base}: {exc}") from None
    except discord.HTTPException as exc:
        raise BotError(f"Discord answered HTTP {exc.status}: {exc.text}") from None
