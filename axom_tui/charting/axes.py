"""The chart's axes: the y ranges (all points, or the bulk of them), the x axis (steps or
time), their ticks and labels, and the one mapping from values to dots and cells.

Every axis is snapped to a grid (``ticks.snapped_linear``) so it stays put while a run
grows and the frame can be reused. With *ignore outliers* on, a y range is fitted to the
1st..99th percentile of the decimated points (two per column: the bulk of the curve's
envelope; a grad_norm explosion is a point or two of hundreds) and widened a little; the
points beyond it are drawn clipped at the edge and marked (``render``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from axom_tui.charting import ticks as tk
from axom_tui.charting.decimate import Decimated
from axom_tui.charting.spec import ChartSpec
from axom_tui.charting.timeaxis import XMode, format_clock, format_elapsed, time_step, time_ticks

#: Percentiles of the points the y range covers with outliers ignored.
ROBUST_PERCENTILES = (1.0, 99.0)
ROBUST_PAD = 0.08  # and this share of that range on each side


@dataclass(frozen=True, slots=True)
class Axis:
    lo: float  # in plotted units (log10 of the value on a log axis; ms on a time axis)
    hi: float
    ticks: tuple[float, ...]
    labels: tuple[str, ...]
    #: The range leaves points out (ignore outliers): they are drawn clipped and marked.
    clips: bool = False


def y_axis(members: Sequence[Decimated], log: bool, rows: int, robust: bool = False) -> Axis:
    """The y axis for the lines ``members`` (decimated) on ``rows`` rows of cells."""
    ys = [np.log10(d.y) if log else d.y for d in members]
    lo = min(float(y.min()) for y in ys)
    hi = max(float(y.max()) for y in ys)
    clips = False
    if robust:
        both = np.concatenate(ys)
        p_lo, p_hi = (float(v) for v in np.percentile(both, ROBUST_PERCENTILES))
        pad = (p_hi - p_lo) * ROBUST_PAD
        if p_lo - pad > lo or p_hi + pad < hi:
            lo, hi = max(lo, p_lo - pad), min(hi, p_hi + pad)
            clips = True
    target = max(2, rows // 3)
    if hi - lo <= tk.FLAT_RELATIVE * max(abs(lo), abs(hi)):
        # A flat series (a constant, or its EMA's rounding noise of ~1e-16): one value.
        lo = hi = (lo + hi) / 2 if math.isfinite(lo + hi) else lo
    if log:
        lo_v, hi_v, ticks = tk.snapped_log(10.0**lo, 10.0**hi, target)
        return Axis(
            math.log10(lo_v),
            math.log10(hi_v),
            tuple(math.log10(t) for t in ticks),
            tuple(tk.format_tick(t) for t in ticks),
            clips,
        )
    lo, hi, ticks = tk.snapped_linear(lo, hi, target)
    return Axis(lo, hi, tuple(ticks), tuple(tk.format_labels(ticks)), clips)


def x_axis(spec: ChartSpec, decimated: Sequence[Decimated], columns: int) -> Axis:
    """The x axis over the window (or the whole run): steps, elapsed time or clock."""
    target = max(2, columns // 12)
    window = spec.options.window
    mode = XMode(spec.options.x_mode)
    if window is not None:
        lo, hi = (float(v) for v in window)
    else:
        xs = [d.x for d in decimated if len(d)]
        lo, hi = min(float(x[0]) for x in xs), max(float(x[-1]) for x in xs)
        if spec.options.until is not None:  # replay: the whole run's axis, drawn up to then
            ends = [float(line.steps[-1]) for line in spec.lines if len(line.steps)]  # type: ignore[index, arg-type]
            hi = max([hi, *ends])
    if mode.is_time:
        return _time_axis(lo, hi, max(2, columns // 14), mode, spec.x_origin, snap=window is None)
    if window is not None:
        ticks = tk.linear_ticks(lo, hi, target) if hi > lo else [lo]
    else:
        lo, hi, ticks = tk.snapped_linear(lo, hi, target, fine=16)
    if hi <= lo:
        lo, hi = lo - 1, hi + 1
    return Axis(lo, hi, tuple(ticks), tuple(tk.format_step(t) for t in ticks))


def _time_axis(
    lo_ms: float, hi_ms: float, target: int, mode: XMode, origin_ms: float | None, snap: bool
) -> Axis:
    if hi_ms <= lo_ms:
        lo_ms, hi_ms = lo_ms - 1000.0, hi_ms + 1000.0
    origin_s = (origin_ms if origin_ms is not None else lo_ms) / 1000.0
    step = time_step((hi_ms - lo_ms) / 1000.0, target)
    if snap:  # the whole run: widen to a grid 16 times finer than the ticks (frame reuse)
        grid = step * 1000.0 / 16
        base = origin_s * 1000.0 if mode is XMode.ELAPSED else 0.0
        lo_ms = base + math.floor((lo_ms - base) / grid) * grid
        hi_ms = base + math.ceil((hi_ms - base) / grid) * grid
    ticks_s = time_ticks(
        lo_ms / 1000.0, hi_ms / 1000.0, target, origin_s if mode is XMode.ELAPSED else 0.0
    )
    if mode is XMode.ELAPSED:
        labels = tuple(format_elapsed(t - origin_s) for t in ticks_s)
    else:
        labels = tuple(format_clock(t, step) for t in ticks_s)
    return Axis(lo_ms, hi_ms, tuple(t * 1000.0 for t in ticks_s), labels)


def to_dots(values: npt.NDArray[np.float64], axis: Axis, dots: int) -> npt.NDArray[np.float64]:
    # In halves: exact, and the span of values near ±1.8e308 does not overflow to inf.
    return (values * 0.5 - axis.lo * 0.5) * ((dots - 1) / (axis.hi * 0.5 - axis.lo * 0.5))


def cells_of(
    axis: Axis, dots: int, res: int, cells: int, values: Sequence[float]
) -> tuple[int, ...]:
    """The cells holding ``values``, by the same mapping as the rasterised dots."""
    scale = (dots - 1) / (axis.hi * 0.5 - axis.lo * 0.5)
    return tuple(
        min(cells - 1, max(0, round((v * 0.5 - axis.lo * 0.5) * scale) // res)) for v in values
    )
