"""Cleaning and measuring one log line for the terminal."""

from __future__ import annotations

from rich.cells import cell_len

from axom_tui.base.sanitize import clean_text, has_secrets, redact_secrets

MAX_LINE_CHARS = 2000
"""Longest line (in characters, after cleaning) that is kept; longer ones end in "…"."""
ELLIPSIS = "…"


def sanitize_line(text: str, max_chars: int = MAX_LINE_CHARS) -> str:
    """Terminal-safe, single-line, length-capped text for one log line.

    The fast path relies on ``str.isprintable()``: every character that
    :func:`axom_tui.base.sanitize.clean_text` rewrites (C0/C1 controls, DEL, tab, bidi and
    format marks) is non-printable, so a printable line is already clean.
    """
    if not isinstance(text, str):
        text = str(text)
    truncated = len(text) > max_chars
    if truncated:
        text = text[:max_chars]
    if not text.isprintable():
        text = clean_text(text, max_len=None)
    elif has_secrets():
        text = redact_secrets(text)
    if truncated or len(text) > max_chars:
        text = text[: max_chars - 1] + ELLIPSIS
    return text


def text_width(text: str) -> int:
    """Terminal cells taken by already-sanitised text."""
    return len(text) if text.isascii() else cell_len(text)
