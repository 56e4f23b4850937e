"""Axis ranges, "nice" tick positions and short tick labels (1.2k, 3e-4, 15M)."""

from __future__ import annotations

import math
from itertools import pairwise

_SUFFIXES = ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"))
#: Magnitudes labelled in scientific notation rather than with a suffix ("1e15", not "1000T").
_SCIENTIFIC_ABOVE = 1e15
#: A y range narrower than this, relative to its magnitude, is a flat series (rounding noise).
FLAT_RELATIVE = 1e-9


def nice_step(span: float, target: int) -> float:
    """A 1/2/5 × 10^k step giving about ``target`` intervals over ``span``."""
    raw = span / max(1, target)
    if raw <= 0 or not math.isfinite(raw):
        return 1.0
    exp = math.floor(math.log10(raw))
    base = raw / 10**exp
    mult = 1.0 if base <= 1 else 2.0 if base <= 2 else 5.0 if base <= 5 else 10.0
    return mult * 10**exp


def linear_ticks(lo: float, hi: float, target: int) -> list[float]:
    """Nice positions inside ``[lo, hi]`` (at least the two ends when none fit)."""
    if hi <= lo:
        return [lo]
    step = nice_step(hi - lo, target)
    first = math.ceil(lo / step - 1e-9) * step
    ticks: list[float] = []
    t = first
    while t <= hi + step * 1e-9 and len(ticks) < 50:
        ticks.append(0.0 if abs(t) < step * 1e-9 else t)
        t = first + len(ticks) * step
    return ticks or [lo, hi]


def log_ticks(lo: float, hi: float, target: int) -> list[float]:
    """Decades inside ``[lo, hi]`` (lo > 0), thinned or filled with 2 and 5 as room allows."""
    if lo <= 0 or hi <= lo:
        return [max(lo, 1e-300)]
    e0, e1 = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    decades = e1 - e0
    for mantissas in ((1.0, 2.0, 5.0), (1.0, 3.0), (1.0,)):
        ticks = [m * 10**e for e in range(e0, e1 + 1) for m in mantissas]
        ticks = [t for t in ticks if lo * (1 - 1e-9) <= t <= hi * (1 + 1e-9)]
        if len(ticks) <= target and len(ticks) >= 2:
            return ticks
    every = max(1, math.ceil(decades / max(1, target)))
    ticks = [10.0**e for e in range(e0, e1 + 1, every) if lo <= 10.0**e <= hi]
    return ticks if len(ticks) >= 2 else [lo, hi]


def format_tick(value: float, step: float | None = None) -> str:
    """Short label: SI suffix for large magnitudes, scientific for tiny and huge ones."""
    if value == 0:
        return "0"
    mag = abs(value)
    if not math.isfinite(value):
        return str(value)
    if mag >= _SCIENTIFIC_ABOVE:  # past "999T": a suffix would read -1e+296T
        return _scientific(value, 0 if mag == 10 ** math.floor(math.log10(mag)) else 1)
    if mag >= 1e4:
        for scale, suffix in _SUFFIXES:
            if mag >= scale:
                text = f"{value / scale:.3g}"
                return f"{text}{suffix}"
    if mag < 1e-3:
        return _scientific(value, 1)
    if step is not None and step > 0:
        decimals = max(0, min(6, -math.floor(math.log10(step) + 1e-9)))
        return f"{value:.{decimals}f}"
    return f"{value:.4g}"


def format_labels(ticks: list[float]) -> list[str]:
    """Labels for evenly spaced ticks, each distinct and naming its own tick.

    One style for the whole axis (fixed decimals, an SI suffix, or scientific, by the
    largest magnitude), with the fewest digits that keep every label distinct and
    within half a step of its tick: ``1.00e-4``/``1.05e-4``, not ``1.0e-4`` twice.
    """
    if not ticks:
        return []
    step = min((b - a for a, b in pairwise(ticks) if b > a), default=0.0)
    biggest = max(abs(t) for t in ticks)
    if biggest == 0 or not math.isfinite(biggest):
        return [format_tick(t) for t in ticks]
    if step <= 0 or not math.isfinite(step):
        step = biggest
    if biggest >= _SCIENTIFIC_ABOVE or biggest < 1e-2:
        style, first = _scientific, 0
    elif biggest >= 1e4:
        style, first = _suffixed, 0
    else:
        style = _fixed
        first = max(0, -math.floor(math.log10(step) + 1e-9))
    for digits in range(first, 18):
        labels = ["0" if t == 0 else style(t, digits) for t in ticks]
        if _faithful(ticks, labels, step):
            return labels
    return labels


def _faithful(ticks: list[float], labels: list[str], step: float) -> bool:
    """Distinct ticks have distinct labels, each read within half a step of its tick."""
    if len(set(labels)) != len(set(ticks)):
        return False
    return all(abs(parse_label(label) - t) <= 0.5 * step for t, label in zip(ticks, labels))


def parse_label(text: str) -> float:
    """The number a label stands for (``1.5k`` is 1500)."""
    for scale, suffix in _SUFFIXES:
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * scale
    return float(text)


def _scientific(value: float, digits: int) -> str:
    mantissa, _, exponent = f"{value:.{digits}e}".partition("e")
    return f"{mantissa}e{int(exponent)}"


def _suffixed(value: float, digits: int) -> str:
    mag = abs(value)
    for scale, suffix in _SUFFIXES:
        if mag >= scale:
            text = f"{value / scale:.{digits}f}"
            text = text.rstrip("0").rstrip(".") if "." in text else text
            return text + suffix
    return _fixed(value, max(0, digits - 3))


def _fixed(value: float, digits: int) -> str:
    return f"{value:.{digits}f}"


def format_step(step: float) -> str:
    """Label for a training step on the x axis (integers, 1.5k, 12M)."""
    if abs(step) < 1e4:
        return f"{step:.0f}" if float(step).is_integer() else f"{step:.1f}"
    return format_tick(step)


def snapped_linear(
    lo: float, hi: float, target: int, fine: int = 4
) -> tuple[float, float, list[float]]:
    """``[lo, hi]`` widened to a grid ``fine`` times finer than the ticks, and the ticks.

    Snapping keeps the axis (and so the chart's frame) unchanged while new data stays
    inside it, which lets the renderer reuse the frame it built the time before; the
    finer grid wastes at most a small fraction of the plot.
    """
    if not hi > lo:
        delta = abs(lo) * 0.1 or 1.0
        lo, hi = lo - delta, hi + delta
    if not math.isfinite(hi - lo):  # e.g. values of ±1e308: the span itself overflows
        return lo, hi, [lo, hi]
    step = nice_step(hi - lo, target)
    grid = nice_step(hi - lo, target * fine)
    lo_s = math.floor(lo / grid + 1e-9) * grid
    hi_s = math.ceil(hi / grid - 1e-9) * grid
    if hi_s <= lo_s:
        hi_s = lo_s + grid
    first, last = math.ceil(lo_s / step - 1e-9), math.floor(hi_s / step + 1e-9)
    if last - first > 1000:  # float rounding left a degenerate step: never build a huge list
        return lo_s, hi_s, [lo_s, hi_s]
    ticks = [0.0 if k == 0 else k * step for k in range(first, last + 1)]
    return lo_s, hi_s, ticks or [lo_s, hi_s]


def snapped_log(lo: float, hi: float, target: int) -> tuple[float, float, list[float]]:
    """Positive ``[lo, hi]`` widened to tenths of a decade, and the ticks."""
    lo = max(lo, 1e-300)
    hi = max(hi, lo)
    lo_s = 10 ** (math.floor(math.log10(lo) * 10 + 1e-9) / 10)
    hi_s = 10 ** (math.ceil(math.log10(hi) * 10 - 1e-9) / 10)
    if hi_s <= lo_s:
        hi_s = lo_s * 10**0.1
    return lo_s, hi_s, log_ticks(lo_s, hi_s, target)
