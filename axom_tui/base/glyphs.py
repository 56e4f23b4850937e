"""The glyphs the app draws itself (dashes, ellipses, separators, arrows), in one place
that knows ``--ascii``.

Under ``--ascii`` (or a locale that cannot show them, ``LANG=C``) every cell the app draws
itself must be ASCII; server text passes as it came. The formatters and widgets are many
and mostly pure, so the mode is one process-wide switch, set once when the app starts,
rather than a flag threaded through every ``fmt`` call. No Textual here.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text

UNICODE = {
    "dash": "—",
    "ellipsis": "…",
    "sep": "·",
    "arrow": "→",
    "minus": "−",
    "inf": "∞",
    "warn": "⚠",
    "bullet": "•",
    "fail": "✗",
    "mark": "●",
}
# The ellipsis stays one cell ("~"), so that every column keeps its width.
ASCII = {
    "dash": "-",
    "ellipsis": "~",
    "sep": "|",
    "arrow": "->",
    "minus": "-",
    "inf": "inf",
    "warn": "!",
    "bullet": "*",
    "fail": "x",
    "mark": "*",
}

_table = UNICODE


def set_ascii(on: bool) -> None:
    global _table
    _table = ASCII if on else UNICODE


def ascii_on() -> bool:
    return _table is ASCII


def glyph(name: str) -> str:
    """The named glyph in the current mode (see UNICODE for the names)."""
    return _table[name]


def dash() -> str:
    """What a missing value shows."""
    return _table["dash"]


def truncate(text: Text, width: int) -> Text:
    """``text`` cut to ``width`` cells with the mode's ellipsis (a copy when cut)."""
    if cell_len(text.plain) <= width:
        return text
    out = text.copy()
    if _table is UNICODE:
        out.truncate(width, overflow="ellipsis")
        return out
    out.truncate(max(0, width - 1), overflow="crop")
    if width > 0:
        out.append(_table["ellipsis"])
    return out
