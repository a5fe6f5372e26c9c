"""Turning fetched bytes into text lines, and recognising bodies that are not charts.

Servers hand back surprising things in place of a chart: an HTML error page,
`null`, an empty body, a gzip file, UTF-16 from a spreadsheet export, a byte
order mark, CRLF line ends. Each is either handled here or named clearly.
"""

from __future__ import annotations

import codecs
import zlib
from collections.abc import Iterator
from pathlib import Path

from bot.engine.source_types import FailureKind
from bot.sources.base import ParseError

_GZIP_MAGIC = b"\x1f\x8b"


def gunzip(body: bytes, max_size: int) -> bytes:
    """Decompress a gzip body (a .tsv.gz file), refusing one that inflates past max_size."""
    if not body.startswith(_GZIP_MAGIC):
        return body
    inflater = zlib.decompressobj(wbits=31)
    try:
        data = inflater.decompress(body, max_size + 1)
    except zlib.error as exc:
        raise ParseError(f"a broken gzip file: {exc}", kind=FailureKind.CUT_OFF) from None
    if len(data) > max_size:
        raise ParseError(
            f"the gzip file inflates past the {human_size(max_size)} limit",
            kind=FailureKind.TOO_LARGE,
        )
    if not inflater.eof:
        raise ParseError("a gzip file that is cut off", kind=FailureKind.CUT_OFF)
    return data


def decode(body: bytes) -> str:
    """Bytes -> text: UTF-8 (with or without BOM), or UTF-16 when it says so with a BOM."""
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        return body.decode(encoding)
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        raise ParseError(
            f"not {encoding.removesuffix('-sig').upper()} text "
            f"(bad byte 0x{body[exc.start]:02x} on line {line})",
            kind=FailureKind.NOT_TEXT,
        ) from None


def utf8(body: bytes) -> bytes:
    """The body as UTF-8 bytes without a byte-order mark (UTF-16 with a BOM is converted).

    Big files are read line by line from bytes: a decoded copy of a whole file with
    one accented title in it costs two to four bytes a character.
    """
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode(body).encode("utf-8")
    return body.removeprefix(codecs.BOM_UTF8)


# Bodies are split into lines a piece of about this size at a time: splitting in C is
# quick, and a big body is never copied whole.
SPLIT_PIECE = 1 << 20


def byte_lines(body: bytes) -> Iterator[bytes]:
    """Lines of a body split on LF (CRLF tolerated), as bytes, without copying a big body."""
    start, end = 0, len(body)
    while start < end:
        stop = end
        if end - start > SPLIT_PIECE:  # up to the last line end in the next piece
            stop = body.rfind(b"\n", start, start + SPLIT_PIECE)
            if stop == -1:  # one line longer than a piece
                stop = body.find(b"\n", start + SPLIT_PIECE)
                stop = end if stop == -1 else stop
        piece = body[start:stop]
        lines = piece.split(b"\n")
        if stop == end and piece.endswith(b"\n"):
            lines.pop()  # nothing after the last line end
        if b"\r" in piece:
            lines = [line.removesuffix(b"\r") for line in lines]
        yield from lines
        start = stop + 1


def not_a_table(text: str, expected: str) -> ParseError | None:
    """Why a body is plainly not the expected table (to raise), or None when it may be one."""
    head = text.lstrip()[:200].lower()
    if not head:
        return ParseError(f"an empty body, not a {expected}", kind=FailureKind.EMPTY_BODY)
    if head.startswith(("<!doctype", "<html", "<?xml", "<head", "<body")) or "<html" in head:
        return ParseError(f"an HTML page, not a {expected}", kind=FailureKind.HTML_PAGE)
    if head.rstrip() in ("null", "none", "undefined", "{}", "[]", '""'):
        return ParseError(f"{text.strip()[:20]!r}, not a {expected}", kind=FailureKind.JSON_BODY)
    if head.startswith(("{", "[")):
        return ParseError(f"JSON, not a {expected}", kind=FailureKind.JSON_BODY)
    return None


def human_size(size: float) -> str:
    for unit in ("bytes", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")


def file_head(path: Path, size: int = 1 << 16) -> str:
    """The start of a file as text, whatever it is (a gzip file inflated, bytes that are not
    UTF-8 replaced), for saying what it looks like; "" when it cannot be read."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(size)
    except OSError:
        return ""
    if raw.startswith(_GZIP_MAGIC):
        try:
            raw = zlib.decompressobj(wbits=31).decompress(raw, size)
        except zlib.error:
            return ""
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if raw.startswith(bom):
            return raw[len(bom) :].decode(codec, errors="replace")
    return raw.decode("utf-8", errors="replace")
