"""The chart's frame (box, tick labels, vertical markers), as plotext lays it out, cached.

Building a 160x30 plotext figure takes ~5-9 ms even with no data in it. The frame only
changes when the size, the theme, the ticks or the markers change, and the axes are
snapped to a grid (``ticks.snapped_linear``) so they stay put while a run grows; so
the built frame is kept, as ANSI text cut around the data area, and each redraw
only fills that area in (``raster.compose_rows``). While a run grows fast (the demo's
30x clock) the axes still move every poll, so plain layouts are written directly, to
plotext's text (``composed_frame``, checked against plotext on random layouts in
``tests/charting/test_frame_composed.py``); plotext builds the rest.

Everything here is in *cell* units: x from 0 to ``canvas_w - 1`` (left to right), y
from 0 to ``canvas_h - 1`` (bottom to top); ``render`` maps data to cells.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from axom_tui.charting._plotext_compat import Matrix, Pixel, canvas_box, new_figure
from axom_tui.charting.ansi import RESET
from axom_tui.charting.raster import ASCII
from axom_tui.charting.spec import RGB, LineStyle


@dataclass(frozen=True, slots=True)
class Ticks:
    cells: tuple[int, ...]
    labels: tuple[str, ...]

    @property
    def width(self) -> int:
        return max((len(label) for label in self.labels), default=0)


@dataclass(frozen=True, slots=True)
class FrameKey:
    """Everything a frame looks like; equal keys give identical frames."""

    width: int
    height: int
    background: RGB
    axis_color: RGB
    label_color: RGB
    x: Ticks
    left: Ticks | None
    right: Ticks | None
    vlines: tuple[tuple[int, RGB, LineStyle], ...]
    ascii: bool = False  # box-drawing characters replaced by - | + :

    @property
    def canvas_size(self) -> tuple[int, int]:
        """Predicted data area: the frame takes a cell each side and the tick labels."""
        side = sum(t.width for t in (self.left, self.right) if t is not None)
        return self.width - 2 - side, self.height - 3


@dataclass(frozen=True, slots=True)
class Frame:
    """The built frame as ANSI rows: those above and below the data area, and for each
    row of the data area the pieces to its left and right."""

    top: tuple[str, ...]
    left: tuple[str, ...]
    right: tuple[str, ...]
    bottom: tuple[str, ...]

    def around(self, canvas_rows: list[str]) -> str:
        """The whole figure, with ``canvas_rows`` in the data area."""
        middle = [a + c + b for a, c, b in zip(self.left, canvas_rows, self.right)]
        return "\n".join([*self.top, *middle, *self.bottom])


def build_frame(key: FrameKey) -> Frame:
    """The frame for ``key``: composed directly when its layout is a plain one, else
    built by plotext (:func:`plotext_frame`). Both give the same text (tested)."""
    return composed_frame(key) or plotext_frame(key)


def composed_frame(key: FrameKey) -> Frame | None:
    """The frame plotext lays out for ``key``, written directly: ~50x faster, which matters
    while a run grows quickly and the axes move every poll (a plotext build is ~5 ms).

    Its layout (plotext 6.1's): the box in the axis colour; tick marks on the box (x
    ticks under the plot, markers above and below it); left labels right-aligned and right
    labels left-aligned beside their rows; x labels centred under their ticks. None when
    the layout is not a plain one (a label that would overlap another or leave the
    figure, ticks off the plot, no left axis, non-ASCII labels): plotext has rules for those.
    """
    canvas_w, canvas_h = key.canvas_size
    left, right = key.left, key.right
    if left is None or canvas_w < 1 or canvas_h < 1 or not key.x.cells or not left.cells:
        return None  # plotext picks ticks of its own for an axis given none
    if right is not None and not right.cells:
        return None
    x_cells = set(key.x.cells)
    marks = {col for col, _, _ in key.vlines}
    if any(not 0 <= c < canvas_w for c in x_cells | marks):
        return None
    rows_left = _labels_by_row(left, canvas_h)
    rows_right = _labels_by_row(right, canvas_h) if right is not None else {}
    x_labels = _x_label_row(key, left.width, canvas_w)
    if rows_left is None or rows_right is None or x_labels is None:
        return None
    label, axis = _sgr(key.label_color, key.background), _sgr(key.axis_color, key.background)
    lw, rw = left.width, right.width if right is not None else 0
    right_pad = label + " " * rw if right is not None else ""
    top = "┌" + "".join("┬" if c in marks else "─" for c in range(canvas_w)) + "┐"
    bottom = "└" + "".join(_bottom_mark(c in x_cells, c in marks) for c in range(canvas_w)) + "┘"
    left_rows, right_rows = [], []
    for row in reversed(range(canvas_h)):  # cell 0 is the bottom row
        text = rows_left.get(row)
        left_rows.append(label + (text or "").rjust(lw) + axis + ("┤" if text else "│") + RESET)
        if right is None:
            right_rows.append(axis + "│" + RESET)
        else:
            text = rows_right.get(row)
            right_rows.append(
                axis + ("├" if text else "│") + label + (text or "").ljust(rw) + RESET
            )
    frame = Frame(
        top=(label + " " * lw + axis + top + right_pad + RESET,),
        left=tuple(left_rows),
        right=tuple(right_rows),
        bottom=(label + " " * lw + axis + bottom + right_pad + RESET, label + x_labels + RESET),
    )
    if key.ascii:
        table = ASCII.frame or {}
        frame = Frame(
            *(
                tuple(r.translate(table) for r in part)
                for part in (frame.top, frame.left, frame.right, frame.bottom)
            )
        )
    return frame


def _sgr(fg: RGB, bg: RGB) -> str:
    return f"{RESET}\x1b[38;2;{fg[0]};{fg[1]};{fg[2]}m\x1b[48;2;{bg[0]};{bg[1]};{bg[2]}m"


def _bottom_mark(tick: bool, marker: bool) -> str:
    if tick:
        return "┼" if marker else "┬"
    return "┴" if marker else "─"


def _labels_by_row(ticks: Ticks, rows: int) -> dict[int, str] | None:
    found: dict[int, str] = {}
    for cell, text in zip(ticks.cells, ticks.labels):
        if not 0 <= cell < rows or cell in found or not text or not text.isascii():
            return None
        found[cell] = text
    return found


def _x_label_row(key: FrameKey, left_width: int, canvas_w: int) -> str | None:
    chars = [" "] * key.width
    last_end = -1
    lo, hi = left_width + 1, left_width + 1 + canvas_w  # the plot's span on the row
    for cell, text in sorted(zip(key.x.cells, key.x.labels)):
        if not text or not text.isascii():
            return None
        # centred under the tick, moved inside the plot's span when it would stick out
        start = min(max(lo + cell - (len(text) - 1) // 2, lo), hi - len(text))
        if start <= last_end or start < lo:
            return None  # touching, overlapping or wider than the plot: plotext's own rules
        chars[start : start + len(text)] = text
        last_end = start + len(text)
    return "".join(chars)


def plotext_frame(key: FrameKey) -> Frame:
    """The frame as plotext builds it (a figure with no data: box, ticks, markers)."""
    canvas_w, canvas_h = key.canvas_size
    bg = key.background
    fig = new_figure(key.width, key.height)
    fig.canvas(background=bg)
    fig.axes(pixel=Pixel(foreground=key.axis_color, background=bg))
    fig.ruler("both", "both").pixel(Pixel(foreground=key.label_color, background=bg))
    fig.ruler("x").lim(0, canvas_w - 1)
    fig.ruler("x").ticks(list(key.x.cells), list(key.x.labels))
    for side, ticks in (("left", key.left), ("right", key.right)):
        if ticks is not None:
            fig.ruler("y", side).lim(0, canvas_h - 1)
            fig.ruler("y", side).ticks(list(ticks.cells), list(ticks.labels))
    pixels: dict[RGB, Pixel] = {}
    for col, color, style in key.vlines:
        pixel = pixels.setdefault(color, Pixel(foreground=color, background=bg))
        fig.line(col, orientation=1, pixel=pixel, style=style)
    matrix = fig.build()
    col, row, got_w, got_h = canvas_box(fig)
    if (got_w, got_h) != (canvas_w, canvas_h):  # the layout rules of plotext 6.1 changed
        raise RuntimeError(f"plotext canvas is {got_w}x{got_h}, expected {canvas_w}x{canvas_h}")

    def rows(part: Matrix) -> tuple[str, ...]:
        text = part.string() if part.height() else ""
        return tuple((text.translate(ASCII.frame or {}) if key.ascii else text).split("\n")[:-1])

    return Frame(
        top=rows(matrix[0:row, :]),
        left=rows(matrix[row : row + got_h, 0:col]),
        right=rows(matrix[row : row + got_h, col + got_w :]),
        bottom=rows(matrix[row + got_h :, :]),
    )


class FrameCache:
    """The last few frames built, by key (one per chart is plenty; a few for resizes)."""

    def __init__(self, size: int = 4) -> None:
        self._size = size
        self._frames: OrderedDict[FrameKey, Frame] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: FrameKey) -> Frame:
        """The frame for ``key``, built now or the time before."""
        frame = self._frames.get(key)
        if frame is None:
            self.misses += 1
            frame = build_frame(key)
            self._frames[key] = frame
            while len(self._frames) > self._size:
                self._frames.popitem(last=False)
        else:
            self.hits += 1
            self._frames.move_to_end(key)
        return frame

    def clear(self) -> None:
        self._frames.clear()
