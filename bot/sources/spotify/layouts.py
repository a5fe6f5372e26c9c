"""The three table layouts Spotify chart files come in, told apart by their header.

- charts.spotify.com downloads: `rank, uri, artist_names, track_name, source, peak_rank,
  previous_rank, weeks_on_chart | days_on_chart, streams`;
- spotifycharts.com downloads (2017 - 2022): `Position, "Track Name", Artist, Streams,
  URL`, usually after a first line `,,,"Note that these figures are generated …",`;
- the combined dataset that gathers them (one CSV of every region and day):
  `title, rank, date, artist, url, region, chart, trend, streams`, regions by name.

Whatever the layout, a song is known the same way: its title and its lead artist (the
old downloads name only the lead artist, the others every artist), with the track id
from the URI or URL kept beside it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import Enum

from bot.engine.model import ChartRow
from bot.sources.base import ParseError
from bot.sources.tabular import optional_number, whole_number

# Spotify lists artists as "A, B, C"; these names have a comma of their own.
COMMA_NAMES = (
    "Tyler, The Creator",
    "Earth, Wind & Fire",
    "Crosby, Stills, Nash & Young",
    "Crosby, Stills & Nash",
    "Emerson, Lake & Palmer",
    "Blood, Sweat & Tears",
    "Peter, Bjorn and John",
)
TRACK_URL = "https://open.spotify.com/track/"
NOTE_LINE = ',,,"Note that'  # the first line of most spotifycharts.com downloads


class Layout(Enum):
    CHARTS = "a charts.spotify.com download"
    SPOTIFYCHARTS = "a spotifycharts.com download"
    COMBINED = "the combined Spotify charts dataset"

    @property
    def columns(self) -> tuple[str, ...]:
        return _COLUMNS[self]


_COLUMNS = {
    Layout.CHARTS: ("rank", "track_name", "artist_names"),
    Layout.SPOTIFYCHARTS: ("position", "track name", "artist"),
    Layout.COMBINED: ("title", "rank", "date", "artist", "url", "region", "chart"),
}


def layout_of(columns: Sequence[str]) -> Layout | None:
    """The layout a header (lower-case column names) belongs to, or None."""
    names = set(columns)
    for layout in (Layout.COMBINED, Layout.CHARTS, Layout.SPOTIFYCHARTS):
        if names.issuperset(layout.columns):
            return layout
    return None


def without_note(text: str) -> tuple[str, int]:
    """The text from its header on, and how many lines were left out before it
    (spotifycharts.com's note line, if any)."""
    if text.startswith(NOTE_LINE):
        return text.partition("\n")[2], 1
    return text, 0


def lead_artist(credit: str) -> str:
    """'Jung Kook, Latto' -> 'Jung Kook'; 'Tyler, The Creator, Kali Uchis' keeps the comma
    of 'Tyler, The Creator'."""
    for name in COMMA_NAMES:
        if credit.startswith(name):
            return name
    return credit.split(", ", 1)[0]


def track_uri(url: str) -> str | None:
    """'https://open.spotify.com/track/1rgnBhdG2JDFTbYkYRZAku' -> 'spotify:track:1rgn…'."""
    if url.startswith(TRACK_URL):
        return "spotify:track:" + url[len(TRACK_URL) :].split("?")[0]
    return url if url.startswith("spotify:track:") else None


def streams(value: str) -> str | None:
    """'253019.0' (the combined dataset's floats) or '"39202729"' -> '253019'; '' -> None."""
    value = value.strip().removesuffix(".0")
    return value if value.isdigit() else None


def song_row(
    *,
    chart: str,
    period: str,
    country: str,
    rank: str,
    title: str,
    credit: str,
    rename: Callable[[str], str],
    weeks: int | None = None,
    extra: dict[str, str],
) -> ChartRow:
    """A chart row for a song, known by its title and lead artist; the rest kept as extras."""
    if not title:
        raise ValueError("the track name is empty")
    lead = lead_artist(credit) if credit else None
    if lead and lead != credit:
        extra["artists"] = credit
    return ChartRow(
        chart=chart,
        period=period,
        country=country,
        rank=whole_number(rank, "rank"),
        title=rename(title),
        artist=lead,
        weeks=weeks,
        extra={k: v for k, v in extra.items() if v} or None,
    )


def download_row(
    layout: Layout,
    fields: dict[str, str],
    *,
    chart: str,
    period: str,
    country: str,
    rename: Callable[[str], str],
) -> ChartRow:
    """One row of a single-chart download (either download layout)."""
    if layout is Layout.CHARTS:
        return song_row(
            chart=chart,
            period=period,
            country=country,
            rank=fields["rank"],
            title=fields["track_name"],
            credit=fields["artist_names"],
            rename=rename,
            # Daily downloads count days in the chart, weekly ones weeks.
            weeks=optional_number(fields.get("days_on_chart") or fields.get("weeks_on_chart", "")),
            extra={
                "uri": fields.get("uri", ""),
                "streams": streams(fields.get("streams", "")) or "",
                "peak_rank": fields.get("peak_rank", ""),
                "previous_rank": fields.get("previous_rank", ""),
                "source": fields.get("source", ""),
            },
        )
    if layout is Layout.SPOTIFYCHARTS:
        return song_row(
            chart=chart,
            period=period,
            country=country,
            rank=fields["position"],
            title=fields["track name"],
            credit=fields["artist"],
            rename=rename,
            extra={
                "uri": track_uri(fields.get("url", "")) or "",
                "streams": streams(fields.get("streams", "")) or "",
            },
        )
    raise ParseError(f"{layout.value} is not a single chart's download")


def table_advice(columns: Sequence[str]) -> str:
    """For a header no Spotify layout has: the `table` source's mapping that would read it."""
    picks = {
        "rank": ("rank", "position", "pos", "#", "place"),
        "title": ("title", "track", "track name", "track_name", "song", "name"),
        "artist": ("artist", "artists", "artist_names", "performer"),
        "country": ("country", "region", "market"),
        "period": ("date", "week", "day", "period"),
    }
    mapping = []
    for key, names in picks.items():
        found = next((c for c in columns if c in names), None)
        if found is not None:
            mapping.append(f'{key} = "{found}"')
    if not any(m.startswith("rank") for m in mapping) or not any(
        m.startswith("title") for m in mapping
    ):
        mapping = ['rank = "…"', 'title = "…"', 'artist = "…"']
    return (
        'for another layout, set up a `table` source: kind = "table", '
        f"columns = {{ {', '.join(mapping)} }} (see config.example.toml)"
    )


def looks_like(head: str) -> str | None:
    """What a file's start says it is, when it is one of Spotify's chart files."""
    text, _ = without_note(head.lstrip("\ufeff"))
    header = text.partition("\n")[0]
    layout = layout_of([c.strip().strip('"').lower() for c in header.split(",")])
    return layout.value if layout else None
