"""Register the shipped and user themes on the app, and pick the configured one."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from textual.app import App
from textual.theme import Theme

from axom_tui.base.sanitize import clean_text
from axom_tui.config.theme_files import (
    _ALPHA_SUFFIX,
    DEFAULT_THEME,
    FALLBACK_VARIABLES,
    THEME_VARIABLES,
    THEMES_ENV,
    ThemeFileError,
    ThemeSpec,
    load_theme_specs,
    theme_dirs,
    user_theme_dir,
)


def install_themes(app: App, wanted: str) -> list[str]:
    """Register every theme found and select ``wanted`` (falling back to the default).
    Returns what the user should be told (skipped files, an unknown name), as plain text.

    Call it from the app's ``__init__``: the stylesheet is then parsed once, with the
    chosen theme's variables, instead of again when the theme changes after mounting."""
    themes, problems = load_themes()
    for theme in themes:
        app.register_theme(theme)
    messages = [f"Theme skipped: {clean_text(problem, 200)}" for problem in problems]
    if wanted in app.available_themes:
        app.theme = wanted
    else:
        messages.append(f"Unknown theme {clean_text(wanted, 40)!r}; using {DEFAULT_THEME}.")
        app.theme = DEFAULT_THEME if DEFAULT_THEME in app.available_themes else app.theme
    return messages


def to_textual_theme(spec: ThemeSpec) -> Theme:
    """Build the Textual Theme, with any missing status/chart variables from the fallbacks.

    Raises ThemeFileError if Textual cannot use a colour (the regex check is only a first pass).
    """
    from textual.color import Color, ColorParseError

    variables = {**FALLBACK_VARIABLES, **spec.variables}
    checks = [*spec.colors.items(), *((f"variables.{k}", variables[k]) for k in THEME_VARIABLES)]
    for key, value in checks:
        try:
            Color.parse(_ALPHA_SUFFIX.sub("", value))
        except ColorParseError:
            raise ThemeFileError(
                f"{spec.path}: {key}: {value!r} is not a colour Textual knows"
            ) from None
    colors: dict[str, Any] = dict(spec.colors)
    theme = Theme(name=spec.name, dark=spec.dark, variables=variables, **colors)
    try:
        theme.to_color_system().generate()
    except Exception as exc:  # noqa: BLE001 - Textual's colour maths; report, never crash
        raise ThemeFileError(f"{spec.path}: Textual cannot build this theme: {exc}") from None
    return theme


def load_themes(
    extra_dirs: Iterable[Path] = (), *, env: Mapping[str, str] | None = None
) -> tuple[list[Theme], list[str]]:
    """All usable themes (built-in, user, ``extra_dirs``) and a list of human-readable problems."""
    environ = os.environ if env is None else env
    problems: list[str] = []
    user_dir = user_theme_dir(environ)
    if environ.get(THEMES_ENV, "").strip() and not user_dir.is_dir():
        problems.append(f"{user_dir} (from {THEMES_ENV}): not a folder; no user themes loaded")
    specs, more = load_theme_specs(theme_dirs(extra_dirs, environ))
    problems += more
    themes: list[Theme] = []
    for spec in specs.values():
        try:
            themes.append(to_textual_theme(spec))
        except ThemeFileError as exc:
            problems.append(f"{exc} (theme skipped)")
    return themes, problems
