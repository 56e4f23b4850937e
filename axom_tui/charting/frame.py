"""The chart's frame (box, tick labels, vertical markers), built by plotext and cached.

Building a 160x30 plotext figure takes ~9 ms even with no data in it. The frame only
changes when the size, the theme, the ticks or the markers change, and the axes are
snapped to a grid (``ticks.snapped_linear``) so they stay put while a run grows; so
the built frame is kept, as ANSI text cut around the data area, and each redraw
only fills that area in (``raster.compose_rows``).

Everything here is in *cell* units: x from 0 to ``canvas_w - 1`` (left to right), y
from 0 to ``canvas_h - 1`` (bottom to top); ``render`` maps data to cells.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from axom_tui.charting._plotext_compat import Matrix, Pixel, canvas_box, new_figure
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
        left=rows(matrix[row:row + got_h, 0:col]),
        right=rows(matrix[row:row + got_h, col + got_w:]),
        bottom=rows(matrix[row + got_h:, :]),
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
