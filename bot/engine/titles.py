"""Title identity and forgiving title matching.

A title's identity is its normalised name (case, accents, punctuation and
spacing folded away) plus, for songs, its normalised artist: "Café con aroma
de mujer" and "Cafe Con Aroma De Mujer" are one title, two songs called
"Stay" by different artists are two.
"""

from __future__ import annotations

import bisect
import heapq
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy
from rapidfuzz import fuzz, process

_SEPARATOR = "\x1f"
_ARTICLES = re.compile(r"^(the|a|an) ")
FUZZY_POOL = 3000  # titles a typo is fuzzily compared with, at most
# A season, in the normalised text: "... season 2", "... limited series".
_SEASON = re.compile(
    r" (?:(?:season|series|temporada|saison|staffel|seizoen) \d+|limited series|miniseries)$"
)
# What a song's name carries beside its name: "(feat. Latto)", "[Remix]", " - Live", "feat. X".
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]|\s+-\s+.*$|\s+(?:feat|ft)\.?\s.*$", re.IGNORECASE)
CLOSE_TO_BEST = 20  # how far below a clear winner's score another name is still "also close"


@lru_cache(maxsize=1 << 16)
def mended(text: str) -> str:
    """Text that went through a wrong decoding and back, as it was first written:
    'Greyâ\x80\x99s Anatomy' -> 'Grey’s Anatomy', 'PokÃ©mon' -> 'Pokémon' (the Netflix US
    daily file has 22 such titles). ftfy's fix_encoding repairs only such mojibake, and
    leaves text that merely has accents alone ('Café', 'Ñandú', 'Straße')."""
    if text.isascii():
        return text
    import ftfy  # imported here: 48 ms, and most charts' titles never need it

    return str(ftfy.fix_encoding(text))


@lru_cache(maxsize=1 << 16)
def normalise(text: str) -> str:
    """'  Café con  Aroma, de Mujer! ' -> 'cafe con aroma de mujer'."""
    text = unicodedata.normalize("NFKD", text.replace("&", " and "))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = "".join(c if c.isalnum() else " " for c in text.casefold())
    return " ".join(text.split())


@lru_cache(maxsize=1 << 16)
def title_key(title: str, artist: str | None = None) -> str:
    """The identity of a title: its normalised name, plus the artist for songs.

    A show's season is not part of its identity: "All of Us Are Dead: Season 1"
    is "All of Us Are Dead", so charts that name seasons and charts that do not agree.
    """
    key = normalise(title)
    if artist:
        return key + _SEPARATOR + normalise(artist)
    return _SEASON.sub("", key) or key


class TitleAliases:
    """Spellings that are one title, from the config: each maps to its group's first name."""

    def __init__(self, groups: Sequence[Sequence[str]] = ()) -> None:
        # Mended as table sources read titles: a name written as a file garbled it matches.
        self.groups = [[mended(name) for name in group] for group in groups if len(group) > 1]
        self._canonical = {title_key(name): group[0] for group in self.groups for name in group[1:]}

    def __bool__(self) -> bool:
        return bool(self._canonical)

    def canonical(self, title: str) -> str:
        """The name a title is stored under: its group's first name, or itself."""
        return self._canonical.get(title_key(title), title) if self._canonical else title


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
class TitleName:
    """A title as a member typed it, to follow before any chart has it: it is stored only
    inside an accepted subscription, and the chart's own spelling replaces it when the
    title first charts."""

    name: str
    artist: str | None = None

    MAX_LENGTH = 100

    @classmethod
    def typed(cls, text: str) -> TitleName | None:
        """'Title' or 'Title — Artist' as typed; None when it names nothing followable."""
        name, _, artist = (part.strip() for part in text.partition(" — "))
        if not title_key(name) or len(text) > cls.MAX_LENGTH:
            return None
        return cls(name, artist or None)

    @property
    def key(self) -> str:
        return title_key(self.name, self.artist)

    @property
    def label(self) -> str:
        return display(self.name, self.artist)


@dataclass(frozen=True, slots=True)
class Match:
    """The outcome of looking a title up: the match, or suggestions when there is none."""

    title: Candidate | None
    suggestions: tuple[Candidate, ...] = ()


def _comparable(text: str) -> str:
    folded = normalise(text)
    return _ARTICLES.sub("", _SEASON.sub("", folded) or folded)


class TitleIndex:
    """The known titles, ready for lookups: exact, by prefix (autocomplete), fuzzy.

    Built once from the store's titles and rebuilt when titles are added, so
    each keystroke of an autocomplete costs a dictionary or bisect lookup,
    and only a query with few prefix hits falls back to fuzzy scoring.
    """

    def __init__(self, candidates: Sequence[Candidate] = ()) -> None:
        self.candidates: list[Candidate] = []
        self.keys: list[str] = []
        self._by_id: dict[int, Candidate] = {}
        self._exact: dict[str, list[int]] = {}
        # By the name without its parts in brackets or after "feat." / " - ": "Seven (feat.
        # Latto) (Explicit Ver.)" is found by "seven".
        self._bare: dict[str, list[int]] = {}
        self._words: list[str] = []
        self._word_owner: list[int] = []
        self._add(candidates)

    def with_added(self, candidates: Sequence[Candidate]) -> TitleIndex:
        """A new index with these titles added (this one is left as it is, still usable):
        one merge of the sorted word lists, not a rebuild."""
        grown = TitleIndex()
        grown.candidates = list(self.candidates)
        grown.keys = list(self.keys)
        grown._by_id = dict(self._by_id)
        grown._exact = {key: list(owners) for key, owners in self._exact.items()}
        grown._bare = {key: list(owners) for key, owners in self._bare.items()}
        grown._words, grown._word_owner = self._words, self._word_owner
        grown._add(candidates)
        return grown

    def _add(self, candidates: Sequence[Candidate]) -> None:
        first = len(self.candidates)
        fresh = [c for c in candidates if c.id not in self._by_id]
        self.candidates += fresh
        self.keys += [_comparable(c.label) for c in fresh]
        for index in range(first, len(self.candidates)):
            candidate = self.candidates[index]
            self._by_id[candidate.id] = candidate
            for key in {_comparable(candidate.name), self.keys[index]}:
                self._exact.setdefault(key, []).append(index)
            bare = _comparable(_BRACKETS.sub(" ", candidate.name))
            if bare and bare != _comparable(candidate.name):
                self._bare.setdefault(bare, []).append(index)
        words = sorted(
            (word_key, index)
            for index in range(first, len(self.candidates))
            for word_key in _suffixes(self.keys[index])
        )
        if self._words:
            words = list(heapq.merge(zip(self._words, self._word_owner, strict=True), words))
        self._words = [w for w, _ in words]
        self._word_owner = [i for _, i in words]

    def __len__(self) -> int:
        return len(self.candidates)

    def get(self, title_id: int) -> Candidate | None:
        return self._by_id.get(title_id)

    def search(self, query: str, limit: int = 25) -> list[Candidate]:
        """What to offer while someone types: titles starting with it, then containing a
        word starting with it, then (for a typo) fuzzy matches among titles with a word
        starting like it. At most `limit`, in a few milliseconds even for 100,000 titles."""
        wanted = _comparable(query)
        if not wanted:
            return self.candidates[-limit:][::-1]  # the newest titles
        found = self._owners(wanted, limit * 4)
        # whole-title prefixes first, then shorter titles
        found.sort(key=lambda i: (not self.keys[i].startswith(wanted), len(self.keys[i]), i))
        result = [self.candidates[i] for i in found[:limit]]
        if len(result) < min(limit, 5) and len(wanted) >= 3:
            pool = self._owners(wanted[:2], FUZZY_POOL)
            shown = {c.id for c in result}
            for candidate, _ in self._rescored(wanted, pool, limit):
                if candidate.id not in shown:
                    result.append(candidate)
        return result[:limit]

    def _owners(self, prefix: str, most: int) -> list[int]:
        """Titles with a word starting with `prefix` (each once), up to `most` of them."""
        owners: dict[int, None] = {}
        start = bisect.bisect_left(self._words, prefix)
        for position in range(start, len(self._words)):
            if len(owners) >= most or not self._words[position].startswith(prefix):
                break
            owners[self._word_owner[position]] = None
        return list(owners)

    def ranked(
        self, query: str, *, limit: int = 25, cutoff: float = 55
    ) -> list[tuple[Candidate, float]]:
        """Candidates ordered by fuzzy similarity to the query."""
        wanted = _comparable(query)
        if not wanted:
            return [(c, 0.0) for c in self.candidates[:limit]]
        return self._rescored(wanted, None, limit, cutoff)

    def _rescored(
        self, wanted: str, pool: list[int] | None, limit: int, cutoff: float = 55
    ) -> list[tuple[Candidate, float]]:
        """A fast C++ first pass over the pool (or every title), then our own score on the
        few best, which knows about prefixes and short titles. A pool is what someone is
        typing (QRatio, the cheapest), every title is a lookup by hand (WRatio).

        The first pass is rapidfuzz's `cdist`, which lets go of the GIL while it scores
        (its `extract` holds it: 150-500 ms over 100,000 titles), so a lookup run in a
        worker thread never stalls the bot's event loop."""
        indexes: Sequence[int] = range(len(self.keys)) if pool is None else pool
        choices = self.keys if pool is None else [self.keys[i] for i in pool]
        if not choices:
            return []
        scores = process.cdist(
            [wanted],
            choices,
            scorer=fuzz.QRatio if pool is not None else fuzz.WRatio,
            processor=None,
            score_cutoff=cutoff - 15,
            dtype=numpy.uint8,
            workers=1,
        )[0]
        best = max(limit * 4, 50)
        first = (
            numpy.argpartition(scores, -best)[-best:] if len(scores) > best else range(len(scores))
        )
        scored = [
            (self.candidates[indexes[i]], _score(wanted, self.keys[indexes[i]]))
            for i in sorted(int(i) for i in first if scores[i])
        ]
        scored.sort(key=lambda pair: -pair[1])
        return [(c, score) for c, score in scored if score >= cutoff][:limit]

    def match(self, query: str, *, limit: int = 5) -> Match:
        """Find the title a person meant.

        An exact normalised match wins (with or without a leading article, with or
        without the artist); then a clear fuzzy winner; otherwise the closest names
        come back as "did you mean" suggestions.
        """
        wanted = _comparable(query)
        if not wanted:
            return Match(None, tuple(self.candidates[:limit]))
        exact = self._exact.get(wanted)
        if exact:
            hits = [self.candidates[i] for i in exact]
            return Match(hits[0], tuple(hits[1:limit]))
        bare = self._bare.get(wanted)
        if bare:  # the plainest version first: "Seven (feat. Latto)", then its explicit one
            hits = sorted((self.candidates[i] for i in bare), key=lambda c: len(c.name))
            return Match(hits[0], tuple(hits[1:limit]))
        ranked = self.ranked(query, limit=limit)
        if not ranked:
            return Match(None, ())
        (best, best_score), rest = ranked[0], ranked[1:]
        runner_up = rest[0][1] if rest else 0.0
        if best_score >= 90 and best_score - runner_up >= 3:
            # Beside a clear winner only names nearly as close are worth a mention.
            close = tuple(c for c, score in rest if score >= best_score - CLOSE_TO_BEST)
            return Match(best, close)
        return Match(None, tuple(c for c, _ in ranked))


def _suffixes(key: str) -> list[str]:
    """'all of us are dead' -> each tail starting at a word: 'all of us…', 'of us…', 'us…'."""
    starts = [0] + [i + 1 for i, c in enumerate(key) if c == " "]
    return [key[i:] for i in starts]


def match_title(query: str, candidates: Sequence[Candidate], *, limit: int = 5) -> Match:
    """Find the title a person meant among `candidates` (see TitleIndex.match)."""
    return TitleIndex(candidates).match(query, limit=limit)


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
