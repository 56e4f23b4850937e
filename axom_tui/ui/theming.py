"""Register the shipped and user themes on the app, and pick the configured one."""

from __future__ import annotations

from textual.app import App

from axom_tui.sanitize import clean_text
from axom_tui.themes import DEFAULT_THEME, load_themes


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
