"""The chart's cursor: a moment of a run, and which real point each screen column names.

The cursor is never a screen column: it is a :class:`Moment` (the index of a point the
store holds, its step and its time), so it stays on that point while the run grows, the
chart is zoomed or resized, or the x axis changes from steps to time. Screen columns
come in only when a key or the mouse moves it:

* :class:`XScale` is the plot's mapping of x to columns, exactly as the renderer maps
  x to dots and dots to cells (``render._to_dots``: column of x is
  ``round((x - lo) / (hi - lo) * (dots - 1)) // xres``);
* :func:`point_in_column` names the real point a column stands for: the worst flagged
  point in it (so the spike a column draws is the one read: decimation draws each
  extreme at its own step), else the point nearest the column's middle;
* :func:`step_columns` moves the cursor a number of columns, skipping columns with no
  point (a preemption's gap on a time axis).

``x`` below is the series' x per point (its steps, or its times in ms), never
decreasing; ``flagged`` the sorted indices of flagged points and ``severity`` how bad
each is (``flags.FlagCache``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

XArray = npt.NDArray[np.integer] | npt.NDArray[np.floating]
IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True, slots=True)
class Moment:
    """A point of a run: its index in the store's series, step and time (epoch s)."""

    index: int
    step: int
    ts: float | None = None


@dataclass(frozen=True, slots=True)
class XScale:
    """How the plot maps x to its ``cols`` columns (``xres`` dots each)."""

    lo: float
    hi: float
    cols: int
    xres: int = 2

    @property
    def dots(self) -> int:
        return self.cols * self.xres

    def column(self, x: float) -> int:
        """The column x is drawn in (clamped to the plot)."""
        if self.hi <= self.lo:
            return 0
        dot = round((x * 0.5 - self.lo * 0.5) * ((self.dots - 1) / (self.hi * 0.5 - self.lo * 0.5)))
        return min(self.cols - 1, max(0, dot // self.xres))

    def span(self, col: int) -> tuple[float, float]:
        """The x range ``[a, b)`` drawn in column ``col``."""
        per_dot = (self.hi - self.lo) / max(1, self.dots - 1)
        a = self.lo + (col * self.xres - 0.5) * per_dot
        b = self.lo + ((col + 1) * self.xres - 0.5) * per_dot
        return a, b


def in_column(
    x: XArray, scale: XScale, col: int, lo: int = 0, hi: int | None = None
) -> tuple[int, int]:
    """Index range ``[i, j)`` of the points (among ``lo..hi-1``) drawn in column ``col``."""
    hi = x.shape[0] if hi is None else hi
    a, b = scale.span(col)
    i = lo + int(np.searchsorted(x[lo:hi], a, side="left"))
    j = lo + int(np.searchsorted(x[lo:hi], b, side="left"))
    return i, j


Flagged = tuple[IntArray, npt.NDArray[np.float64]]


def point_in_column(
    x: XArray,
    scale: XScale,
    col: int,
    flagged: Flagged | None = None,
    lo: int = 0,
    hi: int | None = None,
) -> int | None:
    """The index of the point column ``col`` stands for, None when it draws no point."""
    i, j = in_column(x, scale, col, lo, hi)
    if j <= i:
        return None
    if flagged is not None and flagged[0].shape[0]:
        points, severity = flagged
        first = int(np.searchsorted(points, i, side="left"))
        end = int(np.searchsorted(points, j, side="left"))
        if end > first:
            return int(points[first + int(np.argmax(severity[first:end]))])
    left, right = scale.span(col)
    return nearest(x, (left + right) / 2, i, j)


def nearest(x: XArray, value: float, lo: int = 0, hi: int | None = None) -> int:
    """The index (among ``lo..hi-1``) whose x is nearest ``value`` (the first of equals)."""
    hi = x.shape[0] if hi is None else hi
    k = lo + int(np.searchsorted(x[lo:hi], value, side="left"))
    if k >= hi:
        return hi - 1
    if k > lo and value - float(x[k - 1]) <= float(x[k]) - value:
        return k - 1
    return k


def step_columns(
    x: XArray,
    scale: XScale,
    index: int,
    delta: int,
    flagged: Flagged | None = None,
    lo: int = 0,
    hi: int | None = None,
) -> int:
    """The point ``delta`` columns away from the point at ``index`` (left if negative);
    columns with no point are skipped. At the plot's edge: the first or last point
    inside ``lo..hi-1`` (the caller pans the window to go further)."""
    hi = x.shape[0] if hi is None else hi
    if delta == 0 or hi <= lo:
        return index
    col = scale.column(float(x[index]))
    target = col + delta
    way = 1 if delta > 0 else -1
    while 0 <= target < scale.cols:
        found = point_in_column(x, scale, target, flagged, lo, hi)
        if found is not None and (found - index) * way > 0:
            return found
        target += way
    return hi - 1 if way > 0 else lo
