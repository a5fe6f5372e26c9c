"""The `html` source: any ranked HTML table, read by CSS selectors.

`rows` selects one element per ranked title; `columns` are selectors inside a row (the
first match's text) for the rank, the title, and optionally the artist, country, period,
weeks in the chart and extras. `title_split` splits an "Artist - Title" cell at its first
occurrence. A `url` with a {country} placeholder and a `countries` list reads one page per
country, one at a time with a pause (kworb's `…/country/{country}_daily.html`: one chart,
"#1 in N countries" across them). Pages are decoded as UTF-8 unless they say otherwise.
Markup that no longer matches is refused in one line, never read as an empty chart.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import aiohttp
from selectolax.lexbor import LexborHTMLParser, LexborNode

from bot import countries
from bot.config import HtmlSourceConfig
from bot.engine.model import WORLDWIDE, ChartRow, PeriodUnit
from bot.engine.source_types import FailureKind, ValidatorMap
from bot.engine.titles import mended
from bot.sources.base import (
    NOTHING_KNOWN,
    Keep,
    Known,
    ParseError,
    Snapshot,
    Target,
    Unchanged,
    keep_all,
    pieces_hash,
)
from bot.sources.configured import ConfiguredSource
from bot.sources.table import fixed_period_of, period_of
from bot.sources.tabular import optional_number

LAYOUT = "the layout probably changed"
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_RANK = re.compile(r"^\s*#?(\d{1,4})\.?\s*$")


def layout_changed(reason: str) -> ParseError:
    """A page whose markup no longer matches the selectors."""
    return ParseError(reason, kind=FailureKind.LAYOUT_CHANGED)


def page_text(body: bytes, name: str = "the page") -> str:
    """A page's text: in the charset its <meta> names, else UTF-8 (a page read as Latin-1
    when it was UTF-8 is how "ROSÃ" happens)."""
    found = _CHARSET.search(body[:4096])
    encoding = found[1].decode("ascii").lower() if found else "utf-8"
    try:
        return body.decode(encoding)
    except LookupError:
        return body.decode("utf-8", errors="replace")
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        raise ParseError(
            f"{name}: not {encoding.upper()} text (bad byte 0x{body[exc.start]:02x} on line {line})"
        ) from None


def parse_html_table(
    html: str,
    config: HtmlSourceConfig,
    *,
    country: str | None,
    name: str,
    today: datetime | None = None,
    rename: Any = str,
) -> list[ChartRow]:
    """The ranked rows of one page, as the config's selectors read them."""
    tree = LexborHTMLParser(html)
    rows = tree.css(config.rows)
    if not rows:
        raise layout_changed(f"{name}: no rows match {config.rows!r} ({LAYOUT})")
    columns = config.columns
    fixed = fixed_period_of(config.period, name, (today or datetime.now(UTC)).date())
    seen: dict[str, str] = {}
    found: list[ChartRow] = []
    for position, row in enumerate(rows, 1):
        where = f"{name}: row {position}"
        rank_text = _cell(row, columns.rank, where, "rank")
        ranked = _RANK.match(rank_text)
        if ranked is None:
            raise layout_changed(f"{where}: the rank {rank_text[:20]!r} is not a number ({LAYOUT})")
        rank = int(ranked[1])
        if rank != position:
            raise layout_changed(
                f"{name}: the ranks are not 1 to {len(rows)} in order (#{rank} where "
                f"#{position} was expected; {LAYOUT})"
            )
        # Mended: a saved page may carry text decoded wrongly once (kworb's "ROSÃ\x89").
        title = mended(_cell(row, columns.title, where, "title"))
        artist = mended(_cell(row, columns.artist, where, "artist")) if columns.artist else None
        if config.title_split and artist is None:
            before, split, after = title.partition(config.title_split)
            if split and before.strip() and after.strip():
                artist, title = before.strip(), after.strip()
        code = country
        if columns.country:
            value = _cell(row, columns.country, where, "country")
            code = countries.lookup(value)
            if code is None:
                raise ParseError(f"{where}: unknown country {value!r}")
        code = code or config.country
        if code is None:
            raise ParseError(f"{where}: no country")
        period = fixed
        if columns.period:
            try:
                period = period_of(_cell(row, columns.period, where, "period"), config, seen)
            except ValueError as exc:
                raise ParseError(f"{where}: {exc}") from None
        assert period is not None
        weeks = (
            optional_number(_cell(row, columns.weeks, where, "weeks")) if columns.weeks else None
        )
        extra = {key: text for key, sel in columns.extra.items() if (text := _text(row, sel))}
        found.append(
            ChartRow(
                chart=config.chart or config.name,
                period=period,
                country=code,
                rank=rank,
                title=rename(title),
                artist=artist,
                weeks=weeks,
                extra=extra or None,
            )
        )
    return found


def _cell(row: LexborNode, selector: str, where: str, what: str) -> str:
    text = _text(row, selector)
    if not text:
        raise layout_changed(f"{where}: no {what} at {selector!r} ({LAYOUT})")
    return text


def _text(row: LexborNode, selector: str) -> str:
    node = row.css_first(selector)
    return " ".join((node.text() or "").split()) if node is not None else ""


def url_for(template: str, country: str) -> str:
    """A country's page: {country} as a lower-case code ("us", "global"), {COUNTRY} upper."""
    code = "global" if country == WORLDWIDE else country.lower()
    return template.replace("{country}", code).replace("{COUNTRY}", code.upper())


class HtmlTable(ConfiguredSource):
    """The `html` source."""

    config: HtmlSourceConfig
    fixed_length = True

    def __init__(self, config: HtmlSourceConfig, base_dir: Path, aliases: Any = None) -> None:
        super().__init__(config, base_dir, aliases)
        if config.countries:
            self.expected_countries = frozenset(config.countries)

    async def fetch_snapshot(
        self,
        *,
        session: aiohttp.ClientSession,
        validators: ValidatorMap,
        known: Known = NOTHING_KNOWN,
        target: Target | None = None,
    ) -> Snapshot | Unchanged:
        config = self.config
        if target is not None and target.period is not None:
            config = config.model_copy(update={"period": target.period})
        location = self.where(target) or config.url
        pages = (
            [(url_for(location, c), c) for c in config.countries]
            if config.countries and "{" in location
            else [(location, None)]
        )
        answers = []
        for index, (url, _) in enumerate(pages):
            if index:
                await asyncio.sleep(config.pause.total_seconds())  # one at a time, politely
            answers.append(await self.fetch_one(url, session, validators))
        new_validators: ValidatorMap = {
            url: f.validators for (url, _), f in zip(pages, answers, strict=True)
        }
        if all(f.body is None for f in answers):
            return Unchanged(new_validators)
        bodies: list[tuple[str, str | None, bytes]] = []
        for (url, country), fetched in zip(pages, answers, strict=True):
            body = fetched.body
            if body is None:  # unchanged while others changed: the snapshot needs it all
                await asyncio.sleep(config.pause.total_seconds())
                body = (await self.fetch_one(url, session, {})).body or b""
            bodies.append((url, country, body))
        body_hash = pieces_hash((b for _, _, b in bodies), config.model_dump_json())
        if body_hash == known.content_hash:
            return Unchanged(new_validators)
        snapshot = await asyncio.to_thread(self._parse, bodies, config, body_hash, known.keep)
        snapshot.validators = new_validators
        return snapshot

    def _parse(
        self,
        bodies: list[tuple[str, str | None, bytes]],
        config: HtmlSourceConfig,
        body_hash: str,
        keep: Keep = keep_all,
    ) -> Snapshot:
        snapshot = Snapshot(source=self.name, content_hash=body_hash)
        for url, country, body in bodies:
            name = Path(urlparse(url).path).name or url
            rows = parse_html_table(
                page_text(body, name),
                config,
                country=country,
                name=name,
                rename=self.aliases.canonical,
            )
            for row in rows:
                try:
                    snapshot.add(row, keep)
                except ValueError as exc:
                    raise ParseError(f"{name}: {exc}") from None
        if config.period_unit is not None:
            snapshot.units = {
                chart: PeriodUnit(config.period_unit) for chart, _ in snapshot.periods
            }
        return snapshot


def looks_like(head: str) -> str | None:
    """What a file's start says it is, when it is a web page with a table (which may be a
    chart; a page without one, such as a login page, is nobody's)."""
    return "a web page with a table" if "<table" in head.lower() else None
