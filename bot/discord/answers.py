"""Answering interactions: always, and within Discord's window.

Discord gives a bot 3 seconds to answer an interaction. `Answer` starts the work
and, when its result is not ready in time, defers ("thinking…") so the answer can
follow later; `reply` sends a plain answer, first or follow-up. A first answer
Discord refuses (a 400 for a field too long, say) falls back to a short private
error, so a member always hears something.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from typing import Any, TypeVar

import discord

from bot.i18n import N_, Language, texts

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFER_AFTER = 1.5  # seconds: past this, defer (Discord's window is 3 s)
REFUSED = N_("I couldn't show that answer (Discord refused it); it has been logged.")


async def reply(interaction: discord.Interaction, text: str, *, ephemeral: bool = True) -> None:
    """Answer an interaction whether or not it was already answered or deferred."""
    await send(interaction, ephemeral=ephemeral, content=text)


async def send(interaction: discord.Interaction, *, ephemeral: bool, **message: Any) -> None:
    """An answer (content, embed, file): the first one, or a follow-up once one was made.

    When Discord refuses it, a short private error goes in its place; a failure of that
    too is logged (the interaction has expired, or Discord is down)."""
    try:
        await _send(interaction, ephemeral=ephemeral, **message)
        return
    except discord.HTTPException as exc:
        log.warning(
            "Discord refused an answer to /%s (HTTP %s %s)",
            getattr(interaction.command, "qualified_name", "?"),
            exc.status,
            exc.text,
        )
    said_by = interaction.guild_locale if interaction.extras.get(DEFERRED_PUBLIC) else None
    t = texts(Language.parse(str((said_by or interaction.locale).value)) or Language.EN)
    try:
        await _send(interaction, ephemeral=True, content=t.gettext(REFUSED))
    except discord.HTTPException:
        log.warning("could not answer an interaction at all", exc_info=True)


async def _send(interaction: discord.Interaction, *, ephemeral: bool, **message: Any) -> None:
    if interaction.response.is_done():
        await interaction.followup.send(ephemeral=ephemeral, **message)
    else:
        await interaction.response.send_message(ephemeral=ephemeral, **message)


RECEIVED = "chartbot.received"  # interaction.extras: when the bot received it (monotonic)
DEFERRED_PUBLIC = "chartbot.deferred_public"  # interaction.extras: deferred, visible to all


def received_at(interaction: discord.Interaction) -> float:
    """When the bot received the interaction (stamped by the command tree, before any check
    runs): Discord's 3 seconds count from then, whatever the command did since."""
    stamp: float = interaction.extras.setdefault(RECEIVED, time.monotonic())
    return stamp


class Answer:
    """Work done for one interaction, answered in time whatever the work takes:

    answer = Answer(interaction, ephemeral=True)
    result = await answer.wait(self.bot.db.call(...))
    await answer.send(content=...)

    The interaction is deferred DEFER_AFTER seconds after it was received, however many
    pieces of work are waited on one after the other.
    """

    def __init__(self, interaction: discord.Interaction, *, ephemeral: bool) -> None:
        self.interaction = interaction
        self.ephemeral = ephemeral
        self.deadline = received_at(interaction) + DEFER_AFTER

    async def wait(self, work: Awaitable[T]) -> T:
        """The work's result; the interaction is deferred if it is not ready in time."""
        task = asyncio.ensure_future(work)
        if not self.interaction.response.is_done():
            left = max(0.0, self.deadline - time.monotonic())
            done, _ = await asyncio.wait({task}, timeout=left)
            if not done:
                await self.defer()
        return await task

    async def defer(self) -> None:
        if not self.interaction.response.is_done():
            try:
                await self.interaction.response.defer(ephemeral=self.ephemeral, thinking=True)
            except discord.HTTPException:
                log.warning("could not defer an interaction", exc_info=True)
                return
            # Discord shows the first follow-up of a deferred answer as the deferral was:
            # what follows a public "thinking…" is public, whatever it asks.
            self.interaction.extras[DEFERRED_PUBLIC] = not self.ephemeral

    async def send(self, **message: Any) -> None:
        await send(self.interaction, ephemeral=self.ephemeral, **message)


MAX_ID_DIGITS = 19  # a Discord snowflake or a row id: under 2**63, as SQLite keeps integers


def parse_id(text: str) -> int | None:
    """An id a member sent as text (an autocomplete value, a subscription number): ASCII
    digits only ("²".isdigit() is true, int("²") fails), and small enough for SQLite."""
    if not (0 < len(text) <= MAX_ID_DIGITS and text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if number < 2**63 else None


def _in_server(interaction: discord.Interaction) -> bool:
    if interaction.guild_id is None:
        raise discord.app_commands.NoPrivateMessage()
    return True


class ChartTree(discord.app_commands.CommandTree):
    """The command tree: stamps each interaction with when it was received."""

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        received_at(interaction)
        return True


# Server-only, checked when used: Discord hides such commands from DMs (guild_only), but an
# old client or a stale registration can still send one.
server_only = discord.app_commands.check(_in_server)
