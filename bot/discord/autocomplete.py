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
from bot.discord.language import member_texts
from bot.engine.titles import Candidate, Match
from bot.i18n import Texts
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
    """Countries by the member's own names for them ('Estados Unidos', '미국') or English's."""
    t = member_texts(interaction, interaction.client.server_defaults.language)
    return [
        app_commands.Choice(name=t.country_label(code)[:MAX_NAME], value=code)
        for code in countries.search(current, MAX_CHOICES, t.country)
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
    bot: ChartBot = interaction.client  # type: ignore[assignment]
    t = member_texts(interaction, bot.server_defaults.language)  # told privately
    match = await find_title(bot, value)
    if match.title is None and not unknown_ok:
        await reply(interaction, did_you_mean(value, match, t) + hint)
        return None
    code = countries.lookup(country) if country else None
    if country and code is None:
        await reply(interaction, unknown_country(country, t))
        return None
    return match.title, code


def unknown_country(typed: str, t: Texts) -> str:
    return t.gettext("I don't know a country called “{country}”.", country=escape(typed[:60]))


def did_you_mean(value: str, match: Match, t: Texts) -> str:
    picked = value.startswith(ID_PREFIX)  # a choice whose title has gone since
    shown = t.gettext("that title") if picked else f"**{escape(value)}**"
    if not match.suggestions:
        return t.gettext("I don't know a title called {title} yet.", title=shown)
    names = t.join([f"**{escape(c.label)}**" for c in match.suggestions[:5]], alternatives=True)
    return t.gettext("I don't know {title}. Did you mean {titles}?", title=shown, titles=names)
