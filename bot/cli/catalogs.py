"""The catalogs' two commands, for whoever adds a message or a language:

    chartbot catalogs extract   # every message in the code (and the commands' names and
                                # descriptions) -> bot/i18n/chartbot.pot, and each
                                # language's .po brought up to date (new messages empty)
    chartbot catalogs compile   # each .po -> its .mo, which the bot reads

A new language: add it to `Language` (bot/languages.py), run `extract` (it makes the
language's .po), translate every message in it, run `compile`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from bot.cli.base import main
from bot.i18n import DOMAIN, LOCALES, Language

PACKAGE = Path(__file__).resolve().parents[1]
TEMPLATE = LOCALES.parent / f"{DOMAIN}.pot"
KEYWORDS = {**DEFAULT_KEYWORDS, "NP_": ((1, "c"), 2)}
# Comments in the code above a message that start so are shown to translators.
TRANSLATOR_COMMENTS = ["Translators:"]


def template() -> Catalog:
    """Every message the code says, each with where it is said."""
    from bot.discord.commands import command_strings

    catalog = Catalog(
        project="chartbot", domain=DOMAIN, creation_date=datetime(2026, 12, 3, tzinfo=UTC)
    )
    found = extract_from_dir(
        PACKAGE,
        method_map=[("**.py", "python")],
        keywords=KEYWORDS,
        comment_tags=TRANSLATOR_COMMENTS,
        strip_comment_tags=True,
    )
    for filename, line, message, comments, context in found:
        where = (f"bot/{filename}", line)
        catalog.add(
            message,
            locations=[where],
            auto_comments=comments,
            context=context,
            flags=_flags(message),
        )
    for kind, text in command_strings():
        catalog.add(text, locations=[("bot/discord/cogs", 0)], context=kind.value)
    return catalog


def _flags(message: str | tuple[str, ...]) -> tuple[str, ...]:
    text = message if isinstance(message, str) else "".join(message)
    return ("python-brace-format",) if "{" in text else ()


def po_path(language: Language) -> Path:
    return LOCALES / language.babel / "LC_MESSAGES" / f"{DOMAIN}.po"


def _extract() -> None:
    pot = template()
    with TEMPLATE.open("wb") as out:
        write_po(out, pot, width=100, omit_header=False, sort_output=False)
    click.echo(f"{TEMPLATE.relative_to(PACKAGE.parent)}: {len(pot)} messages")
    for language in Language:
        if language is Language.EN:
            continue
        path = po_path(language)
        if path.exists():
            with path.open("rb") as file:
                catalog = read_po(file, locale=language.babel, domain=DOMAIN)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=language.babel, domain=DOMAIN, project="chartbot")
        catalog.update(pot, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        with path.open("wb") as out:
            write_po(out, catalog, width=100, ignore_obsolete=True)
        empty = len([m for m in catalog if m.id and not _done(m.string)])
        click.echo(
            f"{path.relative_to(PACKAGE.parent)}: {len(catalog)} messages, {empty} to translate"
        )


def _done(string: object) -> bool:
    return all(string) if isinstance(string, tuple | list) else bool(string)


def _compile_all() -> None:
    for language in Language:
        if language is Language.EN:
            continue
        path = po_path(language)
        with path.open("rb") as file:
            catalog = read_po(file, locale=language.babel, domain=DOMAIN)
        with path.with_suffix(".mo").open("wb") as out:
            write_mo(out, catalog, use_fuzzy=False)
        click.echo(
            f"{path.with_suffix('.mo').relative_to(PACKAGE.parent)}: {len(catalog)} messages"
        )


@main.group()
def catalogs() -> None:
    """The translation catalogs (for whoever adds a message or a language)."""


@catalogs.command()
def extract() -> None:
    """Collect every message (and the commands' names) into the template and each .po."""
    _extract()


@catalogs.command(name="compile")
def compile_catalogs() -> None:
    """Compile each language's .po into the .mo the bot reads."""
    _compile_all()
