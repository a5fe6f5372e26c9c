"""The languages chartbot speaks (a plain type: the engine and the store name them too)."""

from __future__ import annotations

from enum import StrEnum


class Language(StrEnum):
    """A language chartbot speaks, by the tag Discord uses for it (English is the fallback)."""

    EN = "en"
    ES = "es-ES"  # Spanish as in Spain
    ES_419 = "es-419"  # Spanish as in Latin America
    PT_BR = "pt-BR"
    FR = "fr"
    DE = "de"
    KO = "ko"
    JA = "ja"

    @property
    def babel(self) -> str:
        """Its name for Babel and gettext: 'pt_BR'."""
        return self.value.replace("-", "_")

    @property
    def native_name(self) -> str:
        """'Deutsch', '한국어', 'español (Latinoamérica)': how a speaker finds it in a list."""
        from babel import Locale  # only where the name is shown

        return str(Locale.parse(self.babel).display_name)

    @classmethod
    def parse(cls, text: str) -> Language | None:
        """A tag as Discord, a config or `LANG` spells it ('pt-BR', 'pt_br', 'ko_KR.UTF-8',
        'en-GB', 'es', 'es-MX') -> the language we speak for it, or None."""
        tag = text.split(".")[0].split("@")[0].replace("_", "-").strip().casefold()
        if not tag or tag in ("c", "posix"):
            return None
        for language in cls:
            if tag == language.value.casefold():
                return language
        base, _, region = tag.partition("-")
        if base == "es":  # Spain's Spanish for Spain, Latin America's for the rest
            return cls.ES if region in ("", "es") else cls.ES_419
        if base == "pt":
            return cls.PT_BR  # the Portuguese we have
        for language in cls:
            if language.value.casefold() == base:
                return language
        return None
