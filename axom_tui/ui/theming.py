"""Register the shipped and user themes on the app, and pick the configured one."""

from __future__ import annotations

from textual.app import App

from axom_tui.sanitize import clean_text
from axom_tui.themes import DEFAULT_THEME, load_themes


def install_themes(app: App, wanted: str) -> list[str]:
    """Register every theme found; select ``wanted`` (falling back to the default). Returns problems."""
    themes, problems = load_themes()
    for theme in themes:
        app.register_theme(theme)
    for problem in problems:
        app.notify(clean_text(problem, 200), title="Theme skipped", severity="warning", timeout=8)
    if wanted in app.available_themes:
        app.theme = wanted
    else:
        app.notify(f"Unknown theme {clean_text(wanted, 40)!r}; using {DEFAULT_THEME}.", severity="warning")
        app.theme = DEFAULT_THEME if DEFAULT_THEME in app.available_themes else app.theme
    return problems
