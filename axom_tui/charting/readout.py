"""The cursor's readout: one line naming the point under the cursor, at any width.

``step 12,340 · 02:45:20 UTC +1h23m · loss 0.4123 EMA 0.4201 · grad_norm 0.381 EMA
0.402 · cycle 3 train · grad_norm explosion``: every value is the store's own value at
that step (and the smoothed one, labelled), never an interpolation. Narrower panes get
shorter forms (labels abbreviated, then the smoothed values, the time since start,
cycle and phase dropped in that order); the line is never wrapped, and cut with an
ellipsis only when even the shortest form does not fit.

Plain text: the widget styles it (and the phase name, server text, arrives sanitised).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from axom_tui.charting.timeaxis import format_elapsed

SEP = " · "
ASCII_SEP = " | "
_ASCII = str.maketrans({"—": "-", "⚠": "!", "…": "~"})
_SHORT = {"loss": "loss", "grad_norm": "grad", "lr": "lr", "throughput": "tok/s", "vram_gb": "vram"}


@dataclass(frozen=True, slots=True)
class Value:
    """One series at the cursor: its raw value and, when smoothed, the smoothed one."""

    label: str
    raw: float
    smoothed: float | None = None


@dataclass(frozen=True, slots=True)
class Readout:
    step: int
    ts: float | None = None
    start: float | None = None  # when the run started (epoch s), for "time since"
    values: tuple[Value, ...] = ()
    cycle: int | None = None
    phase: str | None = None
    flag: str | None = None  # the health flag of this point, if any
    #: Compare view: each run's value at this step (None: no point near it).
    runs: tuple[tuple[str, float | None], ...] = ()


def number(value: float | None) -> str:
    """A value as the readout shows it: 4 significant digits, scientific when tiny/huge."""
    if value is None:
        return "—"
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    mag = abs(value)
    if mag != 0 and (mag < 1e-3 or mag >= 1e6):
        mantissa, _, exponent = f"{value:.3e}".partition("e")
        return f"{mantissa}e{int(exponent)}"
    return f"{value:.4g}"


def clock(ts: float) -> str:
    t = time.gmtime(int(ts))
    return f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}"


def _forms(r: Readout, sep: str) -> list[str]:
    """The readout from longest to shortest."""
    forms = []
    for level in range(6):
        parts = [f"step {r.step:,}" if level < 3 else f"{r.step}"]
        if r.ts is not None:
            when = clock(r.ts) + (" UTC" if level == 0 else "")
            if r.start is not None and level < 4:
                when += f" +{format_elapsed(r.ts - r.start)}"
            parts.append(when)
        for v in r.values:
            label = v.label if level < 2 else _SHORT.get(v.label, v.label)
            text = f"{label} {number(v.raw)}"
            if v.smoothed is not None and level < 5:
                text += f" EMA {number(v.smoothed)}" if level < 2 else f"/{number(v.smoothed)}"
            parts.append(text)
        for label, value in r.runs:
            parts.append(f"{label} {number(value)}")
        if level < 4 and (r.cycle is not None or r.phase):
            if level < 2:
                parts.append(
                    " ".join(x for x in (f"cycle {r.cycle}" if r.cycle else "", r.phase or "") if x)
                )
            else:
                parts.append(
                    "".join(
                        x for x in (f"c{r.cycle} " if r.cycle else "", r.phase or "") if x
                    ).strip()
                )
        if r.flag and level < 5:
            parts.append(("! " if sep == ASCII_SEP else "⚠ ") + r.flag)
        forms.append(sep.join(parts))
    return forms


def readout_text(r: Readout, width: int, ascii_mode: bool = False) -> str:
    """The longest form of the readout that fits ``width`` cells (never more)."""
    sep = ASCII_SEP if ascii_mode else SEP
    forms = _forms(r, sep)
    if ascii_mode:
        forms = [text.translate(_ASCII) for text in forms]
    for text in forms:
        if len(text) <= width:
            return text
    cut = forms[-1]
    return cut[: max(0, width - 1)] + ("~" if ascii_mode else "…") if width > 0 else ""
