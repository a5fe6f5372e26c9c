"""The world map that goes with a channel's #1-count alert: drawn once per alert (in a
worker thread, from the stored ranks) and the same bytes attached for every server."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict

from bot.engine.events import NumberOneCount
from bot.engine.model import WORLDWIDE, chart_heading
from bot.i18n import Language, texts
from bot.pictures import worldmap
from bot.store.thread import ReadPool

log = logging.getLogger(__name__)

KEPT = 32  # maps kept for reuse: a poll's #1-count alerts, many times over


class AlertMaps:
    def __init__(self, reads: ReadPool) -> None:
        self.reads = reads
        self._drawn: OrderedDict[str, asyncio.Future[bytes | None]] = OrderedDict()

    async def png(self, event: NumberOneCount, language: Language) -> bytes | None:
        """The map for an alert in a language; every caller for the same alert and language
        shares one drawing. None when there is nothing to draw or drawing failed (the alert
        goes without it)."""
        key = f"{event.key}|{language.value}"
        drawing = self._drawn.get(key)
        if drawing is None:
            drawing = self._drawn[key] = asyncio.ensure_future(self._draw(event, language))
            while len(self._drawn) > KEPT:
                self._drawn.popitem(last=False)
        self._drawn.move_to_end(key)
        return await asyncio.shield(drawing)

    async def _draw(self, event: NumberOneCount, language: Language) -> bytes | None:
        try:
            ranks, shape = await self.reads.call(
                lambda store: store.charts.title_period(
                    event.source, event.chart, event.period, event.title_key
                )
            )
            label = await self.reads.call(lambda store: store.sources.label(event.source))
            ranks = {c: r for c, r in ranks.items() if c != WORLDWIDE}
            if shape.countries <= 3 or not worldmap.drawable(ranks):
                return None
            return await asyncio.to_thread(
                worldmap.world_map_png,
                title=event.title if event.artist is None else f"{event.title} — {event.artist}",
                chart=chart_heading(label, event.chart),
                period=event.period,
                ranks=ranks,
                depth=shape.depth,
                t=texts(language),
            )
        except Exception:
            log.warning("could not draw the map for %s", event.key, exc_info=True)
            return None
