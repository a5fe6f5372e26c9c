"""Embeds for the commands' answers, within Discord's limits (25 fields, 1024 a field)."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot import countries
from bot.alerts.render import counted, escape, public_reason, standing_rows
from bot.delivery.messages import COLOR, MAX_TOTAL
from bot.engine.source_types import SourceHealth
from bot.engine.standings import ChartStanding
from bot.engine.stored import ChartInfo, ChartLine
from bot.engine.titles import Candidate
from bot.service.status import SourceReport, StatusReport

MAX_FIELDS = 25
MAX_FIELD = 1024
MAX_CHARTS = 6
FOOTER_ROOM = 40  # characters kept for the "and N more charts" footer


def rank_embed(
    title: Candidate, standings: Sequence[ChartStanding], markets: Sequence[str]
) -> discord.Embed:
    embed = discord.Embed(title=escape(title.label)[:256], color=COLOR)
    if not standings:
        embed.description = "Not on any stored chart yet."
        return embed
    size = len(embed.title or "") + FOOTER_ROOM
    shown = 0
    for standing in standings[:MAX_CHARTS]:
        when = (
            "" if standing.current else f" (last charted; the chart is at {standing.chart_latest})"
        )
        lines = [
            f"{label}: {value}" if label else value
            for label, value in standing_rows(standing, markets)
        ]
        name = escape(f"{standing.heading} · {standing.period}{when}")[:256]
        value = "\n".join(lines)[:MAX_FIELD]
        if size + len(name) + len(value) > MAX_TOTAL:
            break  # Discord refuses an embed over 6,000 characters in all
        embed.add_field(name=name, value=value, inline=False)
        size += len(name) + len(value)
        shown += 1
    if len(standings) > shown:
        embed.set_footer(text=f"and {len(standings) - shown} more charts")
    return embed


def top_embed(
    chart: ChartInfo, country: str, lines: Sequence[ChartLine], previous: Sequence[ChartLine]
) -> discord.Embed:
    embed = discord.Embed(title=f"{chart.heading} · {countries.label(country)}"[:256], color=COLOR)
    before = {line.title_id: line.rank for line in previous}
    rows = []
    for line in lines[:50]:
        name = f"**{escape(line.title)}**"
        if line.artist:
            name += f" — {escape(line.artist)}"
        if line.season and line.season != line.title:
            name += f" ({escape(line.season.removeprefix(line.title + ': '))})"
        moved = _movement(before.get(line.title_id), line.rank, bool(previous))
        rows.append(f"`{line.rank:>2}` {name} {moved}")
    embed.description = (
        "\n".join(rows)[:4096] if rows else "No chart for this country in the latest period."
    )
    embed.set_footer(text=f"chart of {chart.latest}")
    return embed


def _movement(before: int | None, now: int, had_previous: bool) -> str:
    if not had_previous:
        return ""
    if before is None:
        return "🆕"
    if before > now:
        return f"▲{before - now}"
    if before < now:
        return f"▼{now - before}"
    return "="


def status_embed(report: StatusReport) -> discord.Embed:
    """Each source's health for a server: short reasons only (see `public_reason`)."""
    embed = discord.Embed(title="chartbot status", color=COLOR)
    icons = {
        SourceHealth.OK: "🟢",
        SourceHealth.FAILING: "🟠",
        SourceHealth.DISABLED: "🔴",
        SourceHealth.NEW: "⚪",
    }
    size = len(embed.title or "") + 2 * FOOTER_ROOM  # the footer, and "and N more sources"
    for shown, source in enumerate(report.sources):
        name, value = escape(source.name), "\n".join(_source_lines(source, icons))[:MAX_FIELD]
        last_field = shown == MAX_FIELDS - 1 and len(report.sources) > MAX_FIELDS
        if last_field or size + len(name) + len(value) > MAX_TOTAL:
            # Discord refuses an embed of more than 25 fields or 6,000 characters in all.
            more = len(report.sources) - shown
            embed.add_field(name="…", value=f"and {more} more sources", inline=False)
            break
        embed.add_field(name=name, value=value, inline=False)
        size += len(name) + len(value)
    embed.set_footer(text=f"{counted(report.waiting, 'alert')} waiting to be delivered")
    return embed


def _source_lines(source: SourceReport, icons: dict[SourceHealth, str]) -> list[str]:
    state = source.state
    status = source.health
    lines = [f"health: {icons[status]} {status}"]
    if not source.enabled:
        lines = ["off in the config"]
    if state and state.failures and state.failing_since:
        lines.append(
            f"failing since {discord.utils.format_dt(state.failing_since, 'R')} "
            f"({state.failures} failures in a row)"
        )
    if status is SourceHealth.DISABLED:
        lines.append("paused: `chartbot poll` tries it again by hand")
    if state and state.last_ok_at:
        lines.append(f"last good poll: {discord.utils.format_dt(state.last_ok_at, 'R')}")
    if source.next_poll and source.enabled:
        lines.append(f"next poll: {discord.utils.format_dt(source.next_poll, 'R')}")
    if source.latest:
        lines.append(f"latest chart: {source.latest}")
    failure = source.failure
    if failure is not None:
        lines.append(f"last error: {public_reason(failure.kind, failure.status)}")
    if source.skipped:
        names = ", ".join(escape(f.name) for f in source.skipped[:5])
        lines.append(f"skipped files (tried again when they change): {names}")
    return lines
