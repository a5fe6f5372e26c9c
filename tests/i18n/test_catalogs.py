"""The catalogs: every message translated in every language, with the same placeholders,
compiled as the .po says, and command names Discord accepts."""

from __future__ import annotations

import io
import re

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from bot.cli.catalogs import TEMPLATE, po_path, template
from bot.i18n import Language, placeholders
from bot.i18n.commands import CommandText

TRANSLATED = [language for language in Language if language is not Language.EN]
# Discord's rule for a command's or option's name (its API reference), lower case.
COMMAND_NAME = re.compile(r"^[-_\w\u0900-\u097f\u0e00-\u0e7f]{1,32}$")


def catalog(language: Language) -> Catalog:
    with po_path(language).open("rb") as file:
        return read_po(file, locale=language.babel)


def forms(message: Message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple | list) else [message.string]


def ids(message: Message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple | list) else [message.id]


def test_the_template_holds_every_message_the_code_says() -> None:
    """A message added to the code without `extract` fails here."""
    with TEMPLATE.open("rb") as file:
        stored = read_po(file)
    made = template()
    assert {(m.context, str(m.id)) for m in made if m.id} == {
        (m.context, str(m.id)) for m in stored if m.id
    }


@pytest.mark.parametrize("language", TRANSLATED, ids=str)
def test_every_message_is_translated_with_the_same_placeholders(language: Language) -> None:
    problems = []
    for message in catalog(language):
        if not message.id:
            continue
        wanted = set().union(*(placeholders(i) for i in ids(message)))
        for form in forms(message):
            if not form:
                problems.append(f"untranslated: {ids(message)[0]!r} ({message.context})")
            elif (not message.pluralizable and placeholders(form) != wanted) or (
                message.pluralizable and not placeholders(form) <= wanted | {"count"}
            ):
                problems.append(f"{form!r} fills {placeholders(form)}, not {wanted}")
    assert problems == []


@pytest.mark.parametrize("language", TRANSLATED, ids=str)
def test_a_plural_fills_its_placeholders_in_its_usual_form(language: Language) -> None:
    """The form said of most numbers ("46 países") has every placeholder; only a form for
    one thing may leave out {count} ("un país")."""
    for message in catalog(language):
        if message.id and message.pluralizable:
            wanted = set().union(*(placeholders(i) for i in ids(message)))
            assert placeholders(forms(message)[-1]) == wanted, message.id


@pytest.mark.parametrize("language", TRANSLATED, ids=str)
def test_the_compiled_catalog_is_the_po(language: Language) -> None:
    """`python -m bot.i18n compile` was run after the .po last changed."""
    po = catalog(language)
    made = io.BytesIO()
    write_mo(made, po, use_fuzzy=False)
    made.seek(0)
    with po_path(language).with_suffix(".mo").open("rb") as file:
        shipped = read_mo(file)
    assert {(m.context, str(m.id)): m.string for m in read_mo(made) if m.id} == {
        (m.context, str(m.id)): m.string for m in shipped if m.id
    }


@pytest.mark.parametrize("language", TRANSLATED, ids=str)
def test_command_and_option_names_are_names_discord_accepts(language: Language) -> None:
    names = [
        (m.context, m.string)
        for m in catalog(language)
        if m.context in (CommandText.NAME.value, CommandText.OPTION.value)
    ]
    bad = [name for _, name in names if not COMMAND_NAME.match(name) or name != name.lower()]
    assert bad == []
    described = [
        m.string
        for m in catalog(language)
        if m.context in (CommandText.DESCRIPTION.value, CommandText.OPTION_DESCRIPTION.value)
    ]
    assert [d for d in described if not 1 <= len(d) <= 100] == []
