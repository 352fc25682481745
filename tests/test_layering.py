"""How the package's modules depend on each other: every module of ``bot`` imports cleanly in a
fresh interpreter, and the CE domain (``bot/ce/``) never imports the Telegram front end
(``bot.telegram.app``), at module level or inside a function: the front end imports the CE
handlers, and both send through ``bot.telegram.sending``."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

BOT = ROOT / "bot"
FRONT_END = "bot.telegram.app"


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


def test_no_module_of_the_ce_package_imports_the_telegram_front_end() -> None:
    files = sorted((BOT / "ce").rglob("*.py"))
    assert {f.stem for f in files} >= {"__init__", "rules", "loader", "credentials", "chart"}
    offenders = {
        f.relative_to(ROOT).as_posix(): sorted(
            m for m in imported_modules(f) if m == FRONT_END or m.startswith(FRONT_END + "."))
        for f in files
    }
    assert not {k: v for k, v in offenders.items() if v}


def test_the_import_check_sees_imports_inside_functions(tmp_path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from bot.telegram.app import send_html\n\n\n"
                      "def g():\n    from bot import telegram_app\n", "utf-8")
    names = imported_modules(sample)
    assert f"{FRONT_END}.send_html" in names and FRONT_END in names


_FRESH = r"""
import importlib, json, pkgutil, sys
import bot
ce = sorted(m.name for m in pkgutil.walk_packages(bot.__path__, "bot.")
            if m.name == "bot.ce" or m.name.startswith("bot.ce."))
for name in ce:
    importlib.import_module(name)
after_ce = FRONT_END in sys.modules
errors = {}
everything = sorted(m.name for m in pkgutil.walk_packages(bot.__path__, "bot."))
for name in everything:
    if name in ("bot.__main__", "bot.storage.migrations.env"):  # the bot; alembic only
        continue
    try:
        importlib.import_module(name)
    except Exception as exc:  # report every failure, not the first
        errors[name] = f"{type(exc).__name__}: {exc}"
print(json.dumps({"ce": ce, "after_ce": after_ce, "modules": everything, "errors": errors}))
"""


def test_every_module_imports_in_a_fresh_interpreter_and_ce_leaves_the_front_end_out() -> None:
    result = subprocess.run(
        [sys.executable, "-c", f"FRONT_END = {FRONT_END!r}\n{_FRESH}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert {"bot.ce.rules", "bot.ce.loader", "bot.ce.credentials", "bot.ce.chart"} <= set(
        report["ce"])
    assert report["after_ce"] is False, "importing bot.ce pulled in bot.telegram.app"
    assert report["errors"] == {}
    # the old flat modules are gone, with no shims left behind
    assert not {"bot.ce_rules", "bot.ce_credentials", "bot.ce_chart", "bot.ce_chat"} & set(
        report["modules"])
    assert {"bot.telegram.app", "bot.telegram.sending", "bot.career.model",
            "bot.career.loader"} <= set(
        report["modules"])
