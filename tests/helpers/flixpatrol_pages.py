"""FlixPatrol pages the tests write themselves, in the markup of the real ones (see
../shared/data/pages/flixpatrol/): a world page (lists by points, #1s by country, links to
the day's country pages) and a country page ("TOP 10 …" sections). Days after a real
page are written from its rows, with the changes a test asks for."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from html import escape

from bot import countries

BY_COUNTRY_COLUMNS = {"Overall": "top overall", "Movies": "top movie", "TV Shows": "top tv show"}


def day_text(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def country_path(slug: str, country: str, day: date) -> str:
    """Where a world page links a country's page of the day: /top10/disney/albania/2026-05-10/."""
    return f"/top10/{slug}/{_slug(countries.name(country))}/{day.isoformat()}/"


def _title_cell(title: str | None) -> str:
    if title is None:
        return '<td class="table-td"> </td>'
    return (
        f'<td class="table-td"> <a class="flex gap-2 hover:underline items-center" '
        f'href="/title/{_slug(title)}/"> <div class="table-image table-poster-1"><picture>'
        f'<img alt="{escape(title)}" src="/p.jpg"></picture></div> '
        f'<div class="leading-6">{escape(title)}</div> </a> </td>'
    )


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en" class="bg-gray-950"><head>'
        '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />'
        f"<title>{escape(title)} • FlixPatrol</title></head>"
        f'<body class="flex flex-col pt-13 text-gray-300">{body}</body></html>'
    )


def world_page(
    platform: str,
    slug: str,
    day: date,
    lists: Mapping[str, Sequence[tuple[str, int]]],
    by_country: Mapping[str, Mapping[str, str]],
) -> str:
    """A world page: `lists` chart -> [(title, points)] by rank ("Movies", "TV Shows");
    `by_country` country code -> chart -> its #1."""
    when = day_text(day)
    parts = [f'<h1 class="text-h1">TOP 10 on {escape(platform)} in the World on {when}</h1>']
    for chart, rows in lists.items():
        section = _slug(chart)
        cells = "".join(
            f'<tr class="table-group"><td class="table-td w-12">{rank}.</td>'
            f'<td class="table-td w-1/2"><a href="/title/{_slug(title)}/" class="flex">'
            f'<div class="table-image"><picture><img alt="{escape(title)}"></picture></div>'
            f"<div>{escape(title)}</div></a></td>"
            f'<td class="table-td w-12 text-right">{points}</td><td class="table-td"></td></tr>'
            for rank, (title, points) in enumerate(rows, 1)
        )
        parts.append(
            f'<div id="toc-{slug}-{section}" class="content mb-12"><div class="flex">'
            f'<h2 class="mb-4"><span></span><span>TOP {escape(chart)} on {escape(platform)} on '
            f'{when}</span></h2></div><div class="-mx-content"><div class="card">'
            f'<table class="card-table"><tbody class="tabular-nums">{cells}</tbody></table>'
            "</div></div></div>"
        )
    heads = "".join(f'<th class="table-th">{h}</th>' for h in BY_COUNTRY_COLUMNS.values())
    rows_html = "".join(
        f'<tr class="table-group"><td class="table-td"><a href="{country_path(slug, code, day)}" '
        'class="hover:underline">'
        f'<span class="fflag ff-sm fflag-{code}"></span>{escape(countries.name(code))}</a></td>'
        + "".join(_title_cell(charts.get(chart)) for chart in BY_COUNTRY_COLUMNS)
        + "</tr>"
        for code, charts in sorted(by_country.items())
    )
    parts.append(
        f'<div class="content mb-12"><h2 class="mb-4"><span></span><span>TOP Movies and TV '
        f"Shows on {escape(platform)} on {when} by country</span></h2><div "
        'class="-mx-content"><div class="card"><table class="card-table"><thead>'
        f'<tr class="table-head"><th class="table-th">country</th>{heads}</tr></thead>'
        f"<tbody>{rows_html}</tbody></table></div></div></div>"
    )
    return _page(f"TOP 10 on {platform} in the World on {when}", "".join(parts))


def country_page(
    platform: str, country: str, day: date, sections: Mapping[str, Sequence[str]]
) -> str:
    """A country page: `sections` chart -> titles by rank ("Movies", "TV Shows")."""
    when = day_text(day)
    name = countries.name(country)
    parts = [f'<h2 class="text-h2">{escape(platform)} TOP 10 in {escape(name)} on {when}</h2>']
    for chart, titles in sections.items():
        cells = "".join(
            f'<tr class="table-group"><td class="table-td w-12">{rank}.</td>'
            '<td class="table-td w-10"><div class="inline-flex">–</div></td>'
            f'<td class="table-td"> <a href="/title/{_slug(title)}/" class="hover:underline">'
            f'{escape(title)}</a> </td><td class="table-td text-right">{rank + 2}\xa0d</td></tr>'
            for rank, title in enumerate(titles, 1)
        )
        parts.append(
            f'<div class="card -mx-content"><div class="card-header"><h3 class="text-h3">TOP 10 '
            f'{escape(chart)}</h3></div><table class="card-table"><tbody>{cells}</tbody>'
            "</table></div>"
        )
    return _page(f"TOP 10 on {platform} in {name} on {when}", "".join(parts))
