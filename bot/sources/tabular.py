"""Reading tables (CSV, TSV, JSON) into rows of named fields, with line-numbered errors.

Shared by the Spotify source and the generic `table` source. Columns are found
by name (case and surrounding spaces ignored), so extra or reordered columns
are fine and a missing one is named.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from typing import Any

from bot.engine.source_types import FailureKind
from bot.sources.base import ParseError
from bot.sources.decode import not_a_table

csv.field_size_limit(1024 * 1024)


def table_rows(
    text: str, fmt: str, *, json_rows: str | None = None, offset: int = 0
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, {column: value}) for each data row; ParseError for a broken table.

    `offset`: lines of the file before `text` (a note line left out), counted in line numbers.
    """
    if fmt == "json":
        yield from _json_rows(text, json_rows)
        return
    if refused := not_a_table(text, fmt.upper()):
        raise refused
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter="\t" if fmt == "tsv" else ",", strict=True
    )
    try:
        header = next(reader)
    except StopIteration:
        raise ParseError(f"an empty {fmt.upper()}", kind=FailureKind.EMPTY_BODY) from None
    except csv.Error as exc:
        raise ParseError(f"line {1 + offset}: {exc}") from None
    names = [name.strip().lower() for name in header]
    if len(names) < 2:
        raise ParseError(f"the first line is not a {fmt.upper()} header: {','.join(header)[:60]!r}")
    count = 0
    try:
        for fields in reader:
            if not any(field.strip() for field in fields):
                continue
            if len(fields) != len(names):
                raise ParseError(
                    f"line {reader.line_num + offset} has {len(fields)} fields where the header "
                    f"has {len(names)}"
                    + (" (the file looks cut off)" if len(fields) < len(names) else ""),
                    kind=FailureKind.CUT_OFF
                    if len(fields) < len(names)
                    else FailureKind.UNREADABLE,
                )
            count += 1
            yield (
                reader.line_num + offset,
                dict(zip(names, (f.strip() for f in fields), strict=True)),
            )
    except csv.Error as exc:
        raise ParseError(
            f"line {reader.line_num + offset}: {exc} (the file looks cut off)",
            kind=FailureKind.CUT_OFF,
        ) from None
    if count == 0:
        raise ParseError("the table has a header but no rows")


def _json_rows(text: str, path: str | None) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        refused = not_a_table(text, "JSON table")
        raise refused or ParseError(f"not JSON: {exc.msg} (line {exc.lineno})") from None
    for part in (path or "").split("."):
        if not part:
            continue
        if not isinstance(data, dict) or part not in data:
            raise ParseError(f"the JSON has no {path!r} (missing {part!r})")
        data = data[part]
    if not isinstance(data, list) or not data:
        raise ParseError(f"the JSON at {path or 'the top level'!r} is not a list of rows")
    for index, item in enumerate(data, 1):
        if not isinstance(item, dict):
            raise ParseError(f"row {index} of the JSON is not an object")
        yield index, {str(k).strip().lower(): _text(v) for k, v in item.items()}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    return json.dumps(value) if isinstance(value, dict | list) else str(value)


def require(columns: Sequence[str], row: dict[str, str], what: str) -> None:
    missing = [c for c in columns if c and c.lower() not in row]
    if missing:
        raise ParseError(f"the {what} lacks {', '.join(missing)} (found: {', '.join(row)[:200]})")


def whole_number(value: str, name: str, *, low: int = 1, high: int = 10_000) -> int:
    if not (value.isascii() and value.lstrip("-").isdigit()) or not low <= int(value) <= high:
        raise ValueError(f"{name} {value!r} is not a whole number from {low} to {high}")
    return int(value)


def optional_number(value: str) -> int | None:
    value = value.strip().replace(",", "")
    if value.isascii() and value.lstrip("-").isdigit():
        return int(value)
    return None
