"""The chart you can ask: :class:`MetricChart` plus a cursor, a readout, zoom and axes.

Focused (``C``, Tab or a click), it shows a vertical cursor on a real point of the run
and, in place of the legend, a one-line readout of that point. Its keys are its own
(``BINDINGS`` here, so they show in the footer only while it is focused, and remap by
id). What each key does is :class:`~axom_tui.charting.explore.Explorer`'s, which has no
Textual in it; this module turns keys, clicks and the wheel into explorer moves.

The cursor is a moment, and the screen owns it: every move is posted as
:class:`CursorChart.CursorMoved` (the screen shows the moment in the log and lifecycle
panes), and :meth:`CursorChart.cursor_to_time` / :meth:`cursor_to_step` put it where
another pane says. Moving it redraws nothing: the drawn chart (``render.Plot``) is
recomposed with the cursor column (~1 ms) and the readout row replaced.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.strip import Strip

from axom_tui.base.sanitize import clean_text
from axom_tui.ui.ansi_strips import ansi_to_strips
from axom_tui.ui.widgets.job_rows import cell_segments
from axom_tui.ui.widgets.metric_chart import MetricChart

if TYPE_CHECKING:
    from axom_tui.charting.cursor import Moment
    from axom_tui.charting.explore import Explorer, Track
    from axom_tui.charting.render import Plot, Rendered
    from axom_tui.charting.spec import ChartOptions

T = TypeVar("T")

ZOOM = 2.0


class CursorChart(MetricChart, can_focus=True):
    """A metric chart with a cursor, zoom, pan, x axis modes and outlier clipping."""

    DEFAULT_CSS = """
    CursorChart:focus { background-tint: $foreground 4%; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "left",
            "cursor(-1)",
            "Cursor",
            id="chart.cursor.left",
            key_display="←→",
            tooltip="Cursor one column left (→ right)",
        ),
        Binding(
            "right",
            "cursor(1)",
            "Cursor right",
            id="chart.cursor.right",
            show=False,
            tooltip="Cursor one column right",
        ),
        Binding(
            "shift+left",
            "cursor(-10)",
            "Cursor 10 left",
            id="chart.cursor.left10",
            show=False,
            tooltip="Cursor ten columns left",
        ),
        Binding(
            "shift+right",
            "cursor(10)",
            "Cursor 10 right",
            id="chart.cursor.right10",
            show=False,
            tooltip="Cursor ten columns right",
        ),
        Binding(
            "home",
            "cursor_home",
            "First point",
            id="chart.cursor.first",
            show=False,
            tooltip="Cursor on the first point",
        ),
        Binding(
            "end",
            "cursor_end",
            "Last point",
            id="chart.cursor.last",
            show=False,
            tooltip="Cursor on the last point (follows new points)",
        ),
        Binding(
            "n",
            "flag(True)",
            "Flag",
            id="chart.flag.next",
            key_display="n/N",
            tooltip="Next flagged point (NaN/inf, loss spike, grad_norm explosion)",
        ),
        Binding(
            "N",
            "flag(False)",
            "Previous flag",
            id="chart.flag.prev",
            show=False,
            tooltip="Previous flagged point",
        ),
        Binding(
            "plus,equals_sign",
            "zoom_in",
            "Zoom",
            id="chart.zoom.in",
            key_display="+/-",
            tooltip="Zoom in around the cursor (- out; the wheel zooms at the pointer)",
        ),
        Binding(
            "minus",
            "zoom_out",
            "Zoom out",
            id="chart.zoom.out",
            show=False,
            tooltip="Zoom out around the cursor",
        ),
        Binding(
            "left_square_bracket",
            "pan(-1)",
            "Pan",
            id="chart.pan.left",
            key_display="[/]",
            tooltip="Pan back a quarter of the window (] on)",
        ),
        Binding(
            "right_square_bracket",
            "pan(1)",
            "Pan on",
            id="chart.pan.right",
            show=False,
            tooltip="Pan on a quarter of the window",
        ),
        Binding("0", "zoom_whole", "All", id="chart.zoom.whole", tooltip="The whole run"),
        Binding(
            "x",
            "x_axis",
            "Axis",
            id="chart.x_axis",
            tooltip="x axis: step, elapsed time, clock time",
        ),
        Binding(
            "y",
            "outliers",
            "Outliers",
            id="chart.outliers",
            tooltip="Ignore outliers: fit y to the bulk, mark what is clipped",
        ),
        Binding(
            "escape",
            "leave",
            "Leave",
            id="chart.leave",
            tooltip="Leave the chart (the cursor goes)",
        ),
    ]

    class CursorMoved(Message):
        """The chart's cursor is now at ``moment`` (None: no cursor any more)."""

        def __init__(self, chart: CursorChart, moment: Moment | None, by_user: bool = True) -> None:
            super().__init__()
            self.chart = chart
            self.moment = moment
            #: False when the cursor only followed new points (or its point moved).
            self.by_user = by_user

        @property
        def control(self) -> CursorChart:
            return self.chart

    class Left(Message):
        """Esc in the chart: the cursor is gone and focus should go elsewhere."""

        def __init__(self, chart: CursorChart) -> None:
            super().__init__()
            self.chart = chart

        @property
        def control(self) -> CursorChart:
            return self.chart

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._explorer: Explorer | None = None
        self._plot: Plot | None = None
        self._width = 0
        self.readout = ""  # the readout as last shown (tests, screenshots' alt text)
        #: Replay: only the first ``cut`` points are drawn, on the whole run's x axis.
        self.cut: int | None = None
        #: Replay: what the chart says when no point was logged by the moment.
        self.cut_note = "no point logged by this moment"

    # ------------------------------------------------------------------ state

    @property
    def explorer(self) -> Explorer:
        if self._explorer is None:
            from axom_tui.charting.explore import Explorer

            self._explorer = Explorer()
        return self._explorer

    @property
    def track(self) -> Track:
        return self._overlay if self._mode == "overlay" else self._run

    @property
    def cursor(self) -> Moment | None:
        return self._explorer.cursor if self._explorer is not None else None

    def _has_data(self) -> bool:
        data = self._overlay_data if self._mode == "overlay" else self._run_data
        return data is not None and data.length > 0

    # ------------------------------------------------------------------ data in

    def set_data(self, *args: Any, **kwargs: Any) -> None:
        super().set_data(*args, **kwargs)
        self._after_data()

    def set_overlay(self, series: Any) -> None:
        super().set_overlay(series)
        self._after_data()

    def _after_data(self) -> None:
        if self.has_focus and self.cursor is None and self._has_data():
            self._enter_cursor()  # focused before the run had points
        elif self._explorer is not None and self._explorer.sync(self.track):
            self._moved()

    # ------------------------------------------------------------------ drawing

    def _extra_key(self) -> tuple[Any, ...]:
        ex = self._explorer
        if ex is None:
            return (self.cut, self.cut_note)
        return (ex.view, ex.x_mode, ex.robust, self.cut, self.cut_note)

    def _chart_options(self) -> ChartOptions:
        from dataclasses import replace

        options = super()._chart_options()
        ex = self._explorer
        if ex is None or not self._has_data():
            return options
        track = self.track
        options = replace(
            options, window=ex.window(track), x_mode=ex.mode(track).value, robust_y=ex.robust
        )
        if self.cut is None or self._mode != "run":
            return options
        x = track.x(ex.mode(track))
        if not x.shape[0]:
            return options
        until = float(x[min(self.cut, x.shape[0]) - 1]) if self.cut > 0 else -math.inf
        # the axis stays the whole run's (or the zoom's)
        return replace(options, until=until, empty_note=self.cut_note)

    def _cursor_x(self) -> float | None:
        ex = self._explorer
        if ex is None or ex.cursor is None or not self._has_data():
            return None
        return ex.cursor_x(self.track)

    def _show_rendered(self, rendered: Rendered, width: int) -> None:
        self._plot = rendered.plot
        self._width = width
        if self._explorer is not None and rendered.plot is not None:
            self._explorer.scale = rendered.plot.xscale
        super()._show_rendered(rendered, width)  # drawn with the cursor already
        self._put_readout()

    def _draw_cursor(self) -> None:
        """The drawn chart with the cursor moved and its readout (no new drawing)."""
        plot = self._plot
        if plot is None or not self._has_data():
            return
        self.strips = ansi_to_strips(plot.compose(self._cursor_x()), self._width)
        self._put_readout()
        self.refresh()

    def _put_readout(self) -> None:
        """The readout in the legend's row, while there is a cursor."""
        cursor = self.cursor
        if cursor is None or self._plot is None or not self._plot.top or not self.strips:
            self.readout = ""
            return
        self.strips[0] = self._readout_strip(cursor.index)

    def _readout_strip(self, index: int) -> Strip:
        from axom_tui.charting.readout import readout_text

        readout = self.track.readout(index, self.view, self._chart_options())
        width = self._width
        # Phase names and run labels are server text: whatever made it this far, nothing
        # in the readout reaches the terminal as a control character.
        self.readout = clean_text(
            readout_text(readout, max(0, width - 1), self.ascii_mode), max(0, width - 1)
        )
        theme = self.chart_theme()
        text = Text(" " + self.readout, no_wrap=True, overflow="ellipsis")
        flag_at = self.readout.find("⚠" if not self.ascii_mode else "! ")
        base = Style(color=_rgb(theme.foreground), bgcolor=_rgb(theme.background), bold=False)
        text.stylize(base)
        text.stylize(
            Style(bold=True),
            0,
            1 + self.readout.find(" · ") if " · " in self.readout else len(self.readout) + 1,
        )
        if flag_at >= 0:
            text.stylize(Style(color=_rgb(theme.warning), bold=True), 1 + flag_at)
        return Strip(cell_segments(text, width, base), width).simplify()

    # ------------------------------------------------------------------ cursor

    def _moved(self) -> None:
        self._draw_cursor()
        self.post_message(self.CursorMoved(self, self.cursor, by_user=False))

    def cursor_to_time(self, ts: float, *, post: bool = True) -> Moment | None:
        """Put the cursor on the point logged nearest ``ts`` (epoch s)."""
        return self._explore(lambda ex, track: ex.at_time(track, ts), post=post)

    def cursor_to_step(self, step: int, *, post: bool = True) -> Moment | None:
        """Put the cursor on the point at (or nearest) ``step``."""
        return self._explore(lambda ex, track: ex.at_step(track, step), post=post)

    def clear_cursor(self, *, post: bool = True) -> None:
        if self._explorer is None or self._explorer.cursor is None:
            return
        self._explorer.clear()
        self.redraw(force=True)
        if post:
            self.post_message(self.CursorMoved(self, None))

    def _explore(self, move: Callable[[Explorer, Track], T], *, post: bool = True) -> T | None:
        """``move(explorer, track)`` when there is data, then redraw and (``post``) tell the
        screen; None without data."""
        if not self._has_data():
            return None
        result = move(self.explorer, self.track)
        self._after_move(post)
        return result

    def _after_move(self, post: bool = True) -> None:
        """Redraw if the window moved, else recompose; tell the screen."""
        ex = self.explorer
        note, ex.note = ex.note, None
        if note:
            self.notify(note, timeout=3)
        if not self.redraw():
            self._draw_cursor()
        if post:
            self.post_message(self.CursorMoved(self, self.cursor))

    def on_focus(self) -> None:
        if self._has_data() and self.explorer.cursor is None:
            self._enter_cursor()

    def _enter_cursor(self) -> None:
        """The cursor appears on the newest point; in replay on the moment's newest, and
        the moment stays (none when nothing was logged by then)."""
        ex, track = self.explorer, self.track
        if self.cut is None or self._mode != "run":
            ex.enter(track)
            self._after_move()
            return
        if self.cut <= 0:
            self.notify("No points were logged by this moment: , and . move it.", timeout=3)
            return
        from axom_tui.charting.timeaxis import XMode

        ex.at_step(track, int(track.x(XMode.STEP)[min(self.cut, track.length) - 1]))
        self._after_move(post=False)

    # ------------------------------------------------------------------ keys

    def action_cursor(self, columns: int) -> None:
        self._explore(lambda ex, track: ex.move(track, columns))

    def action_cursor_home(self) -> None:
        self._explore(lambda ex, track: ex.home(track))

    def action_cursor_end(self) -> None:
        self._explore(lambda ex, track: ex.end(track))

    def action_flag(self, forward: bool) -> None:
        self._explore(lambda ex, track: ex.flag(track, forward))

    def action_zoom_in(self) -> None:
        self._zoom(ZOOM)

    def action_zoom_out(self) -> None:
        self._zoom(1 / ZOOM)

    def _zoom(self, factor: float, col: int | None = None) -> None:
        self._explore(lambda ex, track: ex.zoom(track, factor, col), post=False)

    def action_zoom_whole(self) -> None:
        self.explorer.whole()
        self._after_move(post=False)

    def action_pan(self, direction: int) -> None:
        self._explore(lambda ex, track: ex.pan(track, direction), post=False)

    def action_x_axis(self) -> None:
        if self._mode == "overlay":
            self.notify("The compare view's x axis is the step.", timeout=3)
            return
        mode = self._explore(lambda ex, track: ex.cycle_x(track), post=False)
        if mode is not None:
            self.notify(f"x axis: {mode.value}", timeout=1.5)

    def action_outliers(self) -> None:
        robust = self.explorer.toggle_robust()
        self._after_move(post=False)
        self.notify(
            "Outliers ignored: y fits the bulk" if robust else "y fits every point", timeout=1.5
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "leave":  # with no cursor to leave, Esc is the screen's
            return self.cursor is not None
        return True

    def action_leave(self) -> None:
        self.clear_cursor()
        self.post_message(self.Left(self))

    # ------------------------------------------------------------------ mouse

    def _data_column(self, x: int) -> int | None:
        plot = self._plot
        if plot is None or plot.xscale is None:
            return None
        col = x - plot.origin[0]
        return col if 0 <= col < plot.xscale.cols else None

    def on_click(self, event: events.Click) -> None:
        col = self._data_column(event.x)
        if col is None or not self._has_data():
            return
        event.stop()
        self.focus()
        self.explorer.place(self.track, col)
        self._after_move()

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._wheel(event, ZOOM)

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self._wheel(event, 1 / ZOOM)

    def _wheel(self, event: events.MouseEvent, factor: float) -> None:
        col = self._data_column(event.x)
        if col is None:
            return
        event.stop()
        self._zoom(factor, col)


def _rgb(rgb: tuple[int, int, int]) -> str:
    return f"rgb({rgb[0]},{rgb[1]},{rgb[2]})"
