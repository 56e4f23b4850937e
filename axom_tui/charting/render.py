"""Draw a :class:`ChartSpec` to an ANSI string, with plotext figures of our own.

Layout of the ``height`` rows returned: one legend row (coloured keys on the left,
the spec's caption on the right), the plot, and one warning row when a series has
NaN/inf values (or values hidden by the log scale).

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
from dataclasses import dataclass

import numpy as np

from axom_tui.charting import ticks as tk
from axom_tui.charting.ansi import ASCII_TEXT, RESET, placeholder, sgr
from axom_tui.charting.decimate import Decimated, decimate
from axom_tui.charting.frame import FrameCache, FrameKey, Ticks, build_frame
from axom_tui.charting.raster import ASCII, BRAILLE, Glyphs, compose_rows, line_spans, rasterize
from axom_tui.charting.spec import RGB, ChartLine, ChartSpec, ChartTheme

MIN_PLOT_HEIGHT = 4
MIN_WIDTH = 12
#: Marker sets with more lines than this in view are thinned (every k-th one drawn).
MAX_MARKER_LINES = 48


@dataclass(frozen=True, slots=True)
class Rendered:
    """The chart text plus what the widget may want to show elsewhere."""

    ansi: str
    flags: tuple[str, ...] = ()
    points: int = 0  # decimated points drawn, all lines together
    placeholder: bool = False


def render(
    spec: ChartSpec, width: int, height: int, theme: ChartTheme | None = None,
    cache: FrameCache | None = None,
) -> str:
    """ANSI text of ``height`` lines of ``width`` cells (see :func:`render_chart`)."""
    return render_chart(spec, width, height, theme, cache).ansi


def render_chart(
    spec: ChartSpec, width: int, height: int, theme: ChartTheme | None = None,
    cache: FrameCache | None = None,
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
    decimated = [
        decimate(line.steps, line.values, columns, window=opts.window, positive_only=opts.log_y,
                 summary=line.summary)
        for line in spec.lines
    ]
    flags = _flags(spec.lines, decimated, opts.log_y)
    if opts.ascii_mode:
        flags = tuple(flag.translate(ASCII_TEXT) for flag in flags)
    show_header = height >= MIN_PLOT_HEIGHT + 2
    plot_h = height - (1 if show_header else 0)
    flags_shown = flags if plot_h - 1 >= MIN_PLOT_HEIGHT else ()
    plot_h -= 1 if flags_shown else 0

    if not any(len(d) for d in decimated):
        body = placeholder("no finite values to plot", width, plot_h, theme)
    else:
        body = _plot(spec, decimated, width, plot_h, theme, glyphs, cache)
    rows = [_legend_row(spec, width, theme, opts.ascii_mode)] if show_header else []
    rows.append(body)
    if flags_shown:
        rows.append(_text_row("  ".join(flags_shown), width, theme.warning, theme.background))
    return Rendered("\n".join(rows), flags, sum(len(d) for d in decimated))


# ----------------------------------------------------------------------- the plot


@dataclass(frozen=True, slots=True)
class _Axis:
    lo: float  # in plotted units (log10 of the value on a log axis)
    hi: float
    ticks: tuple[float, ...]
    labels: tuple[str, ...]


def _y_axis(members: list[Decimated], log: bool, rows: int) -> _Axis:
    lo = min(float(d.y.min()) for d in members)
    hi = max(float(d.y.max()) for d in members)
    target = max(2, rows // 3)
    if hi - lo <= tk.FLAT_RELATIVE * max(abs(lo), abs(hi)):
        # A flat series (a constant, or its EMA's rounding noise of ~1e-16): one value.
        lo = hi = (lo + hi) / 2 if math.isfinite(lo + hi) else lo
    if log:
        lo, hi, ticks = tk.snapped_log(lo, hi, target)
        return _Axis(math.log10(lo), math.log10(hi), tuple(math.log10(t) for t in ticks),
                     tuple(tk.format_tick(t) for t in ticks))
    lo, hi, ticks = tk.snapped_linear(lo, hi, target)
    return _Axis(lo, hi, tuple(ticks), tuple(tk.format_labels(ticks)))


def _x_axis(spec: ChartSpec, decimated: list[Decimated], columns: int) -> _Axis:
    target = max(2, columns // 12)
    if spec.options.window is not None:
        lo, hi = (float(v) for v in spec.options.window)
        ticks = tk.linear_ticks(lo, hi, target) if hi > lo else [lo]
    else:
        xs = [d.x for d in decimated if len(d)]
        lo, hi, ticks = tk.snapped_linear(min(float(x[0]) for x in xs),
                                          max(float(x[-1]) for x in xs), target, fine=16)
    if hi <= lo:
        lo, hi = lo - 1, hi + 1
    return _Axis(lo, hi, tuple(ticks), tuple(tk.format_step(t) for t in ticks))


def _to_dots(values: np.ndarray, axis: _Axis, dots: int) -> np.ndarray:
    # In halves: exact, and the span of values near ±1.8e308 does not overflow to inf.
    return (values * 0.5 - axis.lo * 0.5) * ((dots - 1) / (axis.hi * 0.5 - axis.lo * 0.5))


def _cells(
    axis: _Axis, dots: int, res: int, cells: int, values: tuple[float, ...]
) -> tuple[int, ...]:
    """The cells holding ``values``, by the same mapping as the rasterised dots."""
    scale = (dots - 1) / (axis.hi * 0.5 - axis.lo * 0.5)
    return tuple(min(cells - 1, max(0, round((v * 0.5 - axis.lo * 0.5) * scale) // res))
                 for v in values)


def _plot(
    spec: ChartSpec, decimated: list[Decimated], width: int, height: int, theme: ChartTheme,
    glyphs: Glyphs, cache: FrameCache | None,
) -> str:
    log = spec.options.log_y
    canvas_h = height - 3  # the frame's two rows and the x tick labels
    axes: dict[str, _Axis] = {}
    for side in ("left", "right"):
        members = [d for line, d in zip(spec.lines, decimated) if line.axis == side and len(d)]
        if members:
            axes[side] = _y_axis(members, log, canvas_h)
    canvas_w = width - 2 - sum(max(len(s) for s in a.labels) for a in axes.values())
    if canvas_w < 4 or canvas_h < 2:
        return placeholder("(too small)", width, height, theme)
    xdots, ydots = canvas_w * glyphs.xres, canvas_h * glyphs.yres
    xaxis = _x_axis(spec, decimated, canvas_w)

    y_ticks = {side: Ticks(_cells(a, ydots, glyphs.yres, canvas_h, a.ticks), a.labels)
               for side, a in axes.items()}
    vlines = []
    for mset in spec.markers:
        visible = tuple(s for s in mset.steps if xaxis.lo <= s <= xaxis.hi)
        every = max(1, math.ceil(len(visible) / MAX_MARKER_LINES))
        for col in _cells(xaxis, xdots, glyphs.xres, canvas_w, visible[::every]):
            vlines.append((col, mset.color, mset.style))
    key = FrameKey(
        width, height, theme.background, theme.muted, theme.foreground,
        Ticks(_cells(xaxis, xdots, glyphs.xres, canvas_w, xaxis.ticks), xaxis.labels),
        y_ticks.get("left"), y_ticks.get("right"), tuple(vlines), glyphs.frame is not None,
    )
    frame = cache.get(key) if cache is not None else build_frame(key)

    layers = []
    for line, d in zip(spec.lines, decimated):
        axis = axes.get(line.axis)
        if axis is None or not len(d):
            layers.append(line_spans((), (), (), xdots))
            continue
        y = np.log10(d.y) if log else d.y
        layers.append(line_spans(_to_dots(d.x, xaxis, xdots), _to_dots(y, axis, ydots), d.connect,
                                 xdots))
    cells = rasterize(layers, canvas_w, canvas_h, glyphs)
    canvas = compose_rows(cells, glyphs, canvas_w, canvas_h, [line.color for line in spec.lines],
                          vlines, theme.background)
    return frame.around(canvas)


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
        ("-", ".", ":", "|") if ascii_mode else ("━", "·", "┊", "│"))
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
