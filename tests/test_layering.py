"""How the package's modules depend on each other: each package of ``bot`` imports only the
packages the table below lets it (arrows point down: documents -> ingest -> store -> retrieve ->
compose -> deliver), no module reaches itself again through others (0 import cycles, counting
the imports inside functions), and every module imports cleanly in a fresh interpreter."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

BOT = ROOT / "bot"

#: Modules of ``bot`` every package may import: they import nothing of ours.
FOUNDATION = {"bot.settings", "bot.text"}
#: What each part of ``bot`` may import besides itself and :data:`FOUNDATION`, top to bottom.
MAY_IMPORT: dict[str, set[str]] = {
    "bot.__main__": {"bot.cli"},
    "bot.cli": {"bot.service", "bot.local", "bot.telegram", "bot.storage", "bot.ce", "bot.career",
                "bot.answers", "bot.content"},
    "bot.service": {"bot.telegram", "bot.storage", "bot.ce", "bot.career", "bot.answers",
                    "bot.content"},
    "bot.local": {"bot.telegram", "bot.storage", "bot.ce", "bot.career", "bot.answers",
                  "bot.content"},
    "bot.telegram": {"bot.storage", "bot.ce", "bot.career", "bot.answers", "bot.content"},
    "bot.storage": {"bot.ce", "bot.career"},
    "bot.ce": {"bot.career", "bot.content"},
    "bot.answers": {"bot.content"},
    "bot.career": {"bot.content"},
    "bot.content": set(),
    "bot.settings": set(),
    "bot.text": set(),
    "bot": set(),
}
#: The pure domain: importing all of it loads nothing of these.
PURE = ("bot.content", "bot.career", "bot.ce")
NOT_PURE = ("bot.storage", "bot.telegram", "bot.service", "bot.local", "bot.cli", "bot.answers")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(BOT.rglob("*.py"))}


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, anywhere in it (``from bot import x`` counts as
    ``bot.x``, since ``x`` may be a module)."""
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the file's package
                package = path.relative_to(ROOT).with_suffix("").parts[:-node.level]
                base = ".".join([*package, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def unit(module: str) -> str:
    """The row of :data:`MAY_IMPORT` a module of ``bot`` belongs to: its package, or itself."""
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in MAY_IMPORT or ".".join(parts[:n]) in FOUNDATION:
            return ".".join(parts[:n])
    raise KeyError(module)


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> the modules of ``bot`` it imports (at module level or in a function)."""
    return {name: {m for m in imported_modules(path) if m in modules and m != name}
            for name, path in modules.items()}


def violations(graph: dict[str, set[str]]) -> list[str]:
    found = []
    for source, targets in sorted(graph.items()):
        mine = unit(source)
        allowed = {mine} | MAY_IMPORT.get(mine, set()) | (
            FOUNDATION if mine not in FOUNDATION else set())
        found += [f"{source} -> {target}" for target in sorted(targets)
                  if unit(target) not in allowed]
    return found


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_every_module_belongs_to_a_row_of_the_table() -> None:
    assert {"bot.content", "bot.answers", "bot.career", "bot.ce", "bot.storage", "bot.telegram",
            "bot.service", "bot.cli"} <= set(MODULES)
    unplaced = []
    for name in MODULES:
        try:
            unit(name)
        except KeyError:
            unplaced.append(name)
    assert not unplaced, f"add a row to MAY_IMPORT for {unplaced}"


def test_each_package_imports_only_the_packages_below_it() -> None:
    assert violations(import_graph(MODULES)) == []


def test_there_are_no_import_cycles_between_modules() -> None:
    cycles = import_cycles(import_graph(MODULES))
    assert len(cycles) == 0, cycles


def test_the_checks_see_imports_inside_functions_and_catch_what_they_look_for(tmp_path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from bot.telegram.sending import send_html\n\n\n"
                      "def g():\n    from bot.telegram import app\n", "utf-8")
    names = imported_modules(sample)
    assert {"bot.telegram.sending", "bot.telegram.app"} <= names
    # a CE module that reaches up into the front end, and storage into the web service
    assert violations({"bot.ce.model": {"bot.telegram.sending"},
                       "bot.storage.db": {"bot.service.web"},
                       "bot.telegram.app": {"bot.storage.store", "bot.settings"}}) == [
        "bot.ce.model -> bot.telegram.sending", "bot.storage.db -> bot.service.web"]
    # a cycle through three modules, one of the imports inside a function
    graph = {"bot.a": {"bot.b"}, "bot.b": {"bot.c"}, "bot.c": {"bot.a"}, "bot.d": {"bot.a"}}
    assert import_cycles(graph) == [["bot.a", "bot.b", "bot.c"]]


_FRESH = r"""
import importlib, json, pkgutil, sys
import bot
everything = sorted(m.name for m in pkgutil.walk_packages(bot.__path__, "bot."))
walked = set(sys.modules)  # walking imports the packages themselves (their __init__ files)
pure = [name for name in everything if name.startswith(tuple(p + "." for p in PURE))]
for name in pure:
    importlib.import_module(name)
after_pure = sorted(m for m in set(sys.modules) - walked
                    if m.startswith(tuple(p + "." for p in NOT_PURE)))
errors = {}
for name in everything:
    if name in ("bot.__main__", "bot.storage.migrations.env"):  # the bot; alembic only
        continue
    try:
        importlib.import_module(name)
    except Exception as exc:  # report every failure, not the first
        errors[name] = f"{type(exc).__name__}: {exc}"
print(json.dumps({"pure": pure, "after_pure": after_pure, "modules": everything,
                  "errors": errors}))
"""


def test_every_module_imports_fresh_and_the_domain_loads_nothing_above_it() -> None:
    result = subprocess.run(
        [sys.executable, "-c", f"PURE = {PURE!r}\nNOT_PURE = {NOT_PURE!r}\n{_FRESH}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert {"bot.ce.rules", "bot.ce.parsing", "bot.ce.model", "bot.ce.loader",
            "bot.career.model", "bot.content.documents"} <= set(report["pure"])
    assert report["after_pure"] == [], "importing the domain loaded modules above it"
    assert report["errors"] == {}
    # the old flat modules are gone, with no shims left behind
    old = {"bot.knowledge", "bot.states", "bot.kb_figures", "bot.embedding", "bot.retrieval",
           "bot.replies", "bot.templates", "bot.batching", "bot.engine", "bot.conversation",
           "bot.career_loader", "bot.telegram_app", "bot.sending", "bot.formatting",
           "bot.metrics", "bot.web", "bot.inbox", "bot.migrations", "bot.console",
           "bot.evaluation", "bot.bench", "bot.bench_nudges", "bot.ce.chat", "bot.ce.nudges",
           "bot.ce_rules", "bot.ce_credentials", "bot.ce_chart", "bot.ce_chat"}
    assert not old & set(report["modules"])
    assert not (BOT / "career_data").exists() and not (BOT / "migrations").exists()
    assert set(report["modules"]) == set(MODULES) - {"bot"}
