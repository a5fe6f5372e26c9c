"""A pseudo-language: every message from the catalog comes out in full-width letters
("ｉｓ ｎｏｗ #1 ｉｎ {count} ｃｏｕｎｔｒｉｅｓ"), placeholders kept. Any English word left in a
rendered text did not go through the catalog."""

from __future__ import annotations

import gettext
import re

from bot.i18n import Language, Texts

_PLACEHOLDER = re.compile(r"(\{[^{}]*\})")
_WIDE = {c: chr(ord(c) + 0xFEE0) for c in map(chr, range(0x21, 0x7F)) if c.isalpha()}


def pseudo(text: str) -> str:
    """Letters outside {placeholders} as their full-width forms."""
    parts = _PLACEHOLDER.split(text)
    return "".join(
        part if _PLACEHOLDER.fullmatch(part) else "".join(_WIDE.get(c, c) for c in part)
        for part in parts
    )


class PseudoTranslations(gettext.NullTranslations):
    def gettext(self, message: str) -> str:
        return pseudo(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return pseudo(singular if n == 1 else plural)

    def pgettext(self, context: str, message: str) -> str:
        return pseudo(message)

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        return pseudo(singular if n == 1 else plural)


class PseudoTexts(Texts):
    """Japanese CLDR formats (dates and numbers with no Latin letters), pseudo messages, and
    country names in full-width letters."""

    def __init__(self) -> None:
        super().__init__(Language.JA, PseudoTranslations())

    def _country(self, code: str) -> str:
        return pseudo(super()._country(code))


ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")


def english_words(text: str, *data: str) -> list[str]:
    """The English words left in a rendered text, once the data it shows (titles, sources,
    charts, file names) and Discord's own markup (<t:…:f>, <#…>) are taken out."""
    for shown in sorted(data, key=len, reverse=True):
        text = text.replace(shown, " ")
    text = re.sub(r"<(t:\d+:[a-zA-Z]|#\d+|@\d+)>", " ", text)
    return [w for w in ENGLISH_WORD.findall(text) if w not in ("HTTP", "True", "False")]
