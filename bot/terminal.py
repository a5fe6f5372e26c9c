"""How the CLI shows things: alert lines, rank tables, status, progress bars (rich)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape as escape_markup
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from bot.alerts.render import alert_json, counted, describe
from bot.alerts.standing import standing_heading, standing_rows
from bot.config import Config, FlixPatrolSourceConfig
from bot.engine.events import Event
from bot.engine.model import chart_heading
from bot.engine.standings import ChartStanding
from bot.engine.stored import Rewrite, TitleMerge
from bot.engine.titles import Match
from bot.i18n import ENGLISH, Texts, texts
from bot.importer import Step
from bot.logs import clean
from bot.service.lookup import TitleLookup
from bot.service.status import StatusReport

STAGES = {"files": "importing files", "bytes": "importing", "index": "building the title index"}


def safe(text: str) -> str:
    """Untrusted text inside rich markup: cleaned, and its markup escaped."""
    return escape_markup(clean(text))


def json_printer(t: Texts) -> Callable[[Event, str], None]:
    """Alerts as JSON lines, language-neutral but for their 'text' (the source by its name:
    the label is for people)."""

    def emit(event: Event, label: str) -> None:
        sys.stdout.write(json.dumps(alert_json(event, t), ensure_ascii=False) + "\n")
        sys.stdout.flush()

    return emit


def alert_line(event: Event, label: str | None = None, t: Texts | None = None) -> str:
    """Rich markup: '[dim]Netflix · TV · 2022-01-31[/]  [bold]Title[/] is now #1 in …'."""
    t = t or texts(ENGLISH)
    where = safe(f"{chart_heading(label or event.source, event.chart)} · {t.date(event.period)}")
    text = describe(event, lambda name: f"[bold]{safe(name)}[/bold]", t)
    return f"[dim]{where}[/dim]  {text}"


def alert_printer(console: Console, t: Texts) -> Callable[[Event, str], None]:
    def emit(event: Event, label: str) -> None:
        console.print(alert_line(event, label, t))
        console.file.flush()

    return emit


def did_you_mean(query: str, match: Match) -> str:
    if not match.suggestions:
        return f"no title matches {query!r}"
    names = "; ".join(c.label for c in match.suggestions[:5])
    return f"no title matches {query!r}. Did you mean: {names}?"


def rank_json(found: TitleLookup, country: str | None = None) -> dict[str, Any]:
    assert found.match.title is not None
    title = found.match.title
    data: dict[str, Any] = {"title": title.name}
    if title.artist:
        data["artist"] = title.artist
    data["charts"] = [s.to_json() for s in found.standings]
    if country:
        data["country"] = country
        for chart, standing in zip(data["charts"], found.standings, strict=True):
            chart["country_rank"] = standing.ranks.get(country)
    return data


def print_rank(
    console: Console, found: TitleLookup, markets: Sequence[str], t: Texts | None = None
) -> None:
    """What /rank shows, as tables, in t's language (English by default)."""
    t = t or texts(ENGLISH)
    assert found.match.title is not None
    console.print(f"[bold]{safe(found.match.title.label)}[/bold]")
    if not found.standings:
        console.print("  " + safe(t.gettext("Not on any stored chart yet.")))
    for standing in found.standings:
        console.print(_standing_table(standing, markets, t))
    if found.match.suggestions:
        others = "; ".join(c.label for c in found.match.suggestions[:3])
        close = t.gettext("also close: {titles}", titles=others)
        console.print(f"[dim]{safe(close)}[/dim]")


def _standing_table(s: ChartStanding, markets: Sequence[str], t: Texts) -> Table:
    table = Table(
        title=safe(standing_heading(s, t)),
        title_justify="left",
        show_header=False,
        box=None,
        pad_edge=False,
    )
    table.add_column(style="dim")
    table.add_column()
    for label, value in standing_rows(s, markets, t):
        table.add_row(safe(label), safe(value))
    return table


class RowsColumn(ProgressColumn):
    """Rows read so far and rows a second, for a big file imported in parts."""

    def render(self, task: Task) -> Text:
        rows = task.fields.get("rows")
        if rows is None:
            return Text(f"{task.completed:,}/{task.total:,}")
        speed = rows / task.elapsed if task.elapsed else 0
        return Text(f"{rows:,} rows · {speed:,.0f} rows/s")


@contextmanager
def progress(console: Console) -> Iterator[Callable[[Step], None]]:
    """A progress bar fed by import steps: files done, or a big file's bytes and rows (with
    rows a second and the time left)."""
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        RowsColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as bar:
        tasks: dict[str, Any] = {}

        def report(step: Step) -> None:
            if step.stage not in tasks:
                label = STAGES.get(step.stage, step.stage)
                tasks[step.stage] = bar.add_task(label, total=step.total, rows=step.rows)
            bar.update(tasks[step.stage], completed=step.done, total=step.total, rows=step.rows)

        yield report


def config_summary(path: Path, config: Config) -> str:
    lines = [f"{path}: OK", f"  database: {config.database_path}"]
    lines.append(
        f"  alerts: #1 in at least {config.alerts.min_countries} countries; new #1 in "
        f"{', '.join(config.alerts.watched_markets) or 'no market'}"
    )
    if not config.sources:
        lines.append("  no sources yet: add a [[sources]] table")
    for source in config.sources:
        every = _duration(source.every.total_seconds())
        state = "" if source.enabled else " (disabled)"
        location = source.url or "imports only"
        if isinstance(source, FlixPatrolSourceConfig) and source.uses_api:
            where = f"${source.api_key_env}" if source.api_key_env else "the config"
            key = "set" if source.key() else "not set"
            location = f"FlixPatrol's API, {source.platform} (key from {where}: {key})"
        lines.append(f"  source {source.name}: {source.kind}, every {every}, {location}{state}")
    shards = config.discord.shards
    if shards is not None:
        role = "polls and registers the commands" if shards.lead else "delivers only"
        lines.append(f"  shards: {shards} ({role})")
    token = "set" if config.discord_token() else "not set (needed for `chartbot run`)"
    lines.append(f"  discord token: {token}")
    return "\n".join(lines)


def _duration(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:g}{unit}"
    return f"{seconds:g}s"


def print_merges(console: Console, merges: Sequence[TitleMerge], *, applied: bool) -> None:
    """What `chartbot merge-titles` joined (or, in a dry run, would join)."""
    if not merges:
        console.print("nothing to merge: no stored title is spelled as [titles] merge joins")
        return
    for merge in merges:
        folded = ", ".join(f"“{c.label}” (id {c.id})" for c in merge.folded)
        into = (
            f"“{merge.kept.label}” (id {merge.kept.id})"
            if merge.kept
            else f"the first of them, renamed “{merge.name}”"
        )
        verb = "joined" if applied else "would join"
        console.print(
            clean(
                f"{verb} {folded} into {into}: {merge.ranks:,} ranks and "
                f"{merge.subscriptions:,} subscriptions move"
            ),
            markup=False,
        )
    if not applied:
        console.print("(a dry run: nothing was changed; joining cannot be undone)", markup=False)


def print_rewrites(console: Console, rewrites: Sequence[Rewrite], *, undone: bool = False) -> None:
    """Polls that rewrote stored periods (or the one just undone)."""
    if not rewrites:
        console.print("no rewritten period to put back", markup=False)
        return
    for rewrite in rewrites:
        shown = ", ".join(f"{chart} {period}" for chart, period in rewrite.periods[:6])
        more = len(rewrite.periods) - 6
        if more > 0:
            shown += f" and {more:,} more"
        head = "put back" if undone else f"poll {rewrite.snapshot_id}"
        console.print(
            clean(
                f"{head}: {rewrite.source}, {rewrite.at:%Y-%m-%d %H:%M} UTC, "
                f"{len(rewrite.periods):,} periods ({rewrite.ranks:,} ranks as they were): {shown}"
            ),
            markup=False,
        )


def print_status(console: Console, report: StatusReport) -> None:
    """One line per source for the operator: its health, last good poll, latest period,
    and the whole of what went wrong (with what to do), and the files it skipped."""
    for source in report.sources:
        state = source.state
        health = str(source.health) if state else "never polled"
        if state and state.failures:
            since = state.failing_since.strftime("%Y-%m-%d %H:%M") if state.failing_since else "?"
            health += f" ({counted(state.failures, 'failure')} since {since} UTC)"
        if not source.enabled:
            health = "off in the config"
        parts = [f"{source.name}: {health}"]
        if state and state.last_ok_at:
            parts.append(f"last good poll {state.last_ok_at:%Y-%m-%d %H:%M} UTC")
        if source.next_poll and source.enabled:
            parts.append(f"next poll {source.next_poll:%Y-%m-%d %H:%M} UTC")
        parts.append(f"latest period {source.latest}" if source.latest else "nothing stored")
        if source.error:
            parts.append(f"last error: {source.error}")
        for skipped in source.skipped:
            reason = skipped.reason.removeprefix(f"{skipped.name}: ")
            parts.append(f"skipped: {skipped.name} ({reason})")
        console.print(clean("; ".join(parts)), markup=False)
    if report.waiting:
        console.print(f"{counted(report.waiting, 'alert')} waiting to be delivered", markup=False)
    calls = report.calls
    if calls.calls:
        open_calls = calls.calls - calls.resolved
        console.print(
            f"on-course calls: {calls.resolved:,}, came true: {calls.came_true:,}, expected "
            f"from their probabilities: {calls.expected:,.1f}"
            + (f"; {open_calls:,} not resolved yet" if open_calls else ""),
            markup=False,
        )


def status_json(report: StatusReport) -> dict[str, Any]:
    """`chartbot status --json`: each source's health, as a script reads it."""

    def when(moment: datetime | None) -> str | None:
        return moment.isoformat(timespec="seconds") if moment else None

    sources = []
    for source in report.sources:
        state, failure = source.state, source.failure
        sources.append(
            {
                "name": source.name,
                "enabled": source.enabled,
                "health": str(source.health),
                "failures": state.failures if state else 0,
                "failing_since": when(state.failing_since if state else None),
                "last_good_poll": when(state.last_ok_at if state else None),
                "next_poll": when(source.next_poll),
                "latest_period": source.latest,
                "last_error": failure.reason if failure else None,
                "last_error_kind": str(failure.kind) if failure else None,
                "skipped": [{"file": s.name, "reason": s.reason} for s in source.skipped],
            }
        )
    calls = report.calls
    return {
        "sources": sources,
        "alerts_waiting": report.waiting,
        "on_course_calls": {
            "calls": calls.calls,
            "resolved": calls.resolved,
            "came_true": calls.came_true,
            "expected": round(calls.expected, 3),
        },
    }


def config_json(path: Path, config: Config, warnings: list[str]) -> dict[str, Any]:
    """`chartbot check-config --json`: what the config sets up, and what it lacks."""
    return {
        "config": str(path),
        "ok": True,
        "database": str(config.database_path),
        "alerts": {
            "min_countries": config.alerts.min_countries,
            "watched_markets": list(config.alerts.watched_markets),
        },
        "sources": [
            {
                "name": source.name,
                "kind": str(source.kind),
                "every": _duration(source.every.total_seconds()),
                "location": source.url,
                "enabled": source.enabled,
            }
            for source in config.sources
        ],
        "discord_token": config.discord_token() is not None,
        "warnings": warnings,
    }
