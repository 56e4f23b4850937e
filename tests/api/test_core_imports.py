"""Everything below the UI imports without Textual (architecture: plain asyncio Python).

A fresh interpreter imports ``axom_tui.api``, ``axom_tui.connection``, ``axom_tui.sanitize``
(these must import) and then every subpackage of ``axom_tui`` except ``ui``, with all their
modules (found by ``pkgutil``; a module that does not import yet, because a teammate is
still writing it, is reported as a warning). Afterwards ``textual`` must not be loaded.
"""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import axom_tui

REQUIRED = ("axom_tui.api", "axom_tui.api.client", "axom_tui.connection", "axom_tui.sanitize")

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
    if info.ispkg and info.name != "axom_tui.ui":
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
    return subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60)


def test_core_packages_import_without_textual() -> None:
    proc = _run(PROBE)
    assert proc.returncode == 0, proc.stderr  # the required modules imported
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    imported = set(report["imported"])
    assert set(REQUIRED) <= imported
    assert not any(name == "axom_tui.ui" or name.startswith("axom_tui.ui.") for name in imported)
    if report["errors"]:
        warnings.warn(f"core modules that do not import yet: {report['errors']}", stacklevel=1)
    assert report["textual"] == [], f"textual imported below the UI: {report['textual']}"


def test_probe_detects_textual() -> None:
    """The check can fail: importing the UI toolkit does show up in sys.modules."""
    proc = _run("import sys, textual; print('textual' in sys.modules)")
    assert proc.stdout.strip() == "True"
