"""Asking the chart: the cursor, zoom, pan, x axis and outliers, as plain state and moves.

An :class:`Explorer` is what a chart widget does with its keys, without Textual: each move
(``move``, ``home``, ``flag``, ``zoom``, ``place`` …) reads the chart's data (a
:class:`Track`: one run's :class:`~axom_tui.charting.views.RunChartData`, or the compare
view's overlay) and the plot's last :class:`~axom_tui.charting.cursor.XScale`, and
leaves the explorer with a new cursor (a :class:`~axom_tui.charting.cursor.Moment`),
window and axis. The cursor always lands on a real point of the series.

* The cursor on the last point *follows*: new points move it along.
* A move that leaves the window pans it (the zoom stays); ``n``/``N`` may jump anywhere.
* Zooming keeps the cursor's point (or the mouse's) where it is on screen.
* Switching between steps and time keeps the same points in view.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import numpy.typing as npt

from axom_tui.charting import viewport as vp
from axom_tui.charting.cursor import Moment, XScale, nearest, point_in_column, step_columns
from axom_tui.charting.flags import Flag, next_flag
from axom_tui.charting.readout import Readout
from axom_tui.charting.spec import ChartOptions, MetricView
from axom_tui.charting.timeaxis import XMode

#: A window is never narrower than this many points' typical spacing.
MIN_POINTS = 8
SHIFT_COLUMNS = 10


class Track(Protocol):
    """What the explorer asks of the chart's data."""

    @property
    def length(self) -> int: ...
    @property
    def has_times(self) -> bool: ...
    def x(self, mode: XMode) -> npt.NDArray[np.integer]: ...
    def moment(self, index: int) -> Moment: ...
    def index_of_step(self, step: int) -> int: ...
    def flags(self) -> tuple[Flag, ...]: ...
    def flagged(self) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]: ...
    def readout(self, index: int, view: MetricView, options: ChartOptions) -> Readout: ...


class Explorer:
    def __init__(self) -> None:
        self.cursor: Moment | None = None
        #: The cursor sits on the newest point and moves on with it.
        self.following = False
        self.view: vp.Viewport | None = None
        self.x_mode = XMode.STEP
        self.robust = False
        #: The plot's x mapping as last drawn (set by the widget after each render).
        self.scale: XScale | None = None
        #: Set when a move could not do what was asked (e.g. no flags), for the UI to say.
        self.note: str | None = None

    # ------------------------------------------------------------------ state

    def mode(self, data: Track) -> XMode:
        """The x axis in use (steps when the run has no times)."""
        return self.x_mode if self.x_mode is XMode.STEP or data.has_times else XMode.STEP

    def window(self, data: Track) -> tuple[float, float] | None:
        """The window to draw, as of the data's current extent."""
        extent = self._extent(data)
        if extent is None:
            return None
        self.view = vp.resolve(self.view, extent)
        return None if self.view is None else (self.view.lo, self.view.hi)

    def cursor_x(self, data: Track) -> float | None:
        """Where the cursor is on the x axis (None: no cursor)."""
        if self.cursor is None or not data.length:
            return None
        x = data.x(self.mode(data))
        return float(x[min(self.cursor.index, x.shape[0] - 1)])

    def sync(self, data: Track) -> bool:
        """Keep the cursor on its point after the data changed (or on the newest point when
        following); True when the cursor's moment changed."""
        old = self.cursor
        n = data.length
        if old is None:
            return False
        if n == 0:
            self.cursor = None
            return True
        if self.following:
            index = n - 1
        elif old.index < n and data.moment(old.index).step == old.step:
            index = old.index
        else:  # points were inserted before it, or the run was switched
            index = data.index_of_step(old.step)
        self.cursor = data.moment(index)
        if self.following and self.view is not None:
            self.view = vp.Viewport(self.view.lo, self.view.hi, True)
        return self.cursor != old

    def clear(self) -> None:
        self.cursor = None
        self.following = False

    # ------------------------------------------------------------------ moves

    def enter(self, data: Track) -> Moment | None:
        """Show the cursor (on the newest point, following) if it is not shown yet."""
        if self.cursor is None and data.length:
            self._go(data, data.length - 1)
        return self.cursor

    def move(self, data: Track, columns: int) -> Moment | None:
        """``columns`` columns right (left if negative), panning at the window's edge."""
        if not self._ready(data):
            return self.cursor
        assert self.cursor is not None and self.scale is not None
        mode = self.mode(data)
        x = data.x(mode)
        lo, hi = self._bounds(x)
        index = min(self.cursor.index, x.shape[0] - 1)
        if not lo <= index < hi:  # panned away from the cursor: start from the window's edge
            return self._go(data, lo if index < lo else hi - 1)
        found = step_columns(x, self.scale, index, columns, data.flagged(), lo, hi)
        if found == index and self.view is not None:
            # At the window's edge: the next point beyond it, and the window follows.
            found = max(0, min(x.shape[0] - 1, index + (1 if columns > 0 else -1)))
        return self._go(data, found)

    def home(self, data: Track) -> Moment | None:
        return self._go(data, 0) if data.length else None

    def end(self, data: Track) -> Moment | None:
        return self._go(data, data.length - 1) if data.length else None

    def flag(self, data: Track, forward: bool = True) -> Moment | None:
        """The next (previous) flagged point; says so when there is none."""
        if not data.length:
            return None
        index = self.cursor.index if self.cursor is not None else (-1 if forward else data.length)
        found = next_flag(data.flags(), index, forward)
        if found is None:
            self.note = "no flagged point " + ("after" if forward else "before") + " the cursor"
            return self.cursor
        return self._go(data, found.index)

    def place(self, data: Track, col: int) -> Moment | None:
        """The point the data area's column ``col`` stands for (a mouse click)."""
        if self.scale is None or not data.length:
            return self.cursor
        x = data.x(self.mode(data))
        lo, hi = self._bounds(x)
        col = min(max(col, 0), self.scale.cols - 1)
        found = point_in_column(x, self.scale, col, data.flagged(), lo, hi)
        if found is None:
            a, b = self.scale.span(col)
            found = nearest(x, (a + b) / 2, lo, hi)
        return self._go(data, found)

    def at_step(self, data: Track, step: int) -> Moment | None:
        return self._go(data, data.index_of_step(step)) if data.length else None

    def at_time(self, data: Track, ts: float) -> Moment | None:
        """The point logged nearest ``ts`` (epoch s); None without times."""
        if not data.length or not data.has_times:
            return None
        x = data.x(XMode.CLOCK)
        return self._go(data, nearest(x, ts * 1000.0))

    # ------------------------------------------------------------------ zoom and pan

    def zoom(self, data: Track, factor: float, col: int | None = None) -> None:
        """Zoom by ``factor`` (> 1: in) around the cursor, or the data area's column ``col``."""
        extent = self._extent(data)
        if extent is None:
            return
        x = data.x(self.mode(data))
        if col is not None and self.scale is not None:
            a, b = self.scale.span(col)
            center = (a + b) / 2
        elif self.cursor is not None:
            center = float(x[min(self.cursor.index, x.shape[0] - 1)])
        else:
            center = extent[1]
        spacing = (extent[1] - extent[0]) / max(1, data.length - 1)
        self.view = vp.zoom(self.view, extent, factor, center, max(1.0, MIN_POINTS * spacing))

    def whole(self) -> None:
        self.view = None

    def pan(self, data: Track, direction: int) -> None:
        extent = self._extent(data)
        if extent is not None:
            self.view = vp.pan(self.view, extent, direction * vp.PAN_STEP)

    def cycle_x(self, data: Track) -> XMode:
        """step → elapsed → clock → step; the same points stay in view."""
        if not data.has_times:
            self.note = "no times for this run's points: the x axis shows steps"
            self.x_mode = XMode.STEP
            return self.x_mode
        old = data.x(self.mode(data))
        bounds = None
        if self.view is not None:
            bounds = (nearest(old, self.view.lo), nearest(old, self.view.hi), self.view.follow)
        del old
        self.x_mode = self.x_mode.next()
        if bounds is not None:
            new = data.x(self.mode(data))
            self.view = vp.Viewport(float(new[bounds[0]]), float(new[bounds[1]]), bounds[2])
        return self.x_mode

    def toggle_robust(self) -> bool:
        self.robust = not self.robust
        return self.robust

    # ------------------------------------------------------------------ helpers

    def _ready(self, data: Track) -> bool:
        if not data.length:
            return False
        if self.cursor is None:
            self.enter(data)
            return False
        return self.scale is not None

    def _go(self, data: Track, index: int) -> Moment:
        self.cursor = data.moment(index)
        self.following = index == data.length - 1
        extent = self._extent(data)
        if extent is not None and self.view is not None:
            x = data.x(self.mode(data))
            self.view = vp.showing(self.view, extent, float(x[index]))
        return self.cursor

    def _extent(self, data: Track) -> tuple[float, float] | None:
        if not data.length:
            return None
        x = data.x(self.mode(data))
        return float(x[0]), float(x[-1])

    def _bounds(self, x: npt.NDArray[np.integer]) -> tuple[int, int]:
        """Index range of the points inside the window (all of them without one)."""
        if self.view is None:
            return 0, x.shape[0]
        lo = int(np.searchsorted(x, self.view.lo, side="left"))
        hi = int(np.searchsorted(x, self.view.hi, side="right"))
        return lo, max(lo + 1, hi)
