"""Lines to sub-cell dots to characters (braille 2x4 or quarter blocks 2x2), in numpy.

plotext draws a braille line by making one heap object per dot and merging them
into cells afterwards: about 15 ms for one noisy line across a 160-column plot,
so a chart with raw and smoothed loss and grad_norm would take 60 ms; even writing
one character per cell into a plotext matrix costs ~4 us a cell through ctypes.
Here the (already decimated) lines become dots, cells and finally the ANSI text of
the data area in a millisecond or two; ``render`` puts it inside plotext's frame.

Coordinates are in dots: ``x`` from 0 (left) to ``width * xres - 1``, ``y`` from 0
(bottom) to ``height * yres - 1``. A line becomes a span of dots per dot column
(``line_spans``), spans become character codes for the whole grid at once
(``rasterize``). Later layers cover earlier ones cell by cell, so a smoothed line
drawn after its raw series keeps its own shape where they overlap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from axom_tui.charting.ansi import RESET, sgr
from axom_tui.charting.spec import RGB, LineStyle

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Glyphs:
    """A way of drawing dots: ``xres`` x ``yres`` dots per cell, the bit of each dot
    (indexed [row from the top][column]) and the character for each code."""

    xres: int
    yres: int
    bits: npt.NDArray[np.uint8]
    chars: tuple[str, ...]
    #: Box-drawing characters replaced in the frame and the markers (ASCII mode).
    frame: dict[int, str] | None = None


BRAILLE = Glyphs(
    2,
    4,
    np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]], dtype=np.uint8),
    tuple(chr(0x2800 + c) for c in range(256)),
)
#: Plain ASCII for terminals without braille or box-drawing glyphs: ' top dot,
#: . bottom dot, : both (one column, two rows of dots per cell).
ASCII = Glyphs(
    1,
    2,
    np.array([[1], [2]], dtype=np.uint8),
    (" ", "'", ".", ":"),
    frame=str.maketrans(
        {
            "─": "-",
            "│": "|",
            "┊": ":",
            "┃": "|",
            "║": "|",
            "┌": "+",
            "┐": "+",
            "└": "+",
            "┘": "+",
            "┤": "+",
            "├": "+",
            "┬": "+",
            "┴": "+",
            "┼": "+",
        }
    ),
)


@dataclass(frozen=True, slots=True)
class Cells:
    """Occupied cells: ``rows``/``cols`` from the top-left, their codes and owning layer."""

    rows: IntArray
    cols: IntArray
    codes: npt.NDArray[np.uint8]
    layers: IntArray


def line_spans(
    x: npt.ArrayLike, y: npt.ArrayLike, connect: npt.ArrayLike, xdots: int
) -> tuple[IntArray, IntArray]:
    """Lowest and highest dot covered in each dot column by a polyline (``hi < lo``: none).

    ``x`` must not decrease. A segment is drawn where ``connect[i]`` (from point i - 1
    to i): each column it crosses covers the y range of the segment over that column,
    so a steep segment is a filled vertical run and a shallow one a thin line. Within
    one column the dots of a connected polyline are contiguous, so a span per column
    describes them exactly (a gap inside a single dot column is not shown).
    """
    xf = np.asarray(x, dtype=np.float64)
    yf = np.asarray(y, dtype=np.float64)
    lo = np.full(xdots, np.iinfo(np.int64).max, dtype=np.int64)
    hi = np.full(xdots, np.iinfo(np.int64).min, dtype=np.int64)
    if xf.shape[0] == 0:
        return lo, hi
    col = np.rint(xf).astype(np.int64)
    row = np.rint(yf).astype(np.int64)
    ok = (col >= 0) & (col < xdots)
    np.minimum.at(lo, col[ok], row[ok])
    np.maximum.at(hi, col[ok], row[ok])
    join = np.asarray(connect, dtype=bool).copy()
    join[0] = False
    seg = np.flatnonzero(join)
    if seg.shape[0] == 0:
        return lo, hi
    x0, y0, x1, y1 = xf[seg - 1], yf[seg - 1], xf[seg], yf[seg]
    c0 = np.clip(col[seg - 1], -1, xdots)
    c1 = np.clip(col[seg], -1, xdots)
    count = c1 - c0 + 1
    owner = np.repeat(np.arange(seg.shape[0]), count)
    c = c0[owner] + (np.arange(owner.shape[0]) - np.repeat(np.cumsum(count) - count, count))
    xs0, xs1, ys0, ys1 = x0[owner], x1[owner], y0[owner], y1[owner]
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(xs1 > xs0, (ys1 - ys0) / (xs1 - xs0), 0.0)
    steep = xs1 <= xs0  # a vertical segment covers its whole y range in its column
    xa = np.maximum(xs0, c - 0.5)
    xb = np.minimum(xs1, c + 0.5)
    ya = np.where(steep, ys0, ys0 + slope * (xa - xs0))
    yb = np.where(steep, ys1, ys0 + slope * (xb - xs0))
    inside = (c >= 0) & (c < xdots)
    c = c[inside]
    np.minimum.at(lo, c, np.rint(np.minimum(ya, yb)[inside]).astype(np.int64))
    np.maximum.at(hi, c, np.rint(np.maximum(ya, yb)[inside]).astype(np.int64))
    return lo, hi


def rasterize(
    layers: list[tuple[IntArray, IntArray]], width: int, height: int, glyphs: Glyphs = BRAILLE
) -> Cells:
    """Cells of a ``width`` x ``height`` grid covered by the layers' column spans."""
    xres, yres = glyphs.xres, glyphs.yres
    ydots = height * yres
    rows_up = np.arange(ydots)[None, :]  # dot row, counted from the bottom
    weights = glyphs.bits.T.astype(np.int64)  # [x sub-column][y sub-row from the top]
    owner = np.full((height, width), -1, dtype=np.int64)
    code = np.zeros((height, width), dtype=np.int64)
    for index, (lo, hi) in enumerate(layers):
        if not (hi >= lo).any():
            continue
        covered = (rows_up >= lo[:, None]) & (rows_up <= hi[:, None])  # [dot column][row up]
        cells = covered[:, ::-1].reshape(width, xres, height, yres)
        layer_code = np.einsum("cxry,xy->rc", cells, weights)
        mine = layer_code != 0
        owner[mine] = index
        code[mine] = layer_code[mine]
    rows, cols = np.nonzero(owner >= 0)
    return Cells(rows, cols, code[rows, cols].astype(np.uint8), owner[rows, cols])


_VLINE_GLYPH: dict[str, str] = {"default": "│", "dotted": "┊", "heavy": "┃", "double": "║"}


def compose_rows(
    cells: Cells,
    glyphs: Glyphs,
    width: int,
    height: int,
    colors: Sequence[RGB],
    vlines: Sequence[tuple[int, RGB, LineStyle]],
    background: RGB,
    marks: Sequence[tuple[int, int, str, RGB]] = (),
    cursor: tuple[int, RGB, RGB] | None = None,
) -> list[str]:
    """ANSI text of the data area, one string per row: vertical markers, then the cells
    (coloured by ``colors[layer]``) over them, then ``marks`` (row from the top, column,
    character, colour) over those; ``cursor`` (column, colour, background) draws a line
    where that column is empty and lays its background under the whole column."""
    chars = np.full((height, width), " ", dtype="<U1")
    owner = np.full((height, width), -1, dtype=np.int64)
    palette = list(colors)
    for col, color, style in vlines:
        if 0 <= col < width:
            palette.append(color)
            chars[:, col] = _VLINE_GLYPH.get(style, "│")
            owner[:, col] = len(palette) - 1
    cursor_col = -1
    if cursor is not None and 0 <= cursor[0] < width:
        cursor_col = cursor[0]
        palette.append(cursor[1])
        chars[:, cursor_col] = _VLINE_GLYPH["default"]
        owner[:, cursor_col] = len(palette) - 1
    if cells.rows.shape[0]:
        chars[cells.rows, cells.cols] = np.array(glyphs.chars)[cells.codes]
        owner[cells.rows, cells.cols] = cells.layers
    for row, col, char, color in marks:
        if 0 <= row < height and 0 <= col < width:
            palette.append(color)
            chars[row, col] = char
            owner[row, col] = len(palette) - 1
    # Blanks take the colour before them, so a colour run only ends where a colour changes.
    last = np.where(owner >= 0, np.arange(width), 0)
    np.maximum.accumulate(last, axis=1, out=last)
    runs = np.take_along_axis(owner, last, axis=1)
    codes = [sgr(color, background) for color in palette] + [sgr(None, background)]  # [-1]: none
    on_cursor = (
        [sgr(color, cursor[2]) for color in palette] + [sgr(None, cursor[2])]
        if cursor_col >= 0 and cursor is not None
        else []
    )
    rows = []
    for r in range(height):
        text = "".join(chars[r].tolist())
        if glyphs.frame is not None:
            text = text.translate(glyphs.frame)
        colour = runs[r]
        cuts = [0, *(np.flatnonzero(colour[1:] != colour[:-1]) + 1).tolist(), width]
        if cursor_col >= 0:
            cuts = sorted({*cuts, cursor_col, cursor_col + 1} & set(range(width + 1)))
        rows.append(
            "".join(
                (on_cursor if a == cursor_col else codes)[colour[a]] + text[a:b]
                for a, b in pairwise(cuts)
            )
            + RESET
        )
    return rows
