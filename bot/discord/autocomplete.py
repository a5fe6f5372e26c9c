"""Autocomplete for the commands' options: titles, countries, charts (at most 25 each).

Title choices carry the title's id as their value ("id:123"), so a picked
choice needs no second fuzzy lookup; a value typed by hand still works, it is
matched like `chartbot rank` matches.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot import countries
from bot.alerts.render import escape
from bot.discord.answers import parse_id, reply
from bot.engine.titles import Candidate, Match
from bot.service import lookup

if TYPE_CHECKING:
    from bot.discord.client import ChartBot

MAX_CHOICES = 25
MAX_NAME = 100
ID_PREFIX = "id:"


def title_choice(candidate: Candidate) -> app_commands.Choice[str]:
    return app_commands.Choice(name=candidate.label[:MAX_NAME], value=f"{ID_PREFIX}{candidate.id}")


async def titles(
    interaction: discord.Interaction[ChartBot], current: str
) -> list[app_commands.Choice[str]]:
    bot = interaction.client
    return [title_choice(c) for c in bot.titles.search(current, MAX_CHOICES)]


async def countries_choices(
    interaction: discord.Interaction[ChartBot], current: str
) -> list[app_commands.Choice[str]]:
    return [
        app_commands.Choice(name=countries.label(code)[:MAX_NAME], value=code)
        for code in countries.search(current, MAX_CHOICES)
    ]


async def charts(
    interaction: discord.Interaction[ChartBot], current: str
) -> list[app_commands.Choice[str]]:
    known = await interaction.client.reads.call(lookup.chart_listing)
    wanted = current.casefold()
    return [
        app_commands.Choice(name=c.heading[:MAX_NAME], value=str(c.id))
        for c in known
        if wanted in f"{c.heading} {c.source}".casefold()
    ][:MAX_CHOICES]


async def find_title(bot: ChartBot, value: str) -> Match:
    """A picked choice ("id:123") or text typed by hand -> the title, or suggestions.

    Text typed by hand is matched in a worker thread (a fuzzy look over every title, which
    lets go of the GIL), cut to MAX_NAME characters: no title offered is longer."""
    picked = parse_id(value.removeprefix(ID_PREFIX)) if value.startswith(ID_PREFIX) else None
    if picked is not None:
        found = bot.titles.get(picked)
        if found is not None:
            return Match(found)
    typed = bot.aliases.canonical(value[:MAX_NAME])
    return await asyncio.to_thread(bot.titles.match, typed)


async def title_and_country(
    interaction: discord.Interaction,
    value: str,
    country: str | None,
    *,
    unknown_ok: bool = False,
    hint: str = "",
) -> tuple[Candidate | None, str | None] | None:
    """The title and (optional) country a member asked for; None once the member has been
    told privately what was not understood. `unknown_ok`: a title no chart has is no
    error (the title comes back None); else the member is told, with `hint` after."""
    match = await find_title(interaction.client, value)  # type: ignore[arg-type]
    if match.title is None and not unknown_ok:
        await reply(interaction, did_you_mean(value, match) + hint)
        return None
    code = countries.lookup(country) if country else None
    if country and code is None:
        await reply(interaction, f"I don't know a country called “{country[:60]}”.")
        return None
    return match.title, code


def did_you_mean(value: str, match: Match) -> str:
    shown = value if not value.startswith(ID_PREFIX) else "that title"
    if not match.suggestions:
        return f"I don't know a title called **{escape(shown)}** yet."
    names = ", ".join(f"**{escape(c.label)}**" for c in match.suggestions[:5])
    return f"I don't know **{escape(shown)}**. Did you mean {names}?"
