"""The package's layers, checked: what each part may import, and no cycles between parts."""

from __future__ import annotations

import ast
from collections import defaultdict
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

BOT = Path(__file__).parent.parent / "bot"

# What each part may import from the rest of bot/ (the README's "How it is built").
# `languages`, `bulk`, `faults`, `logs` and `clock` are leaves: helpers that import nothing
# of ours; `children` (how chartbot starts a process) reads the config.
LEAVES = {"languages", "bulk", "faults", "logs", "clock"}
ALLOWED = {
    "countries": {"languages"},  # names in every language chartbot speaks, for lookups
    "i18n": {"countries", "languages"},  # the words of each language (and country names)
    "engine": {"countries", "languages"},  # worldwide rows' country; a destination's language
    "alerts": {"engine", "countries", "i18n"},
    "config": {"engine", "countries", "languages"},
    "store": {"engine", "clock", "languages", "forecast"},  # forecasts' dataclasses
    "pictures": {"engine", "countries", "i18n", "languages", "children"},
    "children": {"config"},
    "data": set(),  # the world's shapes, and the script that made them
    "forecast": set(),  # pure: ranks in, examples, models and scores out
    "sources": {"engine", "config", "bulk", "countries", "children"},
    "delivery": {"engine", "alerts", "store", "faults", "countries", "pictures", "clock", "i18n"},
    "pipeline": {"engine", "alerts", "store", "sources", "bulk", "faults", "clock"},
    "importer": {
        "engine",
        "alerts",
        "store",
        "sources",
        "pipeline",
        "config",
        "bulk",
        "faults",
        "clock",
    },
    "service": {
        "engine",
        "config",
        "countries",
        "store",
        "sources",
        "pipeline",
        "children",
        "clock",
        "logs",
        "languages",
        "forecast",
    },
    # The faces: through service (and the pure parts), never the store ...
    "discord": {
        "engine",
        "alerts",
        "config",
        "countries",
        "delivery",
        "pictures",
        "service",
        "clock",
        "logs",
        "i18n",
    },
    "terminal": {"engine", "alerts", "config", "importer", "service", "logs", "i18n"},
    "demo": {
        "i18n",
        "engine",
        "config",
        "countries",
        "pipeline",
        "service",
        "sources",
        "store",
        "terminal",
    },
    **{leaf: set() for leaf in LEAVES},
}
# ... but for the bot itself, which opens the store's writer thread and readers for the
# cogs to call service functions on (its composition root), and the CLI's one table of the
# errors a user can cause.
EXCEPTIONS = {"discord/client.py": {"store"}, "cli/base.py": {"store", "sources"}}


def _is_part(name: str) -> bool:
    return (BOT / f"{name}.py").exists() or (BOT / name).is_dir()


def parts_imported(path: Path) -> set[str]:
    """The parts of bot/ one file imports (its own part left out)."""
    part = path.relative_to(BOT).parts[0].removesuffix(".py")
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "bot":
            # from bot import x: a part when x is a module or package of ours
            modules = [f"bot.{a.name}" for a in node.names if _is_part(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module]
        elif isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        else:
            continue
        found |= {m.split(".")[1] for m in modules if m.startswith("bot.")}
    return found - {part}


def imports_between_parts(*, exceptions: bool = True) -> dict[str, set[str]]:
    """part -> the parts it imports (`exceptions`: counting the files allowed more)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for path in BOT.rglob("*.py"):
        if not exceptions and path.relative_to(BOT).as_posix() in EXCEPTIONS:
            continue
        graph[path.relative_to(BOT).parts[0].removesuffix(".py")] |= parts_imported(path)
    return graph


def test_no_part_imports_one_above_it():
    graph = imports_between_parts(exceptions=False)
    # The pure core imports nothing of ours but the country codes and the languages (leaves,
    # no I/O).
    assert graph["engine"] == {"countries", "languages"}
    for part, allowed in ALLOWED.items():
        assert graph[part] <= allowed, f"{part} imports {sorted(graph[part] - allowed)}"
    for file, more in EXCEPTIONS.items():
        part = file.split("/")[0].removesuffix(".py")
        allowed = ALLOWED.get(part, set()) | more
        if part == "cli":  # the command line is the top: any face or library part below it
            allowed |= {
                "config",
                "countries",
                "demo",
                "discord",
                "engine",
                "forecast",
                "i18n",
                "importer",
                "languages",
                "logs",
                "service",
                "terminal",
            }
        assert parts_imported(BOT / file) <= allowed, file


def test_every_part_has_its_rule():
    parts = {p for p in imports_between_parts() if p not in ("cli", "__main__", "__init__")}
    assert parts <= set(ALLOWED), sorted(parts - set(ALLOWED))


def test_the_parts_have_no_import_cycle():
    try:
        order = list(TopologicalSorter(imports_between_parts()).static_order())
    except CycleError as exc:
        raise AssertionError(f"an import cycle: {exc.args[1]}") from None
    assert order.index("engine") < order.index("pipeline") < order.index("service")
    assert order.index("service") < order.index("discord")
