"""Forgiving title matching and country names."""

from __future__ import annotations

import pytest

from bot import countries
from bot.engine.model import ChartRow
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


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("US", "US"),
        ("us", "US"),
        ("United States", "US"),
        ("south korea", "KR"),
        ("Korea", "KR"),
        ("UK", "GB"),
        ("Réunion", "RE"),
        ("reunion", "RE"),
        ("Czech Republic", "CZ"),
        ("narnia", None),
    ],
)
def test_country_lookup(text, code):
    assert countries.lookup(text) == code


def test_country_names_and_flags():
    assert countries.name("KR") == "South Korea"
    assert countries.name("US") == "United States"
    assert countries.flag("US") == "\U0001f1fa\U0001f1f8"
    assert countries.label("FR") == "\U0001f1eb\U0001f1f7 France"
    assert countries.search("ger")[0] == "DE"


def test_titles_added_to_an_index_are_found_as_if_it_were_built_with_them():
    grown = TitleIndex(CATALOGUE[:4]).with_added(CATALOGUE[4:])
    whole = TitleIndex(CATALOGUE)
    for query in ("stay", "witch", "cobra", "greedy", "squid gme", ""):
        assert grown.search(query) == whole.search(query), query
    assert grown.match("stay close").title == Candidate(5, "Stay Close")
    assert len(TitleIndex(CATALOGUE[:4])) == 4  # the index it grew from is left as it was


def test_merged_spellings_become_one_title(fresh_db):
    store = fresh_db
    with store.write():
        store.titles.ids(
            [
                ChartRow("TV", "2022-01-09", "ES", 1, "El juego del calamar"),
                ChartRow("TV", "2022-01-09", "US", 1, "Squid Game"),
            ]
        )
    groups = [["Squid Game", "El juego del calamar"]]
    [planned] = store.titles.merges(groups)  # a dry run: what it would join
    assert [c.name for c in store.titles.candidates()] == ["El juego del calamar", "Squid Game"]
    assert (planned.kept and planned.kept.name, [c.name for c in planned.folded]) == (
        "Squid Game",
        ["El juego del calamar"],
    )
    assert (planned.ranks, planned.subscriptions) == (0, 0)  # titles only, in this test
    assert store.titles.merge(groups) == [planned]
    assert [c.name for c in store.titles.candidates()] == ["Squid Game"]
    assert store.titles.merge(groups) == []


def test_a_clear_winner_mentions_only_names_nearly_as_close():
    found = match_title(
        "shipwrecked",
        [Candidate(1, "Shipwrecked: Nightmare at Sea"), Candidate(2, "Mo Bamba", "Sheck Wes")],
    )
    assert found.title is not None and found.title.label == "Shipwrecked: Nightmare at Sea"
    assert found.suggestions == ()
