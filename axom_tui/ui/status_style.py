"""How a run status looks: an icon and a colour from the theme's status variables."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from axom_tui.base.sanitize import clean_text

STATUS_ICONS = {
    "queued": "◌",
    "provisioning": "◔",
    "staging": "◑",
    "running": "▶",
    "checkpointing": "◆",
    "uploading": "⇡",
    "completed": "✓",
    "failed": "✗",
    "preempted": "↻",
}
ASCII_ICONS = {
    "queued": ".",
    "provisioning": "o",
    "staging": "o",
    "running": ">",
    "checkpointing": "#",
    "uploading": "^",
    "completed": "+",
    "failed": "x",
    "preempted": "~",
}
FALLBACK_COLOURS = {
    "queued": "#8a93a6",
    "provisioning": "#7aa2f7",
    "staging": "#7dcfff",
    "running": "#4ec9b0",
    "checkpointing": "#bb9af7",
    "uploading": "#73daca",
    "completed": "#9ece6a",
    "failed": "#f7768e",
    "preempted": "#e0af68",
    "unknown": "#c0caf5",
}


def status_colour(status: str, variables: dict[str, str]) -> str:
    key = status if status in FALLBACK_COLOURS else "unknown"
    return variables.get(f"status-{key}") or FALLBACK_COLOURS[key]


def status_text(status: str, variables: dict[str, str], ascii_mode: bool = False) -> Text:
    """``▶ running`` in the status colour; unknown statuses shown as sent, made safe."""
    icons = ASCII_ICONS if ascii_mode else STATUS_ICONS
    icon = icons.get(status, "?")
    label = clean_text(status or "unknown", 24)
    return Text(
        f"{icon} {label}", style=Style(color=status_colour(status, variables)), no_wrap=True
    )


def progress_bar(fraction: float | None, width: int, ascii_mode: bool = False) -> str:
    if fraction is None:
        return " " * width
    if ascii_mode:
        filled = round(fraction * width)
        return "#" * filled + "-" * (width - filled)
    eighths = " ▏▎▍▌▋▊▉█"
    total = fraction * width
    full = int(total)
    rest = int((total - full) * 8)
    bar = "█" * full + (eighths[rest] if full < width else "")
    return bar.ljust(width)
