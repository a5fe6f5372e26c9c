"""The slash commands in every language: their names, descriptions, options and choices
come from the catalogs (bot/i18n), each under a context saying what it is, and Discord
shows each member the names of their own language (English is the fallback).

`command_strings()` lists what the catalogs need (read from the cogs' classes, so a new
command or option is in the next `python -m bot.i18n extract`); `CatalogTranslator` is
what discord.py asks when it registers the commands (bot/i18n/commands.py writes a
command into a message in the message's language).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import discord
from discord import app_commands
from discord.app_commands import TranslationContextLocation as Location
from discord.app_commands import TranslationContextTypes, locale_str
from discord.ext import commands

from bot.i18n import Language, texts
from bot.i18n.commands import CommandText

COGS = (
    "bot.discord.cogs.charts",
    "bot.discord.cogs.subscriptions",
    "bot.discord.cogs.alerts",
    "bot.discord.cogs.status",
)


_LOCATIONS = {
    Location.command_name: CommandText.NAME,
    Location.group_name: CommandText.NAME,
    Location.command_description: CommandText.DESCRIPTION,
    Location.group_description: CommandText.DESCRIPTION,
    Location.parameter_name: CommandText.OPTION,
    Location.parameter_description: CommandText.OPTION_DESCRIPTION,
    Location.choice_name: CommandText.CHOICE,
}


class CatalogTranslator(app_commands.Translator):
    """discord.py asks this for each string of each command, in each Discord locale, when
    it makes the commands' payload; None leaves Discord showing the English."""

    async def translate(
        self, string: locale_str, locale: discord.Locale, context: TranslationContextTypes
    ) -> str | None:
        language = Language.parse(str(locale.value))
        kind = _LOCATIONS.get(context.location)
        if language is None or language is Language.EN or kind is None:
            return None
        said = texts(language).pgettext(kind.value, string.message)
        return said if said != string.message else None


def command_strings() -> Iterator[tuple[CommandText, str]]:
    """Every name, description, option and choice of the commands, for the catalogs."""
    for module_name in COGS:
        module = importlib.import_module(module_name)
        for cog in vars(module).values():
            if not (isinstance(cog, type) and issubclass(cog, commands.Cog)):
                continue
            if cog.__module__ != module.__name__:
                continue
            if issubclass(cog, commands.GroupCog):
                yield CommandText.NAME, str(cog.__cog_group_name__)
                yield CommandText.DESCRIPTION, str(cog.__cog_group_description__)
            for found in cog.__cog_app_commands__:
                yield from _strings(found)


def _strings(
    found: app_commands.Command[Any, Any, Any] | app_commands.Group,
) -> Iterator[tuple[CommandText, str]]:
    yield CommandText.NAME, found.name
    yield CommandText.DESCRIPTION, found.description
    if isinstance(found, app_commands.Group):
        for child in found.commands:
            yield from _strings(child)
        return
    for parameter in found.parameters:
        yield CommandText.OPTION, parameter.name
        if parameter.description and parameter.description != "…":
            yield CommandText.OPTION_DESCRIPTION, parameter.description
        for choice in parameter.choices:
            if choice.value not in {language.value for language in Language}:
                yield CommandText.CHOICE, choice.name
