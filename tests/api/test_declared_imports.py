"""Every third-party module the package imports comes from a declared dependency.

An import that works only because another dependency happens to pull its distribution
in (certifi through httpx, rich through Textual, h11 through httpcore) breaks the day
that dependency stops needing it, in a user's environment and not in ours.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import axom_tui

ROOT = Path(axom_tui.__file__).resolve().parent
PYPROJECT = ROOT.parent / "pyproject.toml"


def _imported_top_levels() -> dict[str, set[str]]:
    """Top-level module name → the package files that import it (absolute imports only)."""
    found: dict[str, set[str]] = {}
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top != "axom_tui" and top not in sys.stdlib_module_names:
                    found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def _declared() -> set[str]:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    names = {re.split(r"[\s<>=!~;\[]", spec, maxsplit=1)[0] for spec in project["dependencies"]}
    return {_normal(n) for n in names}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_imported_module_is_a_declared_runtime_dependency() -> None:
    dists = packages_distributions()
    declared = _declared()
    undeclared = {}
    for module, files in sorted(_imported_top_levels().items()):
        providers = {_normal(d) for d in dists.get(module, [module])}
        if not providers & declared:
            undeclared[module] = sorted(files)[:3]
    assert undeclared == {}, f"imported but not declared in pyproject.toml: {undeclared}"
