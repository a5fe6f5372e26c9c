"""The package's layers, checked: what each part may import, and no cycles between parts."""

from __future__ import annotations

import ast
from collections import defaultdict
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

BOT = Path(__file__).parent.parent / "bot"

# What each part may import from the rest of bot/ (the README's "How it is built").
# `countries`, `bulk` and `faults` are leaves: helpers that import nothing of ours.
LEAVES = {"countries", "bulk", "faults", "logs"}
ALLOWED = {
    "engine": set(),
    "alerts": {"engine", "countries"},
    "config": {"engine", "countries"},
    "store": {"engine"},
    "pictures": {"engine", "countries"},
    "sources": {"engine", "config", "bulk", "countries", "children"},
    "children": {"config"},  # how chartbot starts a process of its own
    "delivery": {"engine", "alerts", "store", "faults", "countries", "pictures"},
    "pipeline": {"engine", "alerts", "store", "sources", "bulk", "faults"},
    **{leaf: set() for leaf in LEAVES},
}


def _is_part(name: str) -> bool:
    return (BOT / f"{name}.py").exists() or (BOT / name).is_dir()


def imports_between_parts() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for path in BOT.rglob("*.py"):
        part = path.relative_to(BOT).parts[0].removesuffix(".py")
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
            for module in modules:
                if module.startswith("bot.") and module.split(".")[1] != part:
                    graph[part].add(module.split(".")[1])
    return graph


def test_no_part_imports_one_above_it():
    graph = imports_between_parts()
    assert graph["engine"] == set()  # the pure core imports nothing of ours
    for part, allowed in ALLOWED.items():
        assert graph[part] <= allowed, f"{part} imports {sorted(graph[part] - allowed)}"


def test_the_parts_have_no_import_cycle():
    try:
        order = list(TopologicalSorter(imports_between_parts()).static_order())
    except CycleError as exc:
        raise AssertionError(f"an import cycle: {exc.args[1]}") from None
    assert order.index("engine") < order.index("pipeline") < order.index("service")
    assert order.index("service") < order.index("discord")
