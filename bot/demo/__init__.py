"""`chartbot demo`: the reference story replayed through the real pipeline.

The bundled file holds three days of per-country Netflix TV charts (see
story.py for how it was built and the facts it matches). Each day the source
file grows by one day, as Netflix's file grows by one week, and is polled from
a local path into a fresh SQLite store: fetch, checks, diff, events, outbox and
alert text are the real ones. The alert channel's lines are what
`chartbot poll` prints; the fan's lines are what their DM would say.
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
from bot.config import AlertsConfig, Config, config_from_dict
from bot.engine.deliveries import Destination
from bot.engine.routing import Via
from bot.i18n import Language, Texts, texts
from bot.pipeline import PollOutcome, poll_source
from bot.service.lookup import lookup_title, open_store
from bot.service.polling import alert_policy, configured_sources, emit_terminal_alerts
from bot.sources.fetch import http_session
from bot.store.base import StoreError
from bot.store.store import Store
from bot.store.thread import StoreThread

DATA = Path(__file__).parent / "data" / "all-of-us-are-dead-2022-01.tsv"
TITLE = "All of Us Are Dead"
FAN = 1001  # the demo's subscriber
GUILD = 1


def published_days(text: str) -> list[str]:
    return sorted({line.split("\t")[2] for line in text.split("\n")[1:]})


def published_until(text: str, day: str) -> str:
    """The file as it would have been published on `day`: rows up to that day."""
    header, *rows = text.split("\n")
    return "\n".join([header, *(row for row in rows if row.split("\t")[2] <= day)])


# The daily story in the Netflix file's columns, read as the daily chart it is.
DEMO_SOURCE = {
    "name": "netflix",
    "kind": "table",
    "format": "tsv",
    "period_unit": "day",
    "columns": {
        "rank": "weekly_rank",
        "title": "show_title",
        "country": "country_iso2",
        "period": "week",
        "chart": "category",
        "weeks": "cumulative_weeks_in_top_10",
    },
}


def run_demo(
    console: Console,
    *,
    database: Path | None = None,
    alerts: AlertsConfig | None = None,
    t: Texts | None = None,
) -> None:
    """The story, its alerts said in t's language (English by default)."""
    t = t or texts(Language.EN)
    text = DATA.read_text(encoding="utf-8")
    days = published_days(text)
    database = database.absolute() if database else None  # from where the command runs
    with _workspace(database) as folder:
        source_file = folder / "all-weeks-countries.tsv"
        config = config_from_dict(
            {
                "database": {"path": str(database or folder / "demo.db")},
                "alerts": (alerts or AlertsConfig()).model_dump(),
                "sources": [DEMO_SOURCE | {"url": str(source_file)}],
            },
            source="demo",
            base_dir=folder,
        )
        countries = len({line.split("\t")[1] for line in text.split("\n")[1:]})
        console.print(
            f'[bold]chartbot demo[/bold]: "{TITLE}" on Netflix\'s per-country TV charts, '
            f"{days[0]} to {days[-1]} ({countries} countries; bundled data, no token, "
            "no network)"
        )
        for index, day in enumerate(days):
            console.print(Rule(day, align="left"))
            source_file.write_text(published_until(text, day), encoding="utf-8")
            outcome = asyncio.run(_poll(config, day))
            console.print(f"[dim]{escape_markup(outcome.summary)}[/dim]")
            with open_store(config) as store:
                _show_alerts(console, store, t)
                if index == 0:
                    _subscribe_fan(console, store)
        console.print(Rule(f"chartbot rank {TITLE!r}", align="left"))
        with open_store(config) as store:
            terminal.print_rank(console, lookup_title(store, TITLE), ["US", "KR"], t)
        if database:
            console.print(
                f"The demo's database is kept at {escape_markup(str(database))}: try "
                f'[bold]chartbot rank "{TITLE}"[/bold] with a config whose [database] '
                "path is that file."
            )


@contextmanager
def _workspace(database: Path | None) -> Iterator[Path]:
    if database is not None and database.exists():
        raise StoreError(f"{database} exists; the demo starts from an empty database")
    with tempfile.TemporaryDirectory(prefix="chartbot-demo-") as folder:
        yield Path(folder)


async def _poll(config: Config, day: str) -> PollOutcome:
    [source] = configured_sources(config)
    db = await StoreThread(config.database_path, config.busy_timeout).open()
    try:
        # The story's own clock: each day's file is polled that evening. (A local file:
        # the session is never used.)
        evening = datetime.fromisoformat(f"{day}T20:00:00+00:00")
        async with http_session() as session:
            return await poll_source(
                source,
                db,
                session=session,
                policy=alert_policy(config),
                terminal=True,
                clock=lambda: evening,
            )
    finally:
        await db.close()


def _show_alerts(console: Console, store: Store, t: Texts) -> None:
    console.print("[bold]alert channel[/bold]")
    shown = emit_terminal_alerts(
        store, lambda event, label: console.print("  " + terminal.alert_line(event, label, t))
    )
    if not shown:
        console.print("  [dim](no alerts)[/dim]")
    if not store.db["subscriptions"].count:
        return
    console.print(f"[bold]DM to a fan following {TITLE} in the US[/bold]")
    pending = store.outbox.pending(destination=Destination.dm(FAN))
    for delivery in pending:
        assert delivery.event is not None
        console.print("  " + terminal.alert_line(delivery.event, t=t))
    if pending:
        store.outbox.mark_sent([d.id for d in pending], now=datetime.now(UTC))
    else:
        console.print("  [dim](nothing moved for them)[/dim]")


def _subscribe_fan(console: Console, store: Store) -> None:
    title = store.titles.by_key(TITLE)
    assert title is not None
    store.guilds.add_subscription(
        user_id=FAN,
        title=title.id,
        guild_id=GUILD,
        via=Via.DM,
        country="US",
        now=datetime.now(UTC),
    )
    console.print(f"[dim]a fan subscribes: /subscribe title:{TITLE} country:US where:dm[/dim]")
