"""Which language a tag, a Discord locale or the environment names."""

from __future__ import annotations

import pytest

from bot.cli.base import environment_language
from bot.languages import Language


@pytest.mark.parametrize(
    ("tag", "language"),
    [
        ("en-US", Language.EN),
        ("en-GB", Language.EN),
        ("es-ES", Language.ES),
        ("es-419", Language.ES_419),
        ("es_MX.UTF-8", Language.ES_419),
        ("es", Language.ES),
        ("pt-BR", Language.PT_BR),
        ("pt_PT", Language.PT_BR),
        ("fr", Language.FR),
        ("de_DE.UTF-8", Language.DE),
        ("ko_KR.UTF-8", Language.KO),
        ("ja", Language.JA),
        ("it", None),
        ("C.UTF-8", None),
        ("", None),
    ],
)
def test_a_tag_names_the_language_chartbot_speaks_for_it(tag, language):
    assert Language.parse(tag) is language


@pytest.mark.parametrize(
    ("env", "language"),
    [
        ({"LANG": "de_DE.UTF-8"}, Language.DE),
        ({"LANG": "de_DE.UTF-8", "LC_ALL": "C"}, Language.EN),  # LC_ALL wins
        ({"LANG": "C.UTF-8", "LC_MESSAGES": "ko_KR.UTF-8"}, Language.KO),
        ({"LANG": "fr_FR.UTF-8", "LANGUAGE": "it:ja:fr"}, Language.JA),  # its first we speak
        ({"LANG": "C", "LANGUAGE": "ja"}, Language.EN),  # under C, LANGUAGE is not read
        ({"LANG": "it_IT.UTF-8"}, Language.EN),
        ({}, Language.EN),
    ],
)
def test_the_terminal_speaks_the_environments_language(monkeypatch, env, language):
    for name in ("LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert environment_language() is language
