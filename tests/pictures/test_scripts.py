"""Pictures draw every script they have a font for, and say once which one fell back."""

from __future__ import annotations

import logging

import pytest

from bot.i18n import Language, texts
from bot.pictures import style, worldmap
from bot.pictures.rank_history import rank_history_png
from tests.pictures.test_pictures import standing

KO = texts(Language.KO)
TANGUT = "\U00017000\U00017001"  # a script no font of the stack has


def draw_map(title: str) -> bytes:
    ranks = {"KR": 1, "JP": 2, "US": 5}
    return worldmap.world_map_png(
        title=title, chart="Netflix · TV", period="2022-01-16", ranks=ranks, depth=10, t=KO
    )


def test_a_script_with_no_font_still_draws_and_is_named_once_in_the_log(caplog):
    style._told.discard("U+17000")
    with caplog.at_level(logging.WARNING, logger="bot.pictures.style"):
        first = draw_map(TANGUT)
        second = rank_history_png(standing({"2022-01-16": {"KR": 1}}), TANGUT, ["KR"], KO)
    assert first.startswith(b"\x89PNG") and second is not None and second.startswith(b"\x89PNG")
    said = [r.getMessage() for r in caplog.records if "U+17000" in r.getMessage()]
    assert len(said) == 1 and "fonts-noto" in said[0]


@pytest.mark.skipif(
    "Noto Sans CJK JP" not in style.installed_fonts(),
    reason="Noto CJK is not installed here (Debian: fonts-noto-cjk)",
)
def test_hangul_kana_and_kanji_draw_with_real_glyphs_where_noto_is_installed(caplog):
    with caplog.at_level(logging.WARNING, logger="bot.pictures.style"):
        fonts = style.fonts_for(["솔로지옥", "呪術廻戦", "イカゲーム", KO.country("US")])
    assert caplog.records == []
    assert fonts == ["DejaVu Sans", "Noto Sans CJK JP"]


def test_a_picture_in_latin_letters_takes_no_fallback_font():
    """Each family in the list costs matplotlib time on every character: none unneeded."""
    assert style.fonts_for(["Brazen", "Vereinigte Staaten", "États-Unis", "Москва"]) == [
        "DejaVu Sans"
    ]
