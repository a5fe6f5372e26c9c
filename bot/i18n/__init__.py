"""The languages chartbot speaks, and the words of each: gettext catalogs for the
sentences, CLDR (through Babel) for everything grammar and locale decide — country
names, plural and ordinal categories, numbers, dates, lists.

Every word a person reads goes through a `Texts`: `texts.gettext("…{title}…", title=x)`,
`texts.ngettext(one, many, count, …)` (the catalog holds each language's plural forms),
`texts.pgettext(context, …)` where one English text needs two translations. A message
that is written in one place and said in another is marked with `N_` where it is
written. `python -m bot.i18n extract` collects them all (the commands' names and
descriptions too) into `bot/i18n/chartbot.pot` and each language's `.po`;
`python -m bot.i18n compile` makes the `.mo` files read here. English is the messages
themselves: it has no catalog.
"""

from __future__ import annotations

import gettext
import string
import unicodedata
from datetime import date, datetime
from datetime import date as Day  # Texts.date is a method
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.lists import format_list
from babel.numbers import format_decimal, format_percent

from bot import countries
from bot.languages import Language

__all__ = ["ENGLISH", "NP_", "N_", "Language", "Texts", "placeholders", "texts"]

DOMAIN = "chartbot"
LOCALES = Path(__file__).parent / "locales"


def N_(message: str) -> str:
    """Marks a message for the catalog where it is written; it is translated where it is said."""
    return message


def NP_(context: str, message: str) -> tuple[str, str]:
    """`N_` for a message with a context (`pgettext`'s arguments, said later)."""
    return context, message


class Texts:
    """The words of one language: its catalog and its CLDR locale."""

    def __init__(self, language: Language, translations: gettext.NullTranslations) -> None:
        self.language = language
        self.locale = Locale.parse(language.babel)
        self._t = translations
        self._countries: dict[str, str] = {}
        # CLDR's formatting costs microseconds a call; a week of alerts says the same few
        # numbers and dates many times over.
        self._numbers: dict[int, str] = {}
        self._dates: dict[str, str] = {}

    # Sentences.
    def gettext(self, message: str, /, **values: Any) -> str:
        return _fill(self._t.gettext(message), values)

    def ngettext(self, singular: str, plural: str, count: int, /, **values: Any) -> str:
        """The form for `count` (as this language counts); {count} is the number, formatted."""
        chosen = self._t.ngettext(singular, plural, count)
        return _fill(chosen, {"count": self.number(count), **values})

    def pgettext(self, context: str, message: str, /, **values: Any) -> str:
        return _fill(self._t.pgettext(context, message), values)

    def ordinal_category(self, number: int) -> str:
        """CLDR's ordinal category of `number` here: 'one', 'two', 'few' or 'other' ('2nd')."""
        return str(self.locale.ordinal_form(number))

    # What CLDR knows.
    def number(self, number: int | float) -> str:
        """'12,345' in English, '12.345' in German, '12 345' in French."""
        if isinstance(number, int):
            said = self._numbers.get(number)
            if said is None:
                if len(self._numbers) > 10_000:
                    self._numbers.clear()
                said = self._numbers[number] = str(format_decimal(number, locale=self.locale))
            return said
        return str(format_decimal(number, locale=self.locale))

    def percent(self, chance: float) -> str:
        """'71%' in English, '71 %' in French and German: a chance, to the whole percent."""
        return str(format_percent(round(chance, 2), locale=self.locale))

    def signed(self, change: int) -> str:
        """'+2', '−3' as this language writes a change."""
        sign = "+" if change >= 0 else "-"
        return sign + self.number(abs(change))

    def date(self, day: date | datetime | str) -> str:
        """'January 31, 2022', '31 de enero de 2022', '2022년 1월 31일'; a period that is not
        a date ('2022-W05') as it is."""
        if isinstance(day, str):
            said = self._dates.get(day)
            if said is None:
                try:
                    parsed = date.fromisoformat(day)
                except ValueError:
                    return day
                if len(self._dates) > 10_000:
                    self._dates.clear()
                said = self._dates[day] = str(
                    format_date(parsed, format="long", locale=self.locale)
                )
            return said
        return str(format_date(day, format="long", locale=self.locale))

    def date_short(self, day: Day, skeleton: str = "MMMd") -> str:
        """A date as an axis labels it, in this language's order: 'Jan 31', '31 ene',
        '1월 31일' ('yMMM': 'Jan 2022'; 'yMMMd' with the year)."""
        return str(format_skeleton(skeleton, day, locale=self.locale))

    def country(self, code: str) -> str:
        """A country's name in this language ('Estados Unidos', '미국'); the chart's own code
        for a place CLDR does not name."""
        name = self._countries.get(code)
        if name is None:
            name = self._countries[code] = self._country(code.upper())
        return name

    def _country(self, code: str) -> str:
        if code in countries.GLOBAL_CODES:
            return self.gettext(WORLDWIDE)
        if self.language is Language.EN:
            return countries.name(code)  # the names chart sites use ("South Korea", "Russia")
        return str(self.locale.territories.get(code) or countries.name(code))

    def country_label(self, code: str) -> str:
        """'🇰🇷 대한민국'."""
        mark = countries.flag(code)
        return f"{mark} {self.country(code)}" if mark else self.country(code)

    @staticmethod
    def sort_key(name: str) -> str:
        """Names in the order a reader looks for them: 'Österreich' beside 'Oman', not after
        'Zypern' (Hangul and kana sort by their code points, which is their order)."""
        decomposed = unicodedata.normalize("NFKD", name.casefold())
        return "".join(c for c in decomposed if not unicodedata.combining(c))

    def separator(self) -> str:
        """What goes between the items of a list: ', ' in English, '、' in Japanese."""
        middle = str(self.locale.list_patterns["standard"]["middle"])
        return middle.replace("{0}", "").replace("{1}", "")

    def join(self, items: list[str], *, alternatives: bool = False) -> str:
        """'A, B and C' / 'A, B y C' / 'A, B 및 C' ('A, B or C' with `alternatives`)."""
        if not items:
            return ""
        if alternatives:
            return str(format_list(items, style="or", locale=self.locale))
        return str(format_list(items, locale=self.locale))


WORLDWIDE = N_("Worldwide")


def _fill(message: str, values: dict[str, Any]) -> str:
    return message.format(**values) if values else message


def placeholders(message: str) -> set[str]:
    """The {names} a message fills: a translation must fill the same ones."""
    return {name for _, name, _, _ in string.Formatter().parse(message) if name is not None}


@cache
def texts(language: Language) -> Texts:
    """The words of a language (read once per process)."""
    if language is Language.EN:
        return Texts(language, gettext.NullTranslations())
    found = gettext.translation(DOMAIN, LOCALES, languages=[language.babel], fallback=True)
    return Texts(language, found)


ENGLISH = Language.EN
