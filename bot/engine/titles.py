"""Title identity and forgiving title matching.

A title's identity is its normalised name (case, accents, punctuation and
spacing folded away) plus, for songs, its normalised artist: "Café con aroma
de mujer" and "Cafe Con Aroma De Mujer" are one title, two songs called
"Stay" by different artists are two.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

_SEPARATOR = "\x1f"
_ARTICLES = re.compile(r"^(the|a|an) ")


def normalise(text: str) -> str:
    """'  Café con  Aroma, de Mujer! ' -> 'cafe con aroma de mujer'."""
    text = unicodedata.normalize("NFKD", text.replace("&", " and "))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = "".join(c if c.isalnum() else " " for c in text.casefold())
    return " ".join(text.split())


def title_key(title: str, artist: str | None = None) -> str:
    """The identity of a title: its normalised name, plus the artist for songs."""
    key = normalise(title)
    if artist:
        key += _SEPARATOR + normalise(artist)
    return key


def display(title: str, artist: str | None = None) -> str:
    """How a title reads in text: 'greedy — Tate McRae' for songs, the name otherwise."""
    return f"{title} — {artist}" if artist else title


@dataclass(frozen=True, slots=True)
class Candidate:
    """A title the store knows, as offered to the matcher."""

    id: int
    name: str
    artist: str | None = None

    @property
    def label(self) -> str:
        return display(self.name, self.artist)


@dataclass(frozen=True, slots=True)
class Match:
    """The outcome of looking a title up: the match, or suggestions when there is none."""

    title: Candidate | None
    suggestions: tuple[Candidate, ...] = ()


def _comparable(text: str) -> str:
    return _ARTICLES.sub("", normalise(text))


def match_title(query: str, candidates: Sequence[Candidate], *, limit: int = 5) -> Match:
    """Find the title a person meant.

    An exact normalised match wins (with or without a leading article, with or
    without the artist); then a clear fuzzy winner; otherwise the closest names
    come back as "did you mean" suggestions.
    """
    wanted = _comparable(query)
    if not wanted:
        return Match(None, tuple(candidates[:limit]))
    exact = [c for c in candidates if wanted in (_comparable(c.name), _comparable(c.label))]
    if exact:
        return Match(exact[0], tuple(exact[1:limit]))
    ranked = rank_candidates(query, candidates, limit=limit)
    if not ranked:
        return Match(None, ())
    (best, best_score), rest = ranked[0], ranked[1:]
    runner_up = rest[0][1] if rest else 0.0
    if best_score >= 90 and best_score - runner_up >= 3:
        return Match(best, tuple(c for c, _ in rest))
    return Match(None, tuple(c for c, _ in ranked))


def rank_candidates(
    query: str, candidates: Sequence[Candidate], *, limit: int = 25, cutoff: float = 55
) -> list[tuple[Candidate, float]]:
    """Candidates ordered by how well they match what was typed so far."""
    wanted = _comparable(query)
    if not wanted:
        return [(c, 0.0) for c in candidates[:limit]]
    choices = [_comparable(c.label) for c in candidates]
    found = process.extract(
        wanted,
        choices,
        scorer=_score,
        processor=None,
        limit=limit,
        score_cutoff=cutoff,
    )
    return [(candidates[index], score) for _, score, index in found]


def _score(query: str, choice: str, **kwargs: object) -> float:
    # Prefix typing ("all of us") should beat a fuzzy hit on a long title.
    if choice.startswith(query):
        return 100.0 - min(len(choice) - len(query), 10) * 0.1
    whole = max(
        fuzz.ratio(query, choice, processor=None),
        fuzz.token_sort_ratio(query, choice, processor=None),
    )
    if len(choice) < len(query):
        # A short title is not a good answer to a long query just because it is inside it.
        return whole
    return max(
        whole,
        fuzz.WRatio(query, choice, processor=None),
        fuzz.partial_ratio(query, choice, processor=None) * 0.95,
    )
