"""Embeds for the commands' answers, within Discord's limits (25 fields, 1024 a field)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import discord

from bot import countries
from bot.alerts.render import escape, standing_rows
from bot.delivery.messages import COLOR
from bot.engine.standings import ChartStanding
from bot.engine.titles import Candidate
from bot.store.base import ChartInfo, ChartLine, SourceState

MAX_FIELDS = 25
MAX_FIELD = 1024
MAX_CHARTS = 6


def rank_embed(
    title: Candidate, standings: Sequence[ChartStanding], markets: Sequence[str]
) -> discord.Embed:
    embed = discord.Embed(title=escape(title.label)[:256], color=COLOR)
    if not standings:
        embed.description = "Not on any stored chart yet."
        return embed
    for standing in standings[:MAX_CHARTS]:
        when = (
            "" if standing.current else f" (last charted; the chart is at {standing.chart_latest})"
        )
        lines = [
            f"{label}: {value}" if label else value
            for label, value in standing_rows(standing, markets)
        ]
        embed.add_field(
            name=f"{standing.source} · {standing.chart} · {standing.period}{when}"[:256],
            value="\n".join(lines)[:MAX_FIELD],
            inline=False,
        )
    if len(standings) > MAX_CHARTS:
        embed.set_footer(text=f"and {len(standings) - MAX_CHARTS} more charts")
    return embed


def top_embed(
    chart: ChartInfo, country: str, lines: Sequence[ChartLine], previous: Sequence[ChartLine]
) -> discord.Embed:
    embed = discord.Embed(
        title=f"{chart.source} · {chart.name} · {countries.label(country)}"[:256], color=COLOR
    )
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


def status_embed(
    states: Sequence[tuple[str, SourceState | None, str | None, datetime | None]],
    pending: int,
) -> discord.Embed:
    """(source name, its state, latest period, next poll) per source."""
    embed = discord.Embed(title="chartbot status", color=COLOR)
    icons = {"ok": "🟢", "failing": "🟠", "disabled": "🔴", "new": "⚪"}
    for name, state, latest, next_poll in states[:MAX_FIELDS]:
        status = state.status if state else "new"
        lines = [f"health: {icons.get(status, '⚪')} {status}"]
        if state and state.failures and state.failing_since:
            lines.append(
                f"failing since {discord.utils.format_dt(state.failing_since, 'R')} "
                f"({state.failures} failures in a row)"
            )
        if status == "disabled":
            lines.append("paused: `chartbot poll --once` tries it again by hand")
        if state and state.last_ok_at:
            lines.append(f"last good poll: {discord.utils.format_dt(state.last_ok_at, 'R')}")
        if next_poll:
            lines.append(f"next poll: {discord.utils.format_dt(next_poll, 'R')}")
        if latest:
            lines.append(f"latest chart: {latest}")
        if state and state.status != "ok" and state.last_error:
            lines.append(f"last error: {escape(state.last_error)[:300]}")
        if state and state.skipped:
            names = ", ".join(escape(name) for name in sorted(state.skipped)[:5])
            lines.append(f"skipped files (tried again when they change): {names}")
        embed.add_field(name=name, value="\n".join(lines)[:MAX_FIELD], inline=False)
    embed.set_footer(text=f"{pending} alerts waiting to be delivered")
    return embed
