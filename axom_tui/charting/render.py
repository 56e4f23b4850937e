"""Draw a :class:`ChartSpec` to an ANSI string, with plotext figures of our own.

Layout of the ``height`` rows returned: one legend row (coloured keys on the left,
the spec's caption on the right), the plot, and one warning row when a series has
NaN/inf values (or values hidden by the log scale, or points clipped because outliers
are ignored).

:func:`render_chart` keeps the laid-out, rasterised chart (:class:`Plot`): the cursor is
a column drawn over it, so moving the cursor recomposes the text (~1 ms) and neither
decimates nor rasterises again.

How the plot is made, within a 20 ms budget at a million points:

1. each line is decimated to two points per dot column (``decimate``);
2. the y axes and the x axis are snapped to a grid (``ticks``), so they stay the same
   while a run grows, and the frame plotext builds for them (box, tick labels,
   growth-cycle and resume markers as ``vline``-style lines) is cached (``frame``);
3. the lines are rasterised to braille (or quarter-block) cells in numpy and the
   data area's text is composed from them (``raster``), inside the frame's text.

Every figure is private (``_plotext_compat.new_figure``): nothing touches
``plotext.figure`` or another chart's figure. The log scale is applied here (values
``log10``'d, ticks labelled with the real values).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from axom_tui.charting import axes as ax
from axom_tui.charting.ansi import ASCII_TEXT, RESET, placeholder, sgr
from axom_tui.charting.cursor import XScale
from axom_tui.charting.decimate import Decimated, decimate
from axom_tui.charting.frame import Frame, FrameCache, FrameKey, Ticks, build_frame
from axom_tui.charting.raster import (
    ASCII,
    BRAILLE,
    Cells,
    Glyphs,
    compose_rows,
    line_spans,
    rasterize,
)
from axom_tui.charting.spec import RGB, ChartLine, ChartSpec, ChartTheme, LineStyle, mix

MIN_PLOT_HEIGHT = 4
MIN_WIDTH = 12
#: Marker sets with more lines than this in view are thinned (every k-th one drawn).
MAX_MARKER_LINES = 48
CLIP_UP, CLIP_DOWN = "▲", "▼"  # a point beyond the y range (ignore outliers): which way


@dataclass(frozen=True, slots=True)
class Plot:
    """A chart laid out and rasterised, ready to be written with or without a cursor
    (moving the cursor recomposes this, ~1 ms, instead of drawing the chart again)."""

    top: tuple[str, ...]  # the legend row, if shown
    bottom: tuple[str, ...]  # the flags row, if shown
    body: str | None = None  # a placeholder drawn instead of a plot
    frame: Frame | None = None
    cells: Cells | None = None
    glyphs: Glyphs = BRAILLE
    canvas: tuple[int, int] = (0, 0)  # width, height of the data area in cells
    colors: tuple[RGB, ...] = ()
    vlines: tuple[tuple[int, RGB, LineStyle], ...] = ()
    marks: tuple[tuple[int, int, str, RGB], ...] = ()
    background: RGB = (0, 0, 0)
    cursor_colors: tuple[RGB, RGB] = ((255, 255, 255), (60, 60, 60))
    #: x to columns of the data area, and the data area's top-left cell in the chart.
    xscale: XScale | None = None
    origin: tuple[int, int] = (0, 0)

    def compose(self, cursor_x: float | None = None) -> str:
        """The chart's text; with a cursor on the column where ``cursor_x`` is drawn."""
        if self.frame is None or self.cells is None:
            body = self.body or ""
        else:
            width, height = self.canvas
            cursor = None
            if cursor_x is not None and self.xscale is not None:
                col = self.xscale.column(cursor_x)
                cursor = (col, *self.cursor_colors)
            rows = compose_rows(
                self.cells,
                self.glyphs,
                width,
                height,
                self.colors,
                self.vlines,
                self.background,
                self.marks,
                cursor,
            )
            body = self.frame.around(rows)
        return "\n".join([*self.top, body, *self.bottom])

    def cursor_column(self, cursor_x: float) -> int | None:
        """The column of the chart (not of the data area) the cursor is drawn in."""
        if self.xscale is None:
            return None
        return self.origin[0] + self.xscale.column(cursor_x)


@dataclass(frozen=True, slots=True)
class Rendered:
    """The chart text plus what the widget may want to show elsewhere."""

    ansi: str
    flags: tuple[str, ...] = ()
    points: int = 0  # decimated points drawn, all lines together
    placeholder: bool = False
    plot: Plot | None = field(default=None, compare=False)


def render(
    spec: ChartSpec,
    width: int,
    height: int,
    theme: ChartTheme | None = None,
    cache: FrameCache | None = None,
) -> str:
    """ANSI text of ``height`` lines of ``width`` cells (see :func:`render_chart`)."""
    return render_chart(spec, width, height, theme, cache).ansi


def render_chart(
    spec: ChartSpec,
    width: int,
    height: int,
    theme: ChartTheme | None = None,
    cache: FrameCache | None = None,
    cursor_x: float | None = None,
) -> Rendered:
    """Draw ``spec``; pass the same ``cache`` on each redraw of one chart to reuse frames."""
    theme = theme or ChartTheme()
    width, height = max(1, int(width)), max(1, int(height))
    opts = spec.options
    if spec.empty or width < MIN_WIDTH or height < 2:
        text = spec.placeholder if spec.empty else "(too small)"
        text = text.translate(ASCII_TEXT) if opts.ascii_mode else text
        return Rendered(placeholder(text, width, height, theme), placeholder=True)

    glyphs = ASCII if opts.ascii_mode else BRAILLE
    sides = {line.axis for line in spec.lines}
    # One bucket per dot column of an estimate of the plot's width (frame and ~7-cell
    # tick labels per axis): a few columns off makes no visible difference.
    columns = max(4, width - 2 - 7 * len(sides)) * glyphs.xres
    window = _cut(opts.window, opts.until)
    decimated = [
        _break_gaps(
            decimate(
                line.steps,
                line.values,
                columns,
                window=window,
                positive_only=opts.log_y,
                summary=line.summary,
            ),
            spec.x_gap,
        )
        for line in spec.lines
    ]
    flags = _flags(spec.lines, decimated, opts.log_y)
    show_header = height >= MIN_PLOT_HEIGHT + 2
    plot_h = height - (1 if show_header else 0)
    room_for_flags = plot_h - 1 >= MIN_PLOT_HEIGHT
    reserve = room_for_flags and (bool(flags) or opts.robust_y)
    plot_h -= 1 if reserve else 0

    top = (_legend_row(spec, width, theme, opts.ascii_mode),) if show_header else ()
    if not any(len(d) for d in decimated):
        plot = Plot(top, (), body=placeholder(opts.empty_note, width, plot_h, theme))
    else:
        plot, clipped = _plot(spec, decimated, width, plot_h, theme, glyphs, cache, top)
        flags = flags + _clip_flags(clipped, opts.robust_y)
    if opts.ascii_mode:
        flags = tuple(flag.translate(ASCII_TEXT) for flag in flags)
    if reserve:
        row = _text_row("  ".join(flags), width, theme.warning, theme.background)
        plot = _with_bottom(plot, (row,))
    return Rendered(plot.compose(cursor_x), flags, sum(len(d) for d in decimated), plot=plot)


def _cut(window: tuple[float, float] | None, until: float | None) -> tuple[float, float] | None:
    """The x range decimated: the window, ending at ``until`` (replay) if that is sooner."""
    if until is None:
        return window
    if window is None:
        return (-math.inf, until)
    return (window[0], min(window[1], until))


def _with_bottom(plot: Plot, bottom: tuple[str, ...]) -> Plot:
    return replace(plot, bottom=bottom)


def _break_gaps(d: Decimated, gap: float | None) -> Decimated:
    """No line across a stretch of ``gap`` or more without points (a preemption)."""
    if gap is None or len(d) < 2:
        return d
    far = np.diff(d.x) >= gap
    if not far.any():
        return d
    connect = d.connect.copy()
    connect[1:] &= ~far
    return replace(d, connect=connect)


# ----------------------------------------------------------------------- the plot


def _plot(
    spec: ChartSpec,
    decimated: list[Decimated],
    width: int,
    height: int,
    theme: ChartTheme,
    glyphs: Glyphs,
    cache: FrameCache | None,
    top: tuple[str, ...],
) -> tuple[Plot, dict[str, list[int]]]:
    log = spec.options.log_y
    robust = spec.options.robust_y
    canvas_h = height - 3  # the frame's two rows and the x tick labels
    axes: dict[str, ax.Axis] = {}
    for side in ("left", "right"):
        members = [d for line, d in zip(spec.lines, decimated) if line.axis == side and len(d)]
        if members:
            axes[side] = ax.y_axis(members, log, canvas_h, robust)
    left_w = max(len(s) for s in axes["left"].labels) if "left" in axes else 0
    canvas_w = width - 2 - sum(max(len(s) for s in a.labels) for a in axes.values())
    if canvas_w < 4 or canvas_h < 2:
        return Plot(top, (), body=placeholder("(too small)", width, height, theme)), {}
    xdots, ydots = canvas_w * glyphs.xres, canvas_h * glyphs.yres
    xaxis = ax.x_axis(spec, decimated, canvas_w)

    y_ticks = {
        side: Ticks(ax.cells_of(a, ydots, glyphs.yres, canvas_h, a.ticks), a.labels)
        for side, a in axes.items()
    }
    vlines = []
    for mset in spec.markers:
        until = spec.options.until
        visible = tuple(
            s for s in mset.steps if xaxis.lo <= s <= xaxis.hi and (until is None or s <= until)
        )
        every = max(1, math.ceil(len(visible) / MAX_MARKER_LINES))
        for col in ax.cells_of(xaxis, xdots, glyphs.xres, canvas_w, visible[::every]):
            vlines.append((col, mset.color, mset.style))
    key = FrameKey(
        width,
        height,
        theme.background,
        theme.muted,
        theme.foreground,
        Ticks(ax.cells_of(xaxis, xdots, glyphs.xres, canvas_w, xaxis.ticks), xaxis.labels),
        y_ticks.get("left"),
        y_ticks.get("right"),
        tuple(vlines),
        glyphs.frame is not None,
    )
    frame = cache.get(key) if cache is not None else build_frame(key)

    layers = []
    marks: list[tuple[int, int, str, RGB]] = []
    clipped: dict[str, list[int]] = {}
    for line, d in zip(spec.lines, decimated):
        axis = axes.get(line.axis)
        if axis is None or not len(d):
            layers.append(line_spans((), (), (), xdots))
            continue
        x = ax.to_dots(d.x, xaxis, xdots)
        y = ax.to_dots(np.log10(d.y) if log else d.y, axis, ydots)
        if axis.clips:
            _clip_marks(line, x, y, ydots, glyphs, canvas_h, marks, clipped)
        layers.append(line_spans(x, y, d.connect, xdots))
    cells = rasterize(layers, canvas_w, canvas_h, glyphs)
    plot = Plot(
        top,
        (),
        frame=frame,
        cells=cells,
        glyphs=glyphs,
        canvas=(canvas_w, canvas_h),
        colors=tuple(line.color for line in spec.lines),
        vlines=tuple(vlines),
        marks=tuple(marks),
        background=theme.background,
        cursor_colors=(theme.foreground, mix(theme.background, theme.foreground, 0.22)),
        xscale=XScale(xaxis.lo, xaxis.hi, canvas_w, glyphs.xres),
        origin=(left_w + 1, len(top) + 1),
    )
    return plot, clipped


def _clip_marks(
    line: ChartLine,
    x: np.ndarray,
    y: np.ndarray,
    ydots: int,
    glyphs: Glyphs,
    rows: int,
    marks: list[tuple[int, int, str, RGB]],
    clipped: dict[str, list[int]],
) -> None:
    """Marks on the top (bottom) row over each column with a point above (below) the range."""
    above, below = y > ydots - 0.5, y < -0.5
    up, down = (CLIP_UP, CLIP_DOWN) if glyphs.frame is None else ("^", "v")
    for hit, row, char, way in ((above, 0, up, "above"), (below, rows - 1, down, "below")):
        if not hit.any():
            continue
        cols = np.unique(np.rint(x[hit]).astype(np.int64) // glyphs.xres)
        marks.extend((row, int(c), char, line.color) for c in cols)
        if line.nan_label is not None:
            clipped.setdefault(f"{line.nan_label} {way}", []).append(int(hit.sum()))


def _clip_flags(clipped: dict[str, list[int]], robust: bool) -> tuple[str, ...]:
    if not robust:
        return ()
    if not clipped:
        return ("outliers ignored: none beyond the range",)
    parts = [f"{sum(n)} {what}" for what, n in clipped.items()]
    return (f"{CLIP_UP}{CLIP_DOWN} outliers ignored: " + ", ".join(parts),)


# -------------------------------------------------------------- text rows


def _flags(lines: tuple[ChartLine, ...], decimated: list[Decimated], log: bool) -> tuple[str, ...]:
    out = []
    for line, d in zip(lines, decimated):
        if line.nan_label is None:
            continue
        if d.nonfinite:
            kind = "NaN" if d.infinite == 0 else "NaN/inf" if d.infinite < d.nonfinite else "inf"
            noun = "value" if d.nonfinite == 1 else "values"
            out.append(f"⚠ {d.nonfinite} {kind} {line.nan_label} {noun} (gaps)")
        if log and d.nonpositive:
            noun = "value" if d.nonpositive == 1 else "values"
            out.append(f"⚠ {d.nonpositive} {line.nan_label} {noun} ≤ 0 hidden (log scale)")
    return tuple(out)


def _legend_row(spec: ChartSpec, width: int, theme: ChartTheme, ascii_mode: bool) -> str:
    """Coloured keys, one per distinct label, then the caption right-aligned."""
    bg = theme.background
    line_key, raw_key, dotted_key, solid_key = (
        ("-", ".", ":", "|") if ascii_mode else ("━", "·", "┊", "│")
    )
    keys: list[tuple[str, str, RGB]] = []
    seen: set[str] = set()
    for line in spec.lines:
        if line.in_legend and line.label not in seen:
            seen.add(line.label)
            keys.append((raw_key if line.dimmed else line_key, line.label, line.color))
    for mset in spec.markers:
        if mset.steps and mset.label not in seen:
            seen.add(mset.label)
            key = dotted_key if mset.style == "dotted" else solid_key
            keys.append((key, mset.label, mset.color))
    out: list[str] = []
    used = 1
    out.append(sgr(theme.foreground, bg) + " ")
    for glyph, label, color in keys:
        piece = len(label) + 4
        if used + piece > width:
            break
        out.append(f"{sgr(color, bg, bold=True)}{glyph} {sgr(theme.foreground, bg)}{label}  ")
        used += piece
    caption = spec.caption.translate(ASCII_TEXT) if ascii_mode else spec.caption
    room = width - used
    if caption and room > len(caption) + 1:
        out.append(" " * (room - len(caption) - 1) + sgr(theme.muted, bg) + caption + " ")
    else:
        out.append(" " * max(0, room))
    return "".join(out) + RESET


def _text_row(text: str, width: int, fg: RGB, bg: RGB) -> str:
    text = " " + text
    if len(text) > width:
        text = text[: max(0, width - 1)] + "…"
    return sgr(fg, bg) + text.ljust(width) + RESET
