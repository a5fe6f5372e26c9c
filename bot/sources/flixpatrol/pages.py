"""FlixPatrol's pages, read: a country page's "TOP 10 …" sections, a world page's lists by
points and its table of each country's #1s. Pure: bytes in, a `FlixPatrolPage` out.

The page says what it is in its `<title>` ("TOP 10 on Netflix in India on December 6,
2025 • FlixPatrol"): platform, country (or the world) and day are read from there, never
from the config. Sections are found by their heading's text and the nearest element
around it that holds rows, not by their order on the page (FlixPatrol has moved its
containers several times). What is not found is said in one line ending with "the layout
probably changed"; a challenge or login page in place of a chart is refused as such. The
selectors are a config model, so a user can mend them the day the site moves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from selectolax.lexbor import LexborHTMLParser, LexborNode

from bot import countries
from bot.config import FlixPatrolSelectors
from bot.engine.model import WORLDWIDE, ChartRow
from bot.engine.source_types import FailureKind
from bot.sources.base import ParseError
from bot.sources.html import layout_changed

LAYOUT = "the layout probably changed"
_MONTHS = {
    name: number
    for number, name in enumerate(
        (
            "january february march april may june july august september october november december"
        ).split(),
        1,
    )
}
_DAY = r"(?P<month>[A-Za-z]+) (?P<day>\d{1,2}), (?P<year>\d{4})"
_PAGE_TITLE = re.compile(rf"^TOP \d+ on (?P<platform>.+?) in (?P<place>.+?) on {_DAY}\b")
_SECTION = re.compile(r"^TOP\s+\d+\s+(?P<chart>\S.*)$", re.IGNORECASE)
_WORLD_LIST = re.compile(rf"^TOP\s+(?P<chart>.+?)\s+on\s+.+?\s+on\s+{_DAY}$", re.IGNORECASE)
_BY_COUNTRY = re.compile(r"\bby country$", re.IGNORECASE)
_RANK = re.compile(r"^(\d{1,3})\.?$")
_DAYS_IN_CHART = re.compile(r"^(\d+)\s*d$")
_CHANGE = re.compile(r"^[+-]\d+$")
_SLUG = re.compile(r"/title/([^/]+)/?")
# The by-country table's columns, and the chart each one's #1s belong to.
BY_COUNTRY_CHARTS = {"top overall": "Overall", "top movie": "Movies", "top tv show": "TV Shows"}
WORLDWIDE_SUFFIX = " worldwide"  # a world page's list by points: "Movies worldwide"
# What a page that is no chart at all carries, in place of one.
_CHALLENGE = re.compile(
    r"just a moment|attention required|verify (?:that )?you are (?:a )?human|captcha|"
    r"cf-chl|challenge-platform|access denied|are you a robot|ddos protection|"
    r"enable javascript and cookies",
    re.IGNORECASE,
)
_LOGIN = re.compile(r"\b(?:log ?in|sign ?in)\b", re.IGNORECASE)


class PageKind(StrEnum):
    COUNTRY = "country"  # /top10/<platform>/<country>/[<date>/]: full lists
    WORLD = "world"  # /top10/<platform>/[world/<date>/]: lists by points, #1s by country


@dataclass(frozen=True, slots=True)
class CountryLink:
    """A country's page for the same day, as the world page links it."""

    country: str
    path: str  # "/top10/disney/albania/2026-05-10/"


@dataclass(slots=True)
class FlixPatrolPage:
    kind: PageKind
    platform: str  # as the page names it: "Disney+", "Amazon Prime"
    country: str | None  # a country page's ISO code; None on a world page
    day: date
    rows: list[ChartRow] = field(default_factory=list)
    # A world page's country pages of the day (by-country table links), by code.
    country_links: dict[str, CountryLink] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def period(self) -> str:
        return self.day.isoformat()


def read_page(
    html: str, *, selectors: FlixPatrolSelectors | None = None, name: str = "the page"
) -> FlixPatrolPage:
    """One FlixPatrol page, read; ParseError naming what was not found."""
    selectors = selectors or FlixPatrolSelectors()
    tree = LexborHTMLParser(html)
    title = _text(tree.css_first("title"))
    if title is None or not (found := _PAGE_TITLE.match(title)):
        raise not_a_chart(tree, title, name)
    day = _day(found, name)
    place = found["place"].strip()
    world = place.casefold() in ("the world", "world")
    page = FlixPatrolPage(
        kind=PageKind.WORLD if world else PageKind.COUNTRY,
        platform=found["platform"].strip(),
        country=None if world else _country(place, name),
        day=day,
    )
    if world:
        _read_world(tree, page, selectors, name)
    else:
        _read_country(tree, page, selectors, name)
    return page


def not_a_chart(tree: LexborHTMLParser, title: str | None, name: str) -> ParseError:
    """Why a page is not a FlixPatrol chart: a challenge or login page, or another page."""
    body = tree.html or ""
    if _CHALLENGE.search(title or "") or _CHALLENGE.search(body[:20_000]):
        return ParseError(
            f"{name} is not a chart: a challenge page (FlixPatrol answers many clients with "
            "one); its official API (api_key) is the reliable way to poll it",
            kind=FailureKind.CHALLENGE_PAGE,
        )
    if tree.css_first("input[type=password]") is not None or _LOGIN.search(title or ""):
        return ParseError(
            f"{name} is not a chart: a login page; FlixPatrol's official API (api_key) is the "
            "reliable way to poll it",
            kind=FailureKind.CHALLENGE_PAGE,
        )
    shown = f"“{title[:80]}”" if title else "none"
    return ParseError(
        f"{name} is not a FlixPatrol chart page: its title is {shown}, not “TOP 10 on "
        f"<platform> in <country> on <date>” ({LAYOUT})",
        kind=FailureKind.LAYOUT_CHANGED,
    )


def _read_country(
    tree: LexborHTMLParser, page: FlixPatrolPage, selectors: FlixPatrolSelectors, name: str
) -> None:
    assert page.country is not None
    charts = 0
    for heading in tree.css(selectors.headings):
        text = _text(heading) or ""
        found = _SECTION.match(text)
        if not found or _PAGE_TITLE.match(text):
            continue  # the page's own title; "Top ranked Movies … by day": not a top list
        chart = " ".join(found["chart"].split())
        rows = _rows_near(heading, selectors)
        if not rows:
            raise layout_changed(f"{name}: the section “{_text(heading)}” has no rows ({LAYOUT})")
        for rank, cells, row in _ranked(rows, f"{name}: {chart}"):
            title, slug = _title(row, selectors, f"{name}: {chart} #{rank}")
            change = cells[1] if len(cells) > 1 else ""
            days = _DAYS_IN_CHART.match(cells[-1].replace("\xa0", " ")) if cells else None
            extra = {"slug": slug} if slug else {}
            if _CHANGE.match(change):
                extra["change"] = change
            page.rows.append(
                ChartRow(
                    chart=chart,
                    period=page.period,
                    country=page.country,
                    rank=rank,
                    title=title,
                    weeks=int(days[1]) if days else None,
                    extra=extra or None,
                )
            )
        charts += 1
    if not charts:
        raise layout_changed(f"{name}: found no “TOP 10 …” section ({LAYOUT})")


def _read_world(
    tree: LexborHTMLParser, page: FlixPatrolPage, selectors: FlixPatrolSelectors, name: str
) -> None:
    lists = table = 0
    for heading in tree.css(selectors.headings):
        text = _text(heading) or ""
        if _BY_COUNTRY.search(text):
            _read_by_country(heading, page, selectors, name)
            table += 1
            continue
        found = _WORLD_LIST.match(text)
        if not found or _PAGE_TITLE.match(text):
            continue
        chart = " ".join(found["chart"].split()) + WORLDWIDE_SUFFIX
        rows = _rows_near(heading, selectors)
        if not rows:
            raise layout_changed(f"{name}: the list “{text}” has no rows ({LAYOUT})")
        for rank, cells, row in _ranked(rows, f"{name}: {chart}"):
            title, slug = _title(row, selectors, f"{name}: {chart} #{rank}")
            points = next((c for c in cells[2:] if c.replace(",", "").isdigit()), None)
            extra = {k: v for k, v in (("slug", slug), ("points", points)) if v}
            page.rows.append(
                ChartRow(chart, page.period, WORLDWIDE, rank, title, extra=extra or None)
            )
        lists += 1
    if not lists:
        raise layout_changed(f"{name}: found no list “TOP … on <platform> on <date>” ({LAYOUT})")
    if not table:
        raise layout_changed(f"{name}: found no table of the top titles “by country” ({LAYOUT})")


def _read_by_country(
    heading: LexborNode, page: FlixPatrolPage, selectors: FlixPatrolSelectors, name: str
) -> None:
    """Each country's #1 in each chart the table has a column for (#1-only charts)."""
    container = _container(heading, "table")
    table = container.css_first("table") if container is not None else None
    if table is None:
        raise layout_changed(f"{name}: the “by country” section has no table ({LAYOUT})")
    header = [(_text(th) or "").casefold() for th in table.css("thead th")]
    if not header or header[0] != "country":
        raise layout_changed(f"{name}: the “by country” table has no country column ({LAYOUT})")
    charts = {i: BY_COUNTRY_CHARTS.get(h) for i, h in enumerate(header) if i}
    unknown = [header[i] for i, chart in charts.items() if chart is None]
    if unknown:
        page.notes.append(f"columns not read in the table by country: {', '.join(unknown)}")
    rows = table.css("tbody tr")
    if not rows:
        raise layout_changed(f"{name}: the “by country” table has no rows ({LAYOUT})")
    for row in rows:
        cells = row.css("td")
        if not cells:
            continue
        code = _flag(cells[0], selectors) or countries.lookup(_text(cells[0]) or "")
        if code is None:
            raise ParseError(
                f"{name}: the table by country names an unknown country “{_text(cells[0])}”"
            )
        link = cells[0].css_first("a")
        if link is not None and (path := link.attributes.get("href")):
            page.country_links[code] = CountryLink(code, path)
        for index, chart in charts.items():
            if chart is None or index >= len(cells):
                continue
            title = _cell_title(cells[index], selectors)
            if title is not None:
                page.rows.append(ChartRow(chart, page.period, code, 1, title))


def _rows_near(heading: LexborNode, selectors: FlixPatrolSelectors) -> list[LexborNode]:
    """The ranked rows of a heading's section: in the nearest element around the heading
    that holds any (its card, or the section it is in)."""
    container = _container(heading, selectors.rows)
    return container.css(selectors.rows) if container is not None else []


def _container(node: LexborNode, holds: str) -> LexborNode | None:
    current = node.parent
    while current is not None and current.tag not in ("body", "html"):
        if current.css_first(holds) is not None:
            return current
        current = current.parent
    return None


def _ranked(rows: list[LexborNode], where: str) -> list[tuple[int, list[str], LexborNode]]:
    """Rows with their rank (1, 2, 3 … in order) and their cells' text."""
    ranked = []
    for expected, row in enumerate(rows, 1):
        cells = [(_text(td) or "") for td in row.css("td")]
        found = _RANK.match(cells[0]) if cells else None
        if found is None:
            raise layout_changed(f"{where}: row {expected} has no rank ({LAYOUT})")
        rank = int(found[1])
        if rank != expected:
            raise layout_changed(
                f"{where}: the ranks are not 1 to {len(rows)} in order (#{rank} where "
                f"#{expected} was expected; {LAYOUT})"
            )
        ranked.append((rank, cells, row))
    return ranked


def _title(row: LexborNode, selectors: FlixPatrolSelectors, where: str) -> tuple[str, str | None]:
    """A row's title (its link's text) and FlixPatrol's slug for it."""
    link = row.css_first(selectors.title)
    title = _cell_title(row, selectors)
    if title is None:
        raise layout_changed(f"{where}: no title ({LAYOUT})")
    href = link.attributes.get("href") if link is not None else None
    slug = _SLUG.search(href or "")
    return title, slug[1] if slug else None


def _cell_title(cell: LexborNode, selectors: FlixPatrolSelectors) -> str | None:
    """The text of the title's link (its poster is a picture, without text)."""
    link = cell.css_first(selectors.title)
    return _text(link) if link is not None else None


def _flag(cell: LexborNode, selectors: FlixPatrolSelectors) -> str | None:
    marked = cell.css_first(selectors.flag)
    for name in (marked.attributes.get("class") or "").split() if marked is not None else ():
        if name.startswith("fflag-") and len(name) == 8:
            code = countries.lookup(name[-2:])
            if code is not None:
                return code
    return None


def _day(found: re.Match[str], name: str) -> date:
    month = _MONTHS.get(found["month"].casefold())
    try:
        if month is None:
            raise ValueError
        return date(int(found["year"]), month, int(found["day"]))
    except ValueError:
        when = f"{found['month']} {found['day']}, {found['year']}"
        raise layout_changed(f"{name}: “{when}” in its title is not a date ({LAYOUT})") from None


def _country(place: str, name: str) -> str:
    code = countries.lookup(place)
    if code is None or code == WORLDWIDE:
        raise ParseError(f"{name}: “{place}” in its title is not a country we know")
    return code


def _text(node: LexborNode | None) -> str | None:
    if node is None:
        return None
    return " ".join((node.text() or "").split()) or None


def looks_like(head: str) -> str | None:
    """What a file's start says it is, when it is a saved FlixPatrol page."""
    lower = head.lower()
    return "a FlixPatrol page" if "<html" in lower and "flixpatrol" in lower else None
