"""How a message names a slash command: with the names Discord shows a member of the
message's language (the catalogs hold them under the contexts below; bot/discord/commands.py
hands them to Discord)."""

from __future__ import annotations

from enum import StrEnum

from bot.i18n import Texts


class CommandText(StrEnum):
    """What a command's string is, as its catalog context."""

    NAME = "command name"
    DESCRIPTION = "command description"
    OPTION = "option name"
    OPTION_DESCRIPTION = "option description"
    CHOICE = "choice name"


def command_text(t: Texts, path: str, **options: str) -> str:
    """'`/alerts settings pictures: False`' with the names of t's language, as a member of
    that language sees them in Discord."""
    words = [t.pgettext(CommandText.NAME.value, word) for word in path.split()]
    option = CommandText.OPTION.value
    said = [f"{t.pgettext(option, name)}: {value}" for name, value in options.items()]
    return "`/" + " ".join([" ".join(words), *said]) + "`"
