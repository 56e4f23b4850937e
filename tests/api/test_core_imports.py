"""Everything outside the UI imports without Textual (architecture: plain asyncio Python).

A fresh interpreter imports ``axom_tui.api``, ``axom_tui.config.connection``, ``axom_tui.base.sanitize``
and then every module of ``axom_tui`` outside ``axom_tui.ui``: the modules at the package
root and every subpackage with all its modules (found by ``pkgutil``). Each must import,
and afterwards ``textual`` must not be loaded. (The layer contracts in pyproject.toml say
the same statically; this proves it at run time, lazy imports included.)
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import axom_tui

REQUIRED = (
    "axom_tui.api",
    "axom_tui.api.client",
    "axom_tui.config.connection",
    "axom_tui.base.sanitize",
)

PROBE = r"""
import importlib, json, pkgutil, sys
import axom_tui

REQUIRED = %r
imported, errors = [], {}
for name in REQUIRED:
    importlib.import_module(name)
    imported.append(name)

def wanted(name):
    return not name.endswith(".__main__")

names = []
for info in pkgutil.iter_modules(axom_tui.__path__, "axom_tui."):
    if info.name == "axom_tui.ui" or not wanted(info.name):
        continue
    if not info.ispkg:  # a module at the package root
        try:
            importlib.import_module(info.name)
            imported.append(info.name)
        except Exception as exc:
            errors[info.name] = f"{type(exc).__name__}: {exc}"
        continue
    names.append(info.name)
for pkg in list(names):
    try:
        module = importlib.import_module(pkg)
    except Exception as exc:
        errors[pkg] = f"{type(exc).__name__}: {exc}"
        continue
    imported.append(pkg)
    for info in pkgutil.walk_packages(module.__path__, pkg + ".",
                                      onerror=lambda name: errors.setdefault(name, "walk failed")):
        if not wanted(info.name):
            continue
        try:
            importlib.import_module(info.name)
            imported.append(info.name)
        except Exception as exc:
            errors[info.name] = f"{type(exc).__name__}: {exc}"

textual = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
print(json.dumps({"imported": imported, "errors": errors, "textual": textual}))
""" % (REQUIRED,)


def _run(code: str) -> subprocess.CompletedProcess[str]:
    root = Path(axom_tui.__file__).resolve().parent.parent
    return subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60
    )


def test_core_packages_import_without_textual() -> None:
    proc = _run(PROBE)
    assert proc.returncode == 0, proc.stderr  # the required modules imported
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    imported = set(report["imported"])
    assert set(REQUIRED) <= imported
    assert not any(name == "axom_tui.ui" or name.startswith("axom_tui.ui.") for name in imported)
    assert report["errors"] == {}, f"modules outside the UI that do not import: {report['errors']}"
    root = {f"axom_tui.{p.stem}" for p in Path(axom_tui.__file__).parent.glob("*.py")}
    assert root - {"axom_tui.__init__", "axom_tui.__main__"} <= imported, (
        "a root module was skipped"
    )
    assert report["textual"] == [], f"textual imported outside the UI: {report['textual']}"


def test_probe_detects_textual() -> None:
    """The check can fail: importing the UI toolkit does show up in sys.modules."""
    proc = _run("import sys, textual; print('textual' in sys.modules)")
    assert proc.stdout.strip() == "True"
