"""Forgiving title matching (bot/engine/titles.py)."""

from __future__ import annotations

import pytest

from bot.engine.titles import Candidate, TitleIndex, match_title, normalise, title_key

CATALOGUE = [
    Candidate(1, "All of Us Are Dead"),
    Candidate(2, "Café con aroma de mujer"),
    Candidate(3, "The Witcher"),
    Candidate(4, "The Witcher: Blood Origin"),
    Candidate(5, "Stay Close"),
    Candidate(6, "Cobra Kai"),
    Candidate(7, "greedy", "Tate McRae"),
    Candidate(8, "Squid Game"),
    Candidate(9, "Stay", "The Kid LAROI"),
]


@pytest.mark.parametrize(
    ("query", "title_id"),
    [
        ("All of Us Are Dead", 1),
        ("all of us are dead", 1),
        ("ALL OF US ARE DEAD!", 1),
        ("all of us r dead", 1),
        ("cafe con aroma de mujer", 2),
        ("Witcher", 3),
        ("the witcher", 3),
        ("stay close", 5),
        ("squid gme", 8),
        ("greedy", 7),
        ("greedy tate mcrae", 7),
    ],
)
def test_forgiving_matches(query, title_id):
    found = match_title(query, CATALOGUE)
    assert found.title is not None and found.title.id == title_id


def test_unknown_titles_get_suggestions():
    found = match_title("Stya", CATALOGUE)
    assert found.title is None
    assert {c.id for c in found.suggestions} & {5, 9}


def test_nothing_close_gives_nothing():
    found = match_title("zzzz qqqq", CATALOGUE)
    assert found.title is None and found.suggestions == ()


def test_identity_folds_case_accents_and_punctuation():
    assert normalise("  Café con  Aroma, de Mujer! ") == "cafe con aroma de mujer"
    assert title_key("Stay", "The Kid LAROI") != title_key("Stay")
    assert title_key("Fast & Furious") == title_key("fast and furious")


def test_titles_added_to_an_index_are_found_as_if_it_were_built_with_them():
    grown = TitleIndex(CATALOGUE[:4]).with_added(CATALOGUE[4:])
    whole = TitleIndex(CATALOGUE)
    for query in ("stay", "witch", "cobra", "greedy", "squid gme", ""):
        assert grown.search(query) == whole.search(query), query
    assert grown.match("stay close").title == Candidate(5, "Stay Close")
    assert len(TitleIndex(CATALOGUE[:4])) == 4  # the index it grew from is left as it was


def test_a_clear_winner_mentions_only_names_nearly_as_close():
    found = match_title(
        "shipwrecked",
        [Candidate(1, "Shipwrecked: Nightmare at Sea"), Candidate(2, "Mo Bamba", "Sheck Wes")],
    )
    assert found.title is not None and found.title.label == "Shipwrecked: Nightmare at Sea"
    assert found.suggestions == ()


def test_a_songs_name_alone_finds_it_whatever_it_carries_in_brackets():
    index = TitleIndex(
        [
            Candidate(1, "Seven (feat. Latto) (Explicit Ver.)", "Jung Kook"),
            Candidate(2, "Seven (feat. Latto)", "Jung Kook"),
            Candidate(3, "Seventeen"),
            Candidate(4, "Paint The Town Red - Live"),
        ]
    )
    found = index.match("seven")
    assert found.title is not None and found.title.id == 2
    assert [c.id for c in found.suggestions] == [1]  # the other version, offered beside it
    assert index.match("paint the town red").title == Candidate(4, "Paint The Town Red - Live")
