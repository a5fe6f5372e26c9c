"""A config's validation errors said as its author reads them: the file, the key (a source
by its name), and what is wrong in plain words, never pydantic's own texts."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ValidationError

from bot.config.kinds import SOURCE_MODELS, SourceKind


def describe(exc: ValidationError, data: dict[str, Any], source: str, root: Any) -> str:
    """A validation error as the lines a config's author reads: where (a source by its
    name), and what is wrong in plain words (`root`: the model the file fills)."""
    lines = []
    for error in exc.errors():
        loc = _location(error["loc"], data)
        message = _plain(error)
        if error["type"] == "extra_forbidden":
            message = "unknown key" + _suggestion(error["loc"], root)
        elif error["type"] == "union_tag_invalid":
            message = (
                f"unknown kind {error['input'].get('kind')!r} "
                f"(known kinds: {', '.join(sorted(_source_kinds()))})"
            )
        elif error["type"] == "union_tag_not_found":
            message = f"needs a 'kind' (one of: {', '.join(sorted(_source_kinds()))})"
        lines.append(f"{source}: {loc}: {message}" if loc else f"{source}: {message}")
    return "\n".join(lines)


# What pydantic's error types mean, in the words of a config file (its own texts name
# Python types and regular expressions).
_PLAIN = {
    "missing": "is required",
    "string_type": "should be text, in quotes",
    "int_type": "should be a whole number",
    "int_parsing": "should be a whole number",
    "int_from_float": "should be a whole number",
    "float_type": "should be a number",
    "float_parsing": "should be a number",
    "bool_type": "should be true or false",
    "bool_parsing": "should be true or false",
    "list_type": "should be a list, in [ ]",
    "dict_type": "should be a table of keys",
    "model_type": "should be a table of keys",
    "path_type": "should be a path, in quotes",
    "string_too_short": "should not be empty",
}


def _plain(error: Any) -> str:
    kind, context = error["type"], error.get("ctx") or {}
    if kind in _PLAIN:
        message = _PLAIN[kind]
    elif kind == "string_too_long":
        message = f"should be at most {context.get('max_length')} characters"
    elif kind in ("greater_than_equal", "greater_than"):
        message = f"should be at least {context.get('ge', context.get('gt'))}"
    elif kind in ("less_than_equal", "less_than"):
        message = f"should be at most {context.get('le', context.get('lt'))}"
    elif kind == "literal_error":
        message = f"should be one of {context.get('expected')}"
    elif kind in ("too_short", "too_long"):
        message = str(error["msg"]).replace("List", "the list")
    else:
        return str(error["msg"]).removeprefix("Value error, ")
    given = error.get("input")
    shown = isinstance(given, str | int | float | bool) and kind != "missing"
    return f"{message} (it is {given!r})" if shown else message


def _location(loc: tuple[Any, ...], data: dict[str, Any]) -> str:
    """Where an error is, as the file says it: a source by its name (`source "usdaily",
    every`), a list item by its place."""
    parts: list[str] = []
    items = list(loc)
    if len(items) >= 2 and items[0] == "sources" and isinstance(items[1], int):
        parts.append(_source_said(data, items[1]))
        items = items[2:]
    for item in items:
        if isinstance(item, int):
            parts[-1:] = [f"{parts[-1]}[{item}]"] if parts else [f"[{item}]"]
        elif item in _source_kinds():
            continue  # the discriminated union adds the kind as a level of its own
        else:
            parts.append(str(item))
    if parts and parts[0].startswith("source "):
        return parts[0] + (", " + ".".join(parts[1:]) if parts[1:] else "")
    return ".".join(parts)


def _source_said(data: dict[str, Any], index: int) -> str:
    """`source "usdaily"`, or `source #2` when it has no usable name."""
    sources = data.get("sources")
    item = sources[index] if isinstance(sources, list) and index < len(sources) else None
    name = item.get("name") if isinstance(item, dict) else None
    return f'source "{name}"' if isinstance(name, str) and name else f"source #{index + 1}"


def _source_kinds() -> set[str]:
    return {kind.value for kind in SOURCE_MODELS}


def _suggestion(loc: tuple[Any, ...], root: Any) -> str:
    """' (did you mean 'every'?)' for a misspelt key, from the keys the model accepts."""
    model: Any = root
    for item in loc[:-1]:
        if isinstance(item, int) or model is None:
            continue
        if item in _source_kinds():
            model = SOURCE_MODELS[SourceKind(item)]
            continue
        field = model.model_fields.get(item) if hasattr(model, "model_fields") else None
        annotation = field.annotation if field else None
        model = _model_of(annotation)
    if model is None or not hasattr(model, "model_fields"):
        return ""
    close = difflib.get_close_matches(str(loc[-1]), list(model.model_fields), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _model_of(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_of(arg)
        if found is not None:
            return found
    return None
