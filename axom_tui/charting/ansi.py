"""The few ANSI escapes the chart writes itself (24-bit colours, as plotext does), and the
placeholder shown instead of a chart (light: no numpy, no plotext)."""

from __future__ import annotations

from axom_tui.charting.spec import RGB, ChartTheme

RESET = "\x1b[0m"
#: Symbols spelled out for --ascii.
ASCII_TEXT = str.maketrans({"⚠": "!", "≤": "<", "…": "~", "·": ".", "▲": "^", "▼": "v"})


def sgr(fg: RGB | None = None, bg: RGB | None = None, bold: bool = False) -> str:
    """Select-graphic-rendition escape setting a foreground and/or background colour."""
    parts = ["1"] if bold else []
    if fg is not None:
        parts.append(f"38;2;{fg[0]};{fg[1]};{fg[2]}")
    if bg is not None:
        parts.append(f"48;2;{bg[0]};{bg[1]};{bg[2]}")
    return "\x1b[" + ";".join(parts) + "m"


def placeholder(text: str, width: int, height: int, theme: ChartTheme) -> str:
    """``text`` centred on a blank chart area."""
    blank = sgr(theme.muted, theme.background) + " " * width + RESET
    rows = [blank] * height
    text = text[:width]
    pad = (width - len(text)) // 2
    row = sgr(theme.muted, theme.background) + (" " * pad + text).ljust(width) + RESET
    rows[(height - 1) // 2] = row
    return "\n".join(rows)
