"""The one place that reaches below plotext's public surface (plotext is pinned: 6.1.0).

* :func:`new_figure` makes a figure of our own. ``plotext.figure`` is the module's
  single master figure, shared with anything else that imports plotext; instead we
  create a private ``terminal`` object (plotext's own container class), which builds
  its own master figure, and lift its size limits so the figure takes exactly the
  size we ask for rather than the size of the real terminal.
* :func:`canvas_box` reads where the data area of a built figure is (plotext lays
  it out from the tick labels' widths; ``frame`` predicts it and checks).

``tests/charting/test_plotext_compat.py`` pins this behaviour.
"""

from __future__ import annotations

from plotext import pixel as Pixel
from plotext._kernel.terminal import terminal as _Terminal
from plotext._plotter.plot import plot_class as Figure
from plotext._primitives.matrix import matrix as Matrix

__all__ = ["Figure", "Matrix", "Pixel", "canvas_box", "new_figure"]


def new_figure(width: int, height: int) -> Figure:
    """A fresh, independent plotext figure of exactly ``width`` x ``height`` cells."""
    term = _Terminal()
    term.limit(False, False)
    fig: Figure = term._master
    fig.plot_size(width, height)
    return fig


def canvas_box(fig: Figure) -> tuple[int, int, int, int]:
    """Column, row, width and height of the data area, as laid out by the last build."""
    canvas = fig._parts.canvas
    col, row = canvas.position()
    width, height = canvas.size()
    return int(col), int(row), int(width), int(height)
