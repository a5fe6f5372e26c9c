"""The generic `table` source: any chart published as CSV, TSV or JSON.

The config's `columns` say which column holds the rank, the title and
(optionally) the artist, country, period, chart and weeks in chart; `extra`
columns are kept with each row. A country, period or chart the file does not
carry is fixed in the config: `country = "US"`, `period = "today"` (the day of
the poll), `"filename"` (a date in the file's name) or a date, `chart = "Hot 100"`.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlparse

import aiohttp

from bot import countries
from bot.config import HtmlSourceConfig, TableSourceConfig
from bot.engine.model import ChartRow, PeriodUnit
from bot.engine.source_types import FailureKind, ValidatorMap
from bot.engine.titles import mended
from bot.sources.base import (
    NOTHING_KNOWN,
    ImportPart,
    Keep,
    Known,
    ParseError,
    Snapshot,
    SourceError,
    Target,
    Unchanged,
    content_hash,
    keep_all,
)
from bot.sources.configured import ConfiguredSource
from bot.sources.decode import decode
from bot.sources.tabular import optional_number, require, table_rows, whole_number

DatedConfig = TableSourceConfig | HtmlSourceConfig  # a source with period settings
DATE_IN_NAME = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})")
# Date layouts people's tables use, tried in this order to suggest a period_format.
COMMON_DATE_FORMATS = (
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%Y/%m/%d",
    "%d-%m-%Y",
    "%m-%d-%Y",
    "%Y%m%d",
    "%b %d, %Y",
    "%B %d, %Y",
    "%d %b %Y",
    "%d %B %Y",
    "%m/%d/%y",
    "%d/%m/%y",
)


def parse_table(
    body: bytes,
    config: TableSourceConfig,
    *,
    name: str = "",
    today: date | None = None,
    keep: Keep = keep_all,
    rename: Callable[[str], str] = str,
    body_hash: str | None = None,
) -> Snapshot:
    """Parse one table body as the config maps it; ParseError says which line and why.

    `body_hash` is the body's content hash when the caller has it already.
    """
    columns = config.columns
    wanted = [
        columns.rank,
        columns.title,
        columns.artist,
        columns.country,
        columns.period,
        columns.chart,
        columns.weeks,
    ]
    fixed_period = _fixed_period(config.period, name, today or datetime.now(UTC).date())
    snapshot = Snapshot(
        source=config.name, content_hash=body_hash or content_hash(body, config.model_dump_json())
    )
    countries_seen: dict[str, str] = {}
    periods_seen: dict[str, str] = {}
    checked = False
    for line, fields in table_rows(decode(body), config.table_format, json_rows=config.json_rows):
        if not checked:
            require([c.lower() for c in wanted if c], fields, "table")
            checked = True
        try:
            row = ChartRow(
                chart=fields[columns.chart.lower()]
                if columns.chart
                else (config.chart or config.name),
                period=_period(fields, config, fixed_period, periods_seen),
                country=_country(fields, config, countries_seen),
                rank=whole_number(fields[columns.rank.lower()], "rank"),
                title=rename(_title(fields[columns.title.lower()])),
                artist=(mended(fields.get(columns.artist.lower()) or "") or None)
                if columns.artist
                else None,
                weeks=optional_number(fields[columns.weeks.lower()]) if columns.weeks else None,
                extra={c: fields[c.lower()] for c in columns.extra if fields.get(c.lower())}
                or None,
            )
            if not row.chart:
                raise ValueError("the chart name is empty")
            snapshot.add(row, keep)
        except ValueError as exc:
            raise ParseError(f"line {line}: {exc}") from None
        except KeyError as exc:
            raise ParseError(f"line {line}: no column {exc}") from None
    if config.period_unit is not None:
        snapshot.units = {chart: PeriodUnit(config.period_unit) for chart, _ in snapshot.periods}
    return snapshot


def _title(value: str) -> str:
    if not value:
        raise ValueError("the title is empty")
    return mended(value)  # a spreadsheet's export may have decoded it wrongly


def fixed_period_of(setting: str, name: str, today: date) -> str | None:
    """The period a `period` setting fixes for a file of this name (None: from a column)."""
    return _fixed_period(setting, name, today)


def _fixed_period(setting: str, name: str, today: date) -> str | None:
    if setting == "today":
        return today.isoformat()
    if setting == "filename":
        found = DATE_IN_NAME.search(Path(name).name)
        if found is None:
            raise ParseError(
                f"no date like 2024-01-06 in the file name {Path(name).name!r}",
                kind=FailureKind.NO_DATE_IN_NAME,
            )
        try:
            return date(int(found[1]), int(found[2]), int(found[3])).isoformat()
        except ValueError:
            raise ParseError(f"{found[0]} in the file name is not a date") from None
    return setting


def _period(
    fields: dict[str, str], config: TableSourceConfig, fixed: str | None, seen: dict[str, str]
) -> str:
    column = config.columns.period
    if column is None:
        assert fixed is not None
        return fixed
    return period_of(fields[column.lower()], config, seen)


def period_of(value: str, config: DatedConfig, seen: dict[str, str]) -> str:
    """A period as a table writes it, as an ISO day (`seen`: those read already)."""
    if value not in seen:
        try:
            if config.period_format:
                seen[value] = datetime.strptime(value, config.period_format).date().isoformat()
            else:
                seen[value] = date.fromisoformat(value[:10]).isoformat()
        except ValueError:
            raise ValueError(period_advice(value, config)) from None
    return seen[value]


def period_advice(value: str, config: DatedConfig) -> str:
    """Why a period is not read, and the setting (with an example) that would read it."""
    where = f'source "{config.name}"'
    if config.period_format:
        return (
            f"period {value!r} does not match period_format = {config.period_format!r} of "
            f"{where} (see Python's strftime codes)"
        )
    fits = [f for f in COMMON_DATE_FORMATS if _parses(value, f)]
    if not fits:
        return (
            f"period {value!r} is not a date like 2024-01-06: set period_format in {where} "
            'to its layout (strftime codes, e.g. "%m/%d/%Y")'
        )
    other = f' (or "{fits[1]}" if the day comes first)' if len(fits) > 1 else ""
    return (
        f'period {value!r} is not a date like 2024-01-06: set period_format = "{fits[0]}"'
        f"{other} in {where} to read it"
    )


def _parses(value: str, layout: str) -> bool:
    try:
        datetime.strptime(value.strip(), layout)
    except ValueError:
        return False
    return True


def _country(fields: dict[str, str], config: TableSourceConfig, seen: dict[str, str]) -> str:
    column = config.columns.country
    if column is None:
        assert config.country is not None
        return config.country
    value = fields[column.lower()]
    if value not in seen:
        code = countries.lookup(value)
        if code is None:
            raise ValueError(f"unknown country {value!r}")
        seen[value] = code
    return seen[value]


class Table(ConfiguredSource):
    """The `table` source."""

    config: TableSourceConfig

    async def fetch_snapshot(
        self,
        *,
        session: aiohttp.ClientSession,
        validators: ValidatorMap,
        known: Known = NOTHING_KNOWN,
        target: Target | None = None,
    ) -> Snapshot | Unchanged:
        url = self.where(target) or self.config.url
        config = self.config
        if target is not None and target.period is not None:
            config = config.model_copy(update={"period": target.period})
        return await self.fetch_parsed(
            url,
            session,
            validators,
            known,
            lambda body, body_hash, keep: parse_table(
                body,
                config,
                name=Path(urlparse(url).path).name,
                keep=keep,
                rename=self.aliases.canonical,
                body_hash=body_hash,
            ),
            salt=config.model_dump_json(),
        )

    async def import_snapshots(
        self, *, session: aiohttp.ClientSession, target: Target
    ) -> AsyncIterator[ImportPart]:
        snapshot = await self.fetch_snapshot(session=session, validators={}, target=target)
        if isinstance(snapshot, Unchanged):  # a 304 to a plain request
            raise SourceError("the server answered 304 Not Modified")
        yield ImportPart(snapshot)
