"""The world map that goes with a channel's #1-count alert: drawn once per alert and
language (in a drawing process, from the stored ranks) and the same bytes attached for
every server of that language."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict

from bot.engine.events import NumberOneCount
from bot.engine.model import WORLDWIDE, chart_heading
from bot.i18n import Language
from bot.pictures.drawing import Drawings, MapPicture
from bot.store.thread import ReadPool

log = logging.getLogger(__name__)

# Maps kept for reuse: a poll's #1-count alerts, many times over, in every language (a
# channel's messages come round the languages in turn: fewer would draw each map again and
# again; a map is about 60 kB).
KEPT = 32 * len(Language)


class AlertMaps:
    def __init__(self, reads: ReadPool, drawings: Drawings) -> None:
        self.reads = reads
        self.drawings = drawings
        self._drawn: OrderedDict[str, asyncio.Future[bytes | None]] = OrderedDict()

    def start(self, event: NumberOneCount, language: Language) -> asyncio.Future[bytes | None]:
        """The drawing of an alert's map in a language, started now if it was not: a round
        starts every map it will send, in the order it will send them, so that they are
        drawn while the messages without one go out."""
        key = f"{event.key}|{language.value}"
        drawing = self._drawn.get(key)
        if drawing is None:
            drawing = self._drawn[key] = asyncio.ensure_future(self._draw(event, language))
            self._forget_drawn()
        self._drawn.move_to_end(key)
        return drawing

    def _forget_drawn(self) -> None:
        """Past KEPT, the oldest maps drawn go (never one being drawn: a round waits for
        those, and forgetting one would start it again)."""
        for key in [k for k, drawing in self._drawn.items() if drawing.done()]:
            if len(self._drawn) <= KEPT:
                break
            del self._drawn[key]

    async def png(self, event: NumberOneCount, language: Language) -> bytes | None:
        """The map for an alert in a language; every caller for the same alert and language
        shares one drawing. None when there is nothing to draw or drawing failed (the alert
        goes without it)."""
        return await asyncio.shield(self.start(event, language))

    async def _draw(self, event: NumberOneCount, language: Language) -> bytes | None:
        try:
            ranks, shape = await self.reads.call(
                lambda store: store.charts.title_period(
                    event.source, event.chart, event.period, event.title_key
                )
            )
            label = await self.reads.call(lambda store: store.sources.label(event.source))
            ranks = {c: r for c, r in ranks.items() if c != WORLDWIDE}
            if shape.countries <= 3:
                return None
            title = event.title if event.artist is None else f"{event.title} — {event.artist}"
            picture = MapPicture(
                title, chart_heading(label, event.chart), event.period, ranks, shape.depth, language
            )
            return await self.drawings.png(picture)
        except Exception:
            log.warning("could not draw the map for %s", event.key, exc_info=True)
            return None
