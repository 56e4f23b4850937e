"""Byte counts and transfer rates as people read them: one convention everywhere.

SI units (1 kB = 1000 B, 1 MB = 1000 kB, ...), the way model sizes are quoted (a
"4.98 GB" shard), the way the simulator's ``--model-bytes 4MB`` and ``df -H`` read, so
the download command, the downloads panel and the toasts all say the same number for
the same file. Pure functions; used by the CLI and the TUI alike.
"""

from __future__ import annotations

import math

from axom_tui.base.glyphs import dash

UNITS = ("B", "kB", "MB", "GB", "TB", "PB")


def human_bytes(n: float | None) -> str:
    """``999`` → ``999 B``, ``1234567`` → ``1.2 MB``; ``None``/NaN/inf → ``—``."""
    if n is None or isinstance(n, bool) or not math.isfinite(n):
        return dash()  # "—", or "-" under --ascii
    value = float(n)
    for unit in UNITS:
        limit = 999.5 if unit == "B" else 999.95  # what would round up to 1000 moves up
        if abs(value) < limit or unit == UNITS[-1]:
            return f"{value:,.0f} {unit}" if unit == "B" else f"{value:,.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")  # pragma: no cover


def human_rate(bytes_per_s: float | None) -> str:
    """``37100000.0`` → ``37.1 MB/s``; unknown → ``—``."""
    text = human_bytes(bytes_per_s)
    return text if text == dash() else f"{text}/s"
