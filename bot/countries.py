"""Country codes, the names people know them by, and flag emoji.

pycountry carries ISO 3166-1; its official short names ("Korea, Republic of")
are not what a chart reader expects, so common names win and a few names the
charts themselves use are set here.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Callable
from functools import cache

import pycountry
from babel import Locale

from bot.languages import Language

# Names chart sites use where ISO's short name reads oddly.
_NAMES = {
    "RU": "Russia",
    "TR": "Turkey",
    "CZ": "Czech Republic",
    "MD": "Moldova",
    "IR": "Iran",
    "SY": "Syria",
    "LA": "Laos",
    "KP": "North Korea",
    "PS": "Palestine",
    "XK": "Kosovo",
    "VA": "Vatican City",
    "FM": "Micronesia",
    "TZ": "Tanzania",
    "CD": "DR Congo",
    "BN": "Brunei",
}

# The country of a worldwide chart's rows, whatever the source called it.
WORLDWIDE = "GLOBAL"
# Pseudo-countries some charts use for their worldwide list.
GLOBAL_CODES = {WORLDWIDE, "WW", "XW"}


def name(code: str) -> str:
    """'KR' -> 'South Korea'; an unknown code is returned as it is."""
    code = code.upper()
    if code in GLOBAL_CODES:
        return "Worldwide"
    if code in _NAMES:
        return _NAMES[code]
    entry = pycountry.countries.get(alpha_2=code)
    if entry is None:
        return code
    return getattr(entry, "common_name", None) or entry.name


def flag(code: str) -> str:
    """'KR' -> the flag emoji built from regional indicator letters; '' when not a country."""
    code = code.upper()
    if code in GLOBAL_CODES:
        return "\N{GLOBE WITH MERIDIANS}"
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        return ""
    return "".join(chr(0x1F1E6 + ord(letter) - ord("A")) for letter in code)


def label(code: str) -> str:
    """'KR' -> '🇰🇷 South Korea'."""
    mark = flag(code)
    return f"{mark} {name(code)}" if mark else name(code)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalnum() else " " for c in text.casefold()).split())


@cache
def _index() -> dict[str, str]:
    """Every spelling we accept (codes, names, common and official names) -> alpha-2."""
    index: dict[str, str] = {}
    for entry in pycountry.countries:
        code = entry.alpha_2
        for spelling in (
            entry.alpha_2,
            entry.alpha_3,
            entry.name,
            getattr(entry, "common_name", None),
            getattr(entry, "official_name", None),
            _NAMES.get(code),
        ):
            if spelling:
                index.setdefault(_fold(spelling), code)
    for code, spelling in _NAMES.items():
        index[_fold(spelling)] = code
    known = set(index.values())
    for language in Language:  # the names each language chartbot speaks has (CLDR's)
        for code, spelling in Locale.parse(language.babel).territories.items():
            if code in known:
                index.setdefault(_fold(spelling), code)
    index.update({"uk": "GB", "usa": "US", "america": "US", "korea": "KR", "xk": "XK"})
    for code in GLOBAL_CODES:
        index[_fold(code)] = WORLDWIDE
    index["worldwide"] = index["world"] = WORLDWIDE
    return index


def lookup(text: str) -> str | None:
    """A code or a name as people type it -> an ISO alpha-2 code, or None."""
    folded = _fold(text)
    if not folded:
        return None
    return _index().get(folded)


def search(text: str, limit: int = 25, named: Callable[[str], str] = name) -> list[str]:
    """Codes whose code or name (`named`: in the member's language; English's too) starts
    with, then contains, what was typed, for autocomplete."""
    folded = _fold(text)
    codes = sorted({code for code in _index().values() if code != WORLDWIDE}, key=named)
    if not folded:
        return codes[:limit]

    def names(code: str) -> list[str]:
        return [_fold(named(code)), _fold(name(code))]

    starts = [
        c for c in codes if c.casefold() == folded or any(n.startswith(folded) for n in names(c))
    ]
    contains = [c for c in codes if c not in starts and any(folded in n for n in names(c))]
    return (starts + contains)[:limit]


def did_you_mean(text: str) -> str:
    """' (did you mean South Korea?)' for a country name typed almost right; "" otherwise."""
    names = {name(code) for code in _index().values() if code != WORLDWIDE}
    close = difflib.get_close_matches(text.strip().title(), sorted(names), n=2, cutoff=0.75)
    return f" (did you mean {' or '.join(close)}?)" if close else ""
