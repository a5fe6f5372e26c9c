"""The commands that mend stored history: joining titles, and putting back what a source
rewrote."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot import terminal
from bot.cli.base import (
    Failure,
    config_option,
    known_errors,
    load,
    main,
    out,
)
from bot.service.lookup import open_store
from bot.service.titles import title_merges

if TYPE_CHECKING:
    pass


@main.command(name="merge-titles")
@config_option
@click.option("--dry-run", is_flag=True, help="Say what would be joined, and change nothing.")
@known_errors
def merge_titles(config_path: Path, dry_run: bool) -> None:
    """Join stored titles that the config's [titles] merge names as one title.

    Their ranks, events and subscriptions move to the group's first name. Joining
    cannot be undone: look first with --dry-run. (New rows are stored under the
    group's first name anyway; this joins what was stored before the group was added.)
    """
    config = load(config_path)
    with open_store(config, existing=True) as store:
        merges = title_merges(store, config, apply=not dry_run)
    terminal.print_merges(out, merges, applied=not dry_run)


@main.command()
@config_option
@click.option("--source", "source_name", help="Only this source's.")
@known_errors
def rewrites(config_path: Path, source_name: str | None) -> None:
    """Stored periods that polls rewrote (a source changed its past), which can be undone.

    Each line is one poll: its number (for `chartbot undo-rewrite`), when, and the
    periods it rewrote.
    """
    from bot.service.rewrites import rewrites as listing

    config = load(config_path)
    with open_store(config, existing=True) as store:
        terminal.print_rewrites(out, listing(store, source_name))


@main.command(name="undo-rewrite")
@config_option
@click.argument("poll_number", type=click.IntRange(min=1))
@known_errors
def undo_rewrite(config_path: Path, poll_number: int) -> None:
    """Put back the periods one poll rewrote, as they were stored before it.

    POLL_NUMBER is the number `chartbot rewrites` shows. While the source serves the
    same file, it is not read again; a new file that still rewrites those periods
    rewrites them again (turn the source off with `enabled = false` until it is fixed).
    """
    from bot.service.rewrites import undo_rewrite as undo

    config = load(config_path)
    with open_store(config, existing=True) as store:
        undone = undo(store, poll_number)
    if undone is None:
        raise Failure(
            f"poll {poll_number} rewrote nothing that can be put back (see `chartbot rewrites`)"
        )
    terminal.print_rewrites(out, [undone], undone=True)
