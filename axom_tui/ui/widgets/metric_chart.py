"""The metric chart: a thin Textual shell around :mod:`axom_tui.charting`.

It holds what it was last given (a run's columns, or several runs' loss for the
compare view), and redraws only when the data, the options, its size or the theme
changed; at most ``MAX_RATE`` times a second, and not at all while it cannot be seen
(another screen on top, ``display: none``, scrolled away): it catches up when it can
be seen again. Drawing makes an ANSI string with a private plotext figure and turns
it into a cached :class:`rich.text.Text` that :meth:`render` hands back.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from textual.color import Color, ColorParseError
from textual.dom import NoScreen
from textual.reactive import reactive
from textual.strip import Strip
from textual.timer import Timer
from textual.widget import Widget

from axom_tui.charting.ansi import ASCII_TEXT, placeholder
from axom_tui.charting.spec import RGB, WAITING, ChartOptions, ChartTheme, MetricView, SeriesLike
from axom_tui.ui.ansi_strips import ansi_to_strips

if TYPE_CHECKING:
    from axom_tui.charting.frame import FrameCache
    from axom_tui.charting.render import Rendered
    from axom_tui.charting.views import OverlayData, RunChartData

MAX_RATE = 4.0  # redraws per second, at most
_RETRY = 0.5  # seconds between checks while hidden with a redraw owed


class MetricChart(Widget):
    """Loss/grad_norm (and lr, throughput, vram) of a run, or several runs' loss."""

    DEFAULT_CSS = """
    MetricChart { height: 1fr; min-height: 6; }
    """

    view: reactive[MetricView] = reactive(MetricView.LOSS_GRAD, init=False)
    smoothing: reactive[bool] = reactive(True, init=False)
    log_y: reactive[bool] = reactive(False, init=False)
    ascii_mode: reactive[bool] = reactive(False, init=False)

    def __init__(
        self,
        *,
        weight: float = 0.6,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self.weight = weight
        # The chart engine (numpy, plotext) is made on first use: it costs half a second
        # to import, and the first frame has no data to chart yet.
        self._run_data: RunChartData | None = None
        self._overlay_data: OverlayData | None = None
        self._frame_cache: FrameCache | None = None
        self._mode = "run"  # or "overlay"
        self._generation = 0  # bumped whenever the data changes
        self.strips: list[Strip] = []  # what is on screen: one per row, made once per redraw
        self._drawn_key: tuple[Any, ...] | None = None
        self._timer: Timer | None = None
        self._last_draw = 0.0
        self._theme_cache: tuple[Mapping[str, str], tuple[Any, ...], ChartTheme] | None = None
        #: What the last draw showed (for tests and the status line).
        self.flags: tuple[str, ...] = ()
        self.placeholder = True
        self.draws = 0
        #: What the chart says while it has no data (the connection's problem, if any).
        self.waiting_text = WAITING

    # ------------------------------------------------------------------ data in

    @property
    def _run(self) -> RunChartData:
        if self._run_data is None:
            from axom_tui.charting.views import RunChartData

            self._run_data = RunChartData()
        return self._run_data

    @property
    def _overlay(self) -> OverlayData:
        if self._overlay_data is None:
            from axom_tui.charting.views import OverlayData

            self._overlay_data = OverlayData()
        return self._overlay_data

    def set_data(
        self,
        steps: SeriesLike,
        columns: Mapping[str, SeriesLike],
        cycle_boundaries: Sequence[int] = (),
        resume_points: Sequence[int] = (),
        version: int | None = None,
        **meta: Any,
    ) -> None:
        """Show one run. The arrays are the store's own: kept by reference, never copied.
        ``meta``: the run's stamps, start and (cycle, phase) by step (``RunChartData``)."""
        changed = self._run.set_data(
            steps, columns, cycle_boundaries, resume_points, version, **meta
        )
        if changed or self._mode != "run":
            self._mode = "run"
            self._generation += 1
            self._schedule()

    def set_overlay(self, series: Sequence[tuple[str, SeriesLike, SeriesLike, int | None]]) -> None:
        """Compare runs: ``(label, steps, loss, version)`` each; labels already sanitised."""
        changed = self._overlay.set_overlay(series)
        if changed or self._mode != "overlay":
            self._mode = "overlay"
            self._generation += 1
            self._schedule()

    def next_view(self) -> MetricView:
        """Cycle loss + grad_norm → lr → throughput → vram_gb → …"""
        self.view = self.view.next()
        return self.view

    # ------------------------------------------------------------- reactions

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._on_theme_changed)

    def _on_theme_changed(self, _theme: object) -> None:
        self._theme_cache = None
        self._schedule(now=True)

    def watch_view(self) -> None:
        self._schedule(now=True)

    def watch_smoothing(self) -> None:
        self._schedule(now=True)

    def watch_log_y(self) -> None:
        self._schedule(now=True)

    def watch_ascii_mode(self) -> None:
        self._schedule(now=True)

    def on_resize(self) -> None:
        self._schedule(now=True)

    def on_show(self) -> None:
        self._schedule(now=True)

    # ---------------------------------------------------------------- drawing

    def render_line(self, y: int) -> Strip:
        # Repaints (scrolling other widgets, a layout pass) reuse the strips as they are.
        width = self.content_size.width
        if 0 <= y < len(self.strips):
            strip = self.strips[y]
            return (
                strip
                if strip.cell_length == width
                else strip.adjust_cell_length(width, self.rich_style)
            )
        return Strip.blank(width, self.rich_style)

    @property
    def text(self) -> str:
        """The chart as plain text (tests, screenshots' alt text)."""
        return "\n".join(strip.text for strip in self.strips)

    @property
    def can_be_seen(self) -> bool:
        """Shown on the current screen, with room to draw."""
        if not self.is_mounted or not self.display or self.size.area == 0:
            return False
        try:
            return self.screen.is_current and self.is_on_screen
        except NoScreen:  # not attached to a screen (yet / any more)
            return False

    def _schedule(self, now: bool = False) -> None:
        """Redraw soon: at once for user actions, else no sooner than 1/MAX_RATE after the last."""
        if not self.is_mounted:
            return
        if self._timer is not None:
            if not now:
                return  # a redraw is already due; it will see the latest data
            self._timer.stop()
        delay = 0.0 if now else max(0.0, self._last_draw + 1.0 / MAX_RATE - time.monotonic())
        self._timer = self.set_timer(max(delay, 0.001), self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        if not self.can_be_seen:
            if self._key() != self._drawn_key:  # owed a redraw: look again later
                self._timer = self.set_timer(_RETRY, self._on_timer)
            return
        self.redraw()

    def _key(self) -> tuple[Any, ...]:
        size = self.content_size
        return (
            self._mode,
            self._generation,
            self.view,
            self.smoothing,
            self.log_y,
            self.ascii_mode,
            self.weight,
            self.waiting_text,
            size.width,
            size.height,
            *self._extra_key(),
            self.chart_theme(),
        )

    def _extra_key(self) -> tuple[Any, ...]:
        """More of what a drawing depends on (a subclass's zoom, axis…)."""
        return ()

    def _chart_options(self) -> ChartOptions:
        return ChartOptions(
            log_y=self.log_y,
            smoothing=self.smoothing,
            weight=self.weight,
            ascii_mode=self.ascii_mode,
        )

    def _cursor_x(self) -> float | None:
        """Where a cursor is drawn (x units), if the chart has one."""
        return None

    def _show_rendered(self, rendered: Rendered, width: int) -> None:
        """Turn a drawing into what is on screen (a subclass adds its cursor)."""
        self.strips = ansi_to_strips(rendered.ansi, width)

    def redraw(self, force: bool = False) -> bool:
        """Draw now if anything changed (or ``force``); True if it drew."""
        key = self._key()
        if key == self._drawn_key and not force:
            return False
        width, height = self.content_size
        if width <= 0 or height <= 0:
            return False
        theme = key[-1]
        if (self._run_data if self._mode == "run" else self._overlay_data) is None:
            self._draw_waiting(width, height, theme)  # no data yet: no need for the engine
        else:
            self._draw_chart(width, height, theme)
        self._drawn_key = key
        self._last_draw = time.monotonic()
        self.draws += 1
        self.refresh()
        return True

    def _draw_waiting(self, width: int, height: int, theme: ChartTheme) -> None:
        text = self.waiting_text.translate(ASCII_TEXT) if self.ascii_mode else self.waiting_text
        self.strips = ansi_to_strips(placeholder(text, width, height, theme), width)
        self.flags, self.placeholder = (), True

    def _draw_chart(self, width: int, height: int, theme: ChartTheme) -> None:
        from axom_tui.charting.frame import FrameCache
        from axom_tui.charting.render import render_chart

        options = self._chart_options()
        if self._mode == "overlay":
            spec = self._overlay.spec(options, theme)
        else:
            spec = self._run.spec(self.view, options, theme)
        if self._frame_cache is None:
            self._frame_cache = FrameCache()
        rendered = render_chart(
            spec, width, height, theme, self._frame_cache, cursor_x=self._cursor_x()
        )
        self._show_rendered(rendered, width)
        self.flags, self.placeholder = rendered.flags, rendered.placeholder

    # ----------------------------------------------------------------- theme

    def chart_theme(self) -> ChartTheme:
        """Chart colours from the app theme's variables (``chart-*``, with fallbacks)."""
        variables = getattr(self.app, "theme_variables", {}) or {}
        base = self.background_colors[1]
        # Textual replaces the variables' dict when the theme changes: the same dict
        # object means the same variables (no need to compare a hundred of them).
        cached = self._theme_cache
        if cached is not None and cached[0] is variables and cached[1] == (base.rgb, base.a):
            return cached[2]
        theme = theme_from_variables(variables, base if base.a > 0 else None)
        self._theme_cache = (variables, (base.rgb, base.a), theme)
        return theme


def theme_from_variables(
    variables: Mapping[str, str], background: Color | None = None
) -> ChartTheme:
    """Map Textual theme variables to chart colours (alpha composited on the background).

    ``background`` is what the chart is drawn on (the widget's effective background);
    without it, the theme's ``background`` variable.
    """
    default = ChartTheme()
    bg = background or _parse(variables.get("background")) or Color(*default.background)
    bg = Color(*bg.rgb)  # opaque: what the chart is drawn on
    fg = _parse(variables.get("foreground")) or Color(*default.foreground)

    def pick(*names: str, fallback: RGB, alpha: float = 1.0) -> RGB:
        for name in names:
            color = _parse(variables.get(name))
            if color is not None:
                return _over(color.multiply_alpha(alpha), bg)
        return _over(Color(*fallback).multiply_alpha(alpha), bg)

    loss = pick("chart-loss", "primary", fallback=default.loss)
    grad = pick("chart-grad-norm", "warning", fallback=default.grad_norm)
    palette = tuple(
        dict.fromkeys(
            [
                loss,
                grad,
                pick("success", fallback=default.palette[2]),
                pick("chart-aux", "accent", fallback=default.aux),
                pick("error", fallback=default.palette[4]),
                pick("secondary", fallback=default.palette[5]),
                _over(fg, bg),
            ]
        )
    )
    return ChartTheme(
        background=bg.rgb,
        foreground=_over(fg, bg),
        muted=_over(fg.multiply_alpha(0.55), bg),
        loss=loss,
        grad_norm=grad,
        aux=pick("chart-aux", "accent", fallback=default.aux),
        raw=pick("chart-raw", fallback=default.raw)
        if "chart-raw" in variables
        else _over(fg.multiply_alpha(0.35), bg),
        cycle=pick("chart-cycle", "secondary", "accent", fallback=default.cycle),
        # Not "warning": that is grad_norm's fallback (and amber in the shipped themes).
        resume=pick("chart-resume", "error", fallback=default.resume),
        warning=pick("warning", fallback=default.warning),
        palette=palette,
    )


def _parse(value: str | None) -> Color | None:
    if not value:
        return None
    try:
        return Color.parse(value)
    except ColorParseError:  # e.g. "auto 60%": not a plain colour
        return None


def _over(color: Color, background: Color) -> RGB:
    return (background + color).rgb if color.a < 1 else color.rgb
