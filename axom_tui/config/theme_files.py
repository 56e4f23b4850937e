"""Colour themes from TOML files: the shipped ones in ``themes/`` and the user's own.

A theme file holds Textual's Theme fields plus our colour variables under
``[variables]`` (job statuses, chart series, stderr lines), so every widget can use
``$status-running`` and friends whatever the theme. Parsing and validating a file
(:func:`parse_theme_file`, :func:`load_theme_specs`) imports no Textual; only
:func:`axom_tui.ui.theming.load_themes` turns them into Textual themes.

Search order, later wins on a name clash: built-in, user folder
(``$AXOM_THEMES_DIR`` or ``<config dir>/themes``), then ``extra_dirs``.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

DEFAULT_THEME = "axom-dark"
THEMES_ENV = "AXOM_THEMES_DIR"

STATUS_VARIABLES: tuple[str, ...] = (
    "status-queued",
    "status-provisioning",
    "status-staging",
    "status-running",
    "status-checkpointing",
    "status-uploading",
    "status-completed",
    "status-failed",
    "status-preempted",
    "status-unknown",
)
CHART_VARIABLES: tuple[str, ...] = ("chart-loss", "chart-grad-norm", "chart-aux", "chart-raw")
THEME_VARIABLES: tuple[str, ...] = (*STATUS_VARIABLES, *CHART_VARIABLES, "stderr")
COLOR_FIELDS: tuple[str, ...] = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
    "warning",
    "error",
    "success",
)

# For themes that do not define our variables (Textual's own, or a user theme that
# leaves some out): mid-tones that stay readable on dark and light backgrounds alike.
FALLBACK_VARIABLES: Mapping[str, str] = {
    "status-queued": "#8A8F98",
    "status-provisioning": "#9370DB",
    "status-staging": "#5B8DD6",
    "status-running": "#1BA1B5",
    "status-checkpointing": "#2EA37A",
    "status-uploading": "#3B82F6",
    "status-completed": "#3FA34D",
    "status-failed": "#E04F5F",
    "status-preempted": "#D99A2B",
    "status-unknown": "#7F8792",
    "chart-loss": "#3B8FD9",
    "chart-grad-norm": "#D99A2B",
    "chart-aux": "#A77BC9",
    "chart-raw": "#7F879280",
    "stderr": "#E0793F",
}


def status_variable(status: str) -> str:
    """``"running"`` → ``"status-running"``; anything unrecognised → ``"status-unknown"``."""
    name = "status-" + re.sub(r"[\s_]+", "-", status.strip().lower())
    return name if name in STATUS_VARIABLES else "status-unknown"


class ThemeFileError(Exception):
    """A theme file cannot be used; the message starts with the file's path."""


@dataclass(frozen=True)
class ThemeSpec:
    """A validated theme file, not yet a Textual Theme."""

    name: str
    path: Path
    dark: bool = True
    description: str = ""
    colors: Mapping[str, str] = field(default_factory=dict)  # only the COLOR_FIELDS the file sets
    variables: Mapping[str, str] = field(default_factory=dict)


_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")  # no commas: App.get_theme splits on them
_VARIABLE_NAME = re.compile(r"[a-z][a-z0-9-]*")
_COLOR = re.compile(
    r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})"
    r"|(?:rgb|rgba|hsl|hsla)\([0-9.,%\s]+\)"
    r"|[a-z][a-z0-9_]*"
)
_ALPHA_SUFFIX = re.compile(r"\s+\d{1,3}%$")  # "#81A1C1 35%", allowed in variables only
_TOP_KEYS = {"name", "description", "dark", "variables", *COLOR_FIELDS}


def _color_ok(value: str, *, allow_alpha: bool) -> bool:
    if allow_alpha:
        value = _ALPHA_SUFFIX.sub("", value)
    return _COLOR.fullmatch(value.strip()) is not None


def parse_theme_file(path: Path) -> ThemeSpec:
    """Read and validate one theme file; raises ThemeFileError naming the file and the key."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ThemeFileError(f"{path}: cannot read theme file: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ThemeFileError(f"{path}: not valid TOML: {exc}") from None
    return theme_spec_from_mapping(data, path)


def theme_spec_from_mapping(data: Mapping[str, Any], path: Path) -> ThemeSpec:
    def fail(message: str) -> ThemeFileError:
        return ThemeFileError(f"{path}: {message}")

    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise fail(
            f"unknown key {unknown[0]!r} (theme keys: name, description, dark, "
            f"{', '.join(COLOR_FIELDS)}, [variables])"
        )
    name = data.get("name")
    if name is None:
        raise fail("name: missing")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise fail(f"name: expected letters, digits, '-', '_' or '.', got {name!r}")
    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        raise fail(f"dark: expected true or false, got {dark!r}")
    description = data.get("description", "")
    if not isinstance(description, str):
        raise fail("description: expected a string")
    if "primary" not in data:
        raise fail("primary: missing (every theme needs a primary colour)")
    colors: dict[str, str] = {}
    for key in COLOR_FIELDS:
        if key in data:
            value = data[key]
            if not isinstance(value, str) or not _color_ok(value, allow_alpha=False):
                raise fail(f'{key}: expected a colour like "#4FA3D9", got {value!r}')
            colors[key] = value.strip()
    raw_variables = data.get("variables", {})
    if not isinstance(raw_variables, Mapping):
        raise fail("variables: expected a table, [variables]")
    variables: dict[str, str] = {}
    for key, value in raw_variables.items():
        if not _VARIABLE_NAME.fullmatch(key):
            raise fail(f"variables.{key}: names are lower-case words joined by '-'")
        if not isinstance(value, str) or not value.strip():
            raise fail(f"variables.{key}: expected a string, got {value!r}")
        if key in THEME_VARIABLES and not _color_ok(value, allow_alpha=True):
            raise fail(f'variables.{key}: expected a colour like "#4FA3D9", got {value!r}')
        variables[key] = value.strip()
    return ThemeSpec(
        name=name, path=path, dark=dark, description=description, colors=colors, variables=variables
    )


# --- where themes live


def builtin_theme_dirs(package_dir: Path | None = None) -> list[Path]:
    """The shipped themes: ``axom_tui/_themes`` in a wheel, ``<repo>/themes`` in a checkout."""
    package = (package_dir or Path(__file__).parent.parent).resolve()
    candidates = [package / "_themes"]
    checkout = package.parent
    if (checkout / "pyproject.toml").is_file():  # never some other project's site-packages/themes
        candidates.append(checkout / "themes")
    return [candidate for candidate in candidates if candidate.is_dir()]


def user_theme_dir(env: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if env is None else env
    override = environ.get(THEMES_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir("axom-tui", appauthor=False)) / "themes"


def theme_dirs(extra_dirs: Iterable[Path] = (), env: Mapping[str, str] | None = None) -> list[Path]:
    """Every folder searched, lowest priority first."""
    return [*builtin_theme_dirs(), user_theme_dir(env), *(Path(d) for d in extra_dirs)]


def load_theme_specs(dirs: Iterable[Path]) -> tuple[dict[str, ThemeSpec], list[str]]:
    """Parse every ``*.toml`` in ``dirs`` (missing folders are skipped); a later folder's
    theme replaces an earlier one of the same name. Bad files become problems, not errors."""
    specs: dict[str, ThemeSpec] = {}
    problems: list[str] = []
    for directory in dirs:
        seen: dict[str, Path] = {}
        for path in sorted(directory.glob("*.toml")) if directory.is_dir() else ():
            try:
                spec = parse_theme_file(path)
            except ThemeFileError as exc:
                problems.append(f"{exc} (theme skipped)")
                continue
            if spec.name in seen:
                problems.append(
                    f"{path}: theme {spec.name!r} is also defined in {seen[spec.name]}; "
                    f"using {path.name}"
                )
            seen[spec.name] = path
            specs[spec.name] = spec
    return specs, problems


def theme_variable_defaults() -> dict[str, str]:
    """For ``App.get_theme_variable_defaults``: keeps ``$status-*`` CSS valid under any theme."""
    return dict(FALLBACK_VARIABLES)
