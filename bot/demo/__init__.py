"""`chartbot demo`: the reference story replayed through the real pipeline.

Each day, the source file grows by one day (as Netflix's file grows by one
week) and is polled from a local path into a fresh SQLite store: diff, events,
outbox and alert text are the real ones. The alert channel's lines are what
`chartbot poll --once` prints; the fan's lines are what their DM would say.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.markup import escape as escape_markup
from rich.rule import Rule

from bot import terminal
from bot.actions import emit_terminal_alerts, lookup_title
from bot.config import config_from_dict
from bot.engine.events import AlertPolicy
from bot.pipeline import PollOutcome, poll_source
from bot.sources.registry import build_source
from bot.store.store import Store, StoreError
from bot.store.thread import StoreThread

from . import story

FAN = 1001  # the demo's subscriber
GUILD = 1


def run_demo(console: Console, *, database: Path | None = None) -> None:
    with _workspace(database) as folder:
        db_path = database or folder / "demo.db"
        source_file = folder / "all-weeks-countries.tsv"
        config = config_from_dict(
            {
                "database": {"path": str(db_path)},
                "alerts": {"watched_markets": ["US"], "min_countries": 10},
                "sources": [{"name": "netflix", "kind": "netflix_top10", "url": str(source_file)}],
            },
            source="demo",
            base_dir=folder,
        )
        policy = AlertPolicy(min_countries=10, watched_markets=frozenset({"US"}))
        console.print(
            f'[bold]chartbot demo[/bold]: "{story.TITLE}" on Netflix\'s per-country TV charts, '
            f"{story.DAYS[0]} to {story.DAYS[-1]} ({len(story.COUNTRIES)} countries; "
            "bundled data, no token, no network)"
        )
        rows = story.build_rows()
        for index, day in enumerate(story.DAYS):
            console.print(Rule(day, align="left"))
            published = [r for r in rows if r[2] <= day]
            source_file.write_text(story.to_tsv(published), encoding="utf-8")
            outcome = asyncio.run(_poll(config, policy, day))
            console.print(f"[dim]{escape_markup(outcome.summary)}[/dim]")
            store = Store.open(db_path)
            try:
                _show_alerts(console, store)
                if index == 0:
                    _subscribe_fan(console, store)
            finally:
                store.close()
        console.print(Rule(f"chartbot rank {story.TITLE!r}", align="left"))
        store = Store.open(db_path)
        try:
            terminal.print_rank(console, lookup_title(store, story.TITLE), ["US", "KR"])
        finally:
            store.close()


@contextmanager
def _workspace(database: Path | None) -> Iterator[Path]:
    if database is not None and database.exists():
        raise StoreError(f"{database} exists; the demo starts from an empty database")
    with tempfile.TemporaryDirectory(prefix="chartbot-demo-") as folder:
        yield Path(folder)


async def _poll(config, policy: AlertPolicy, day: str) -> PollOutcome:  # type: ignore[no-untyped-def]
    source = build_source(config.sources[0], config.base_dir)
    db = await StoreThread(config.database_path).open()
    try:
        # The story's own clock: each day's file is polled that evening.
        evening = datetime.fromisoformat(f"{day}T20:00:00+00:00").astimezone(UTC)
        return await poll_source(
            source, db, session=None, policy=policy, terminal=True, clock=lambda: evening
        )
    finally:
        await db.close()


def _show_alerts(console: Console, store: Store) -> None:
    console.print("[bold]alert channel[/bold]")
    shown = emit_terminal_alerts(store, lambda e: console.print("  " + terminal.alert_line(e)))
    if not shown:
        console.print("  [dim](no alerts)[/dim]")
    fan = f"dm:{FAN}"
    pending = store.pending_deliveries(destination=fan)
    if pending or store.db["subscriptions"].count:
        console.print(f"[bold]DM to a fan following {story.TITLE} in the US[/bold]")
        for delivery in pending:
            console.print("  " + terminal.alert_line(delivery.event))
        store.mark_sent([d.id for d in pending], now=datetime.now(UTC))
        if not pending:
            console.print("  [dim](nothing moved for them)[/dim]")


def _subscribe_fan(console: Console, store: Store) -> None:
    title = store.title_by_key(story.TITLE)
    assert title is not None
    store.add_subscription(
        user_id=FAN,
        title_id=title.id,
        guild_id=GUILD,
        via="dm",
        country="US",
        now=datetime.now(UTC),
    )
    console.print(
        f"[dim]a fan subscribes: /subscribe title:{story.TITLE} country:US where:dm[/dim]"
    )
