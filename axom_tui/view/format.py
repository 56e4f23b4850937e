"""Human-readable numbers and durations. Pure functions; no Textual. (Byte sizes and rates:
:mod:`axom_tui.base.units`, one convention shared with the shell commands.)"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from axom_tui.base.glyphs import dash, glyph


def is_finite(value: float | None) -> bool:
    return value is not None and isinstance(value, (int, float)) and math.isfinite(value)


def si(value: float | int | None, digits: int = 3) -> str:
    """1536000 → '1.54M'; None/NaN → a dash ('—', '-' in ascii mode)."""
    if not is_finite(value):
        return (
            dash()
            if value is None or value != value
            else (glyph("inf") if value > 0 else "-" + glyph("inf"))
        )
    v = float(value)  # type: ignore[arg-type]
    for limit, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= limit:
            return f"{v / limit:.{digits}g}{suffix}"
    if v == int(v):
        return str(int(v))
    return f"{v:.{digits}g}"


def params(value: int | None) -> str:
    return si(value, 3)


def signed_si(value: float | int | None) -> str:
    if not is_finite(value):
        return dash()
    text = si(abs(value))  # type: ignore[arg-type]
    return ("+" if value >= 0 else glyph("minus")) + text  # type: ignore[operator]


def duration(seconds: float | None) -> str:
    """Compact: '42s', '3m05s', '2h14m', '3d4h'."""
    if not is_finite(seconds) or seconds < 0:  # type: ignore[operator]
        return dash()
    s = int(seconds)  # type: ignore[arg-type]
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h{(s % 3600) // 60:02d}m"
    return f"{s // 86400}d{(s % 86400) // 3600}h"


def money(usd: float | None) -> str:
    if not is_finite(usd):
        return dash()
    return f"${usd:,.2f}" if abs(usd) < 10_000 else f"${usd:,.0f}"  # type: ignore[arg-type]


def metric(value: float | None) -> str:
    """Loss-like values: 4 significant digits; NaN → 'NaN'."""
    if value is None:
        return dash()
    if value != value:
        return "NaN"
    if math.isinf(value):
        return glyph("inf") if value > 0 else "-" + glyph("inf")
    if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e5):
        return f"{value:.2e}"
    return f"{value:.4g}"


def percent(value: float | None, digits: int = 1) -> str:
    if not is_finite(value):
        return dash()
    return f"{value:+.{digits}f}%"


def ago(seconds: float | None) -> str:
    if not is_finite(seconds):
        return "never"
    if seconds < 3:  # type: ignore[operator]  # a live dashboard hears from the server every 2 s
        return "just now"
    return f"{duration(seconds)} ago"


def clock_time(when: datetime | None) -> str:
    if when is None:
        return dash()
    return when.astimezone().strftime("%H:%M:%S")


def utcnow() -> datetime:
    return datetime.now(UTC)


def since(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start) / timedelta(seconds=1)
