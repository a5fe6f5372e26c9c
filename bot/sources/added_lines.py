"""Reading only what a whole-history file adds to the one stored before.

Netflix's per-country file carries every week since 2021 in every download,
and a new download is the previous one with a week's lines inserted (at the
head of each country's block). Checking all of its 54,520 lines again each
week costs a full parse; finding the added lines costs a few byte searches.

`added_lines` cuts out the lines dated after the newest stored period and
hands back both parts. The caller trusts the cut only when what is left hashes
to the body last stored exactly as it was: then every old line is byte for
byte one that was checked and stored before, and only the added lines need
reading. Anything else (a rewritten past week, a line removed, new lines at the
very end, a file sorted some other way) leaves the caller to read the whole
body as usual, so this is only ever a shortcut, never a different answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

# More periods added at once than this and the whole body is read instead.
MAX_ADDED_PERIODS = 8

Span = tuple[int, int]  # [start, end) of a run of lines in the body, line ends included


@dataclass(frozen=True, slots=True)
class Cut:
    """A body and the lines in it that are dated after the newest stored period."""

    body: bytes
    spans: list[Span]  # the added lines, in body order
    periods: list[str]  # the periods of the added lines, as written

    @property
    def added(self) -> bytes:
        """The added lines, each with its line end."""
        return b"".join(self.body[a:b] for a, b in self.spans)

    def rest(self) -> Iterator[memoryview]:
        """The body without the added lines, in pieces (not copied): the body stored before."""
        whole, at = memoryview(self.body), 0
        for start, end in self.spans:
            yield whole[at:start]
            at = end
        yield whole[at:]


def added_lines(body: bytes, *, column: int, latest: str) -> Cut | None:
    """Find the lines whose `column` holds a date after `latest`; None if that is unclear.

    Candidates are found where a sorted file puts them, at its first and last
    lines (again once those are set aside), so a file sorted newest first per
    block or oldest first overall are both found.
    """
    start = body.find(b"\n") + 1  # past the header
    if start == 0 or column < 0:
        return None
    spans: list[Span] = []
    periods: list[str] = []
    while len(periods) < MAX_ADDED_PERIODS:
        period = _newer_edge_period(body, start, spans, column, latest, periods)
        if period is None:
            break
        found = _lines_with(body, start, column, period.encode())
        if found is None:
            return None
        spans = sorted(spans + found)
        periods.append(period)
    if not periods:
        return None
    return Cut(body, spans, periods)


def _newer_edge_period(
    body: bytes, start: int, spans: list[Span], column: int, latest: str, seen: list[str]
) -> str | None:
    """A period after `latest` in the first or last line left, not found already."""
    for line in _edge_lines(body, start, spans):
        field = _field(line.rstrip(b"\r\n"), column)
        if field is None:
            continue
        try:
            period = field.decode("ascii")
            if date.fromisoformat(period).isoformat() != period:
                continue
        except ValueError:
            continue
        if period > latest and period not in seen:
            return period
    return None


def _edge_lines(body: bytes, start: int, spans: list[Span]) -> tuple[bytes, bytes]:
    """The first and the last line from `start` on that no span covers."""
    first = start
    for a, b in spans:
        if a == first:
            first = b
    end = len(body)
    for a, b in reversed(spans):
        if b == end:
            end = a
    while end > first and body[end - 1] in b"\r\n":  # the last line's line end
        end -= 1
    last = max(first, body.rfind(b"\n", first, end) + 1)
    line_end = body.find(b"\n", first)
    return body[first : line_end if line_end != -1 else len(body)], body[last:end]


def _field(line: bytes, column: int) -> bytes | None:
    fields = line.split(b"\t")
    return fields[column] if column < len(fields) else None


def _lines_with(body: bytes, start: int, column: int, value: bytes) -> list[Span] | None:
    """(start, end) of every line whose `column` is `value`, line end included.

    Such lines come in runs sharing their first fields (a country's block), so
    the lines after a match are tried against its prefix before searching on.
    """
    spans = []
    at = body.find(value, start)
    while at != -1:
        line_start = body.rfind(b"\n", 0, at) + 1
        after = at + len(value)
        if not (
            (at == line_start or body[at - 1] == 9)  # a tab before, or the line's start
            and body[after : after + 1] in (b"\t", b"\r", b"\n", b"")
            and body.count(b"\t", line_start, at) == column
        ):
            at = body.find(value, after)
            continue
        run_start, line_end = line_start, body.find(b"\n", after)
        prefix = body[line_start : after + 1]  # the fields up to `value`, and its tab
        while line_end != -1:
            line_start = line_end + 1
            if not (prefix.endswith(b"\t") and body.startswith(prefix, line_start)):
                break
            line_end = body.find(b"\n", line_start + len(prefix))
        if line_end == -1:  # the last line, with no line end: the old ending is unknown
            return None
        spans.append((run_start, line_start))
        at = body.find(value, line_start)
    return spans
