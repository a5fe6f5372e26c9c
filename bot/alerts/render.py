"""The one place alert text is made from events.

`markdown()` is what Discord gets: titles are untrusted text, so their
markdown is escaped and anything that looks like a mention is broken up (the
sender also sets allowed mentions to none). `plain()` is the same sentence for
a terminal or a log line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bot import countries
from bot.engine.events import (
    Entered,
    Event,
    Left,
    Moved,
    NewNumberOne,
    NumberOneCount,
)
from bot.engine.titles import display

_MARKDOWN = re.compile(r"([\\*_~|`\[\]<>])")
_LINE_START = re.compile(r"^([#>\-+]|\d+\.)(?=\s)")
_MENTION = re.compile(r"@(?=\S)")
_ZERO_WIDTH_SPACE = "\u200b"


def escape(text: str) -> str:
    """Untrusted text made inert in Discord markdown: no formatting, links or mentions."""
    text = " ".join(text.split())  # no newlines: a title is one line
    text = _MARKDOWN.sub(r"\\\1", text)
    text = _LINE_START.sub(r"\\\1", text)
    return _MENTION.sub("@" + _ZERO_WIDTH_SPACE, text)


def markdown(event: Event) -> str:
    """'**All of Us Are Dead** is now #1 in 46 countries (+2)'."""
    return describe(event, lambda name: f"**{escape(name)}**")


def plain(event: Event) -> str:
    """'All of Us Are Dead is now #1 in 46 countries (+2)'."""
    return describe(event, lambda name: name)


def describe(event: Event, strong: Callable[[str], str]) -> str:
    name = strong(display(event.title, event.artist))
    match event:
        case NumberOneCount(count=count, previous=previous):
            if count == 0:
                return f"{name} is no longer #1 anywhere (was #1 in {_countries(previous)})"
            return f"{name} is now #1 in {_countries(count)} ({_signed(count - previous)})"
        case NewNumberOne(country=country, previous_rank=previous_rank):
            was = f"was #{previous_rank}" if previous_rank else "new entry"
            return f"{name} takes #1 in {countries.name(country)} ({was})"
        case Moved(country=country, rank=rank, previous_rank=previous_rank):
            verb = "climbs" if event.climbed else "falls"
            return f"{name} {verb} to #{rank} in {countries.name(country)} (was #{previous_rank})"
        case Entered(country=country, rank=rank):
            return f"{name} enters the chart at #{rank} in {countries.name(country)}"
        case Left(country=country, previous_rank=previous_rank):
            return f"{name} leaves the chart in {countries.name(country)} (was #{previous_rank})"
    raise TypeError(f"no text for event kind {event.kind!r}")


def _countries(count: int) -> str:
    return f"{count} country" if count == 1 else f"{count} countries"


def _signed(change: int) -> str:
    return f"+{change}" if change >= 0 else str(change)


def alert_json(event: Event) -> dict[str, Any]:
    """The alert as data: the event's fields, with its Discord text under 'text'."""
    data = event.to_json()
    head = {key: data.pop(key) for key in ("type", "source", "chart", "period", "title")}
    if "artist" in data:
        head["artist"] = data.pop("artist")
    return {**head, "text": markdown(event), **data}
