"""What every picture shares: a card that reads on Discord's dark and light themes alike,
drawn with matplotlib's object API (no pyplot: safe in a worker thread), titles as plain
text ("$" never starts maths), every script drawn with a font that has it, and PNG bytes
out.

Fonts: matplotlib draws each character with the first family of `font.family` that has
it. The stack is DejaVu Sans (Latin, Greek, Cyrillic), then Noto for Hangul, kana and
kanji, Arabic, Hebrew, Devanagari and Thai, where installed (the Dockerfile installs
them: Debian's fonts-noto-cjk and fonts-noto-core). A character no installed font has
draws as a box; the log says once per script which one fell back. A picture takes only
the families its words need (`fonts_for`): each family in the list costs matplotlib time on
every character it lays out."""

from __future__ import annotations

import io
import logging
import threading
import unicodedata
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from matplotlib.figure import Figure

log = logging.getLogger(__name__)

# Families in the order they are tried for a character (those installed are used).
FONT_STACK = (
    "DejaVu Sans",
    "Noto Sans CJK JP",  # Hangul, kana and kanji
    "Noto Sans CJK KR",
    "Noto Sans Arabic",
    "Noto Sans Hebrew",
    "Noto Sans Devanagari",
    "Noto Sans Thai",
    "Noto Sans",
)

# Sized for how Discord shows an embed's picture (about 400-550 px wide): text a little
# large for the 800 px it is drawn at, so it still reads when shrunk.
# A dark card with its own background: on the dark theme it sits like an embed, on the
# light theme it reads as a picture, never as text lost on white.
CARD = "#1e1f22"
PANEL = "#2b2d31"
TEXT = "#f2f3f5"
MUTED = "#b5bac1"
GRID = "#3f4147"
NUMBER_ONE = "#f5c518"  # gold: #1, everywhere it is drawn
NEUTRAL = "#4e5058"
# One colour, marker and line style per market line: told apart even where lines meet.
LINE_COLOURS = ("#5865f2", "#57f287", "#eb459e", "#fee75c", "#ed4245", "#3ba55d")
MARKERS = ("o", "s", "^", "D", "v", "P")
DASHES = ("-", "--", "-.", ":", "-", "--")
WIDTH, HEIGHT, DPI = 8.0, 4.5, 100  # 800 x 450 px, as Discord shows an embed's picture

RC = {
    "text.parse_math": False,
    "font.size": 12,
    "text.color": TEXT,
    "axes.labelcolor": MUTED,
    "axes.edgecolor": GRID,
    "axes.facecolor": PANEL,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "figure.facecolor": CARD,
    "savefig.facecolor": CARD,
}


def warm_up() -> None:
    """Import matplotlib ahead of the first picture (the import alone takes most of a second)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: F401
    from matplotlib.figure import Figure  # noqa: F401


# matplotlib's settings (rcParams) are one dictionary for the whole process, and
# rc_context puts back on leaving what it found on entering: two pictures drawn at once in
# two threads would each put back the other's settings half-way through ("Ke$ha" read as
# maths). One picture at a time in a process; pictures drawn side by side take processes.
_DRAWING = threading.Lock()


@contextmanager
def card(height: float = HEIGHT, *, fonts: Iterable[str] = ()) -> Iterator[Figure]:
    """A figure in the card's style, with its own Agg canvas; drawn (and saved) inside the
    block, one at a time. `fonts`: the families its texts need (`fonts_for`)."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    settings = {**RC, "font.family": list(fonts) or list(installed_fonts()[:1])}
    # its stubs list every key as a literal
    with _DRAWING, matplotlib.rc_context(cast(Any, settings)), warnings.catch_warnings():
        # matplotlib warns of each missing glyph, each time: fonts_for says it once.
        warnings.filterwarnings(
            "ignore", message="Glyph .* missing from font", category=UserWarning
        )
        figure = Figure(figsize=(WIDTH, height), dpi=DPI)
        FigureCanvasAgg(figure)
        yield figure


# zlib's level 3 instead of its default 6: a tenth of a picture's time less (13-20 ms),
# the file about a fifth larger (27 KB instead of 22 KB for a rank history).
PNG_COMPRESSION = 3


def png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", pil_kwargs={"compress_level": PNG_COMPRESSION})
    return buffer.getvalue()


def shorten(text: str, limit: int = 70) -> str:
    """A title that fits the card's width."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


@cache
def installed_fonts() -> tuple[str, ...]:
    """The families of FONT_STACK this machine has (DejaVu Sans always: matplotlib's own)."""
    from matplotlib import font_manager

    present = {font.name for font in font_manager.fontManager.ttflist}
    return tuple(f for f in FONT_STACK if f in present) or ("DejaVu Sans",)


@cache
def _coverage() -> dict[str, frozenset[int]]:
    """The characters each installed family of the stack draws, in the stack's order."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    covered = {}
    for family in installed_fonts():
        path = font_manager.findfont(font_manager.FontProperties(family=family))
        covered[family] = frozenset(FT2Font(path).get_charmap())
    return covered


_told: set[str] = set()


def fonts_for(texts: Iterable[str]) -> list[str]:
    """The families a picture of these texts needs: the first of the stack, and for each
    character it lacks the first family that has it (a fallback costs matplotlib time on
    every character it lays out, so none is taken that is not needed). A character no
    family has is logged once per script: it draws as a box, the picture is drawn all the
    same."""
    coverage = _coverage()
    families = list(coverage)
    needed = families[:1]
    for text in texts:
        for char in text:
            code = ord(char)
            if code in coverage[needed[0]] or not char.isprintable() or char.isspace():
                continue
            having = next((f for f in families if code in coverage[f]), None)
            if having is None:
                _missing(char)
            elif having not in needed:
                needed.append(having)
    return sorted(needed, key=families.index)


def _missing(char: str) -> None:
    # The first word of a character's name is its script ("HANGUL SYLLABLE SOL"); a
    # character without a name here is said by its code point.
    script = unicodedata.name(char, "").split(" ")[0] or f"U+{ord(char):04X}"
    if script not in _told:
        _told.add(script)
        log.warning(
            "pictures: no installed font draws %s characters (%r): they show as boxes; "
            "install the Noto fonts (Debian: fonts-noto-core, fonts-noto-cjk)",
            script,
            char,
        )
