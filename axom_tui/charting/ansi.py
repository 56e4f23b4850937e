"""The few ANSI escapes the chart writes itself (24-bit colours, as plotext does)."""

from __future__ import annotations

from axom_tui.charting.spec import RGB

RESET = "\x1b[0m"


def sgr(fg: RGB | None = None, bg: RGB | None = None, bold: bool = False) -> str:
    """Select-graphic-rendition escape setting a foreground and/or background colour."""
    parts = ["1"] if bold else []
    if fg is not None:
        parts.append(f"38;2;{fg[0]};{fg[1]};{fg[2]}")
    if bg is not None:
        parts.append(f"48;2;{bg[0]};{bg[1]};{bg[2]}")
    return "\x1b[" + ";".join(parts) + "m"
