"""Which language an answer is said in: a public one in the server's, a private one
(ephemeral, or in DMs) in the member's own Discord language."""

from __future__ import annotations

import discord

from bot.discord.answers import DEFERRED_PUBLIC
from bot.i18n import Language, Texts, texts
from bot.service.settings import ServerSettings


def member_texts(interaction: discord.Interaction, default: Language) -> Texts:
    """A private answer: the member's Discord language when chartbot speaks it."""
    return texts(Language.parse(str(interaction.locale.value)) or default)


def public_texts(interaction: discord.Interaction, settings: ServerSettings) -> Texts:
    """A public answer: the server's language (never the member's: others read it)."""
    locale = interaction.guild_locale
    return texts(settings.public_language(str(locale.value) if locale else None))


def private_texts(interaction: discord.Interaction, settings: ServerSettings) -> Texts:
    """What only the member was to read: in their language, unless the answer was already
    deferred publicly (its first follow-up is then public: the server's language)."""
    if interaction.extras.get(DEFERRED_PUBLIC):
        return public_texts(interaction, settings)
    return member_texts(interaction, settings.language)


def answer_texts(
    interaction: discord.Interaction, settings: ServerSettings, *, ephemeral: bool
) -> Texts:
    if ephemeral or interaction.guild_id is None:
        return member_texts(interaction, settings.language)
    return public_texts(interaction, settings)
