"""What the chart relies on below plotext's public surface (plotext is pinned: 6.1.0)."""

from __future__ import annotations

import plotext
import pytest

from axom_tui.charting._plotext_compat import Pixel, canvas_box, new_figure
from axom_tui.charting.frame import Ticks, build_frame
from chart_helpers import frame_key


def test_new_figures_are_independent_of_each_other_and_of_the_module() -> None:
    a, b = new_figure(40, 10), new_figure(60, 12)
    a.draw(a.signal([1, 2, 3], [1, 4, 9]))
    assert a is not b and a is not plotext.figure
    assert a._signals._get_length() == 1
    assert b._signals._get_length() == 0 and plotext.figure._signals._get_length() == 0
    assert a.build().size() == (40, 10) and b.build().size() == (60, 12)


def test_figure_takes_the_size_asked_even_beyond_the_terminal() -> None:
    assert new_figure(500, 200).build().size() == (500, 200)


@pytest.mark.parametrize(
    "left,right",
    [(("0", "1.5"), None), (("0", "250k"), ("1", "22")), (("1e-4",), ("x",)), (("0",), None)],
)
def test_canvas_is_where_the_frame_predicts(
    left: tuple[str, ...], right: tuple[str, ...] | None
) -> None:
    key = frame_key(
        width=90,
        height=20,
        left=Ticks(tuple(range(len(left))), left),
        right=None if right is None else Ticks(tuple(range(len(right))), right),
        vlines=((10, (1, 2, 3), "dotted"), (30, (4, 5, 6), "default")),
    )
    frame = build_frame(key)  # raises if plotext lays the canvas out elsewhere
    _, canvas_h = key.canvas_size
    assert len(frame.left) == len(frame.right) == canvas_h
    assert len(frame.top) + canvas_h + len(frame.bottom) == 20


def test_canvas_box_reads_the_layout() -> None:
    fig = new_figure(50, 12)
    fig.ruler("y").ticks([0, 5], ["0", "5.0"])
    fig.ruler("x").ticks([0, 10], ["a", "b"])
    fig.canvas(background=(1, 2, 3))
    fig.axes(pixel=Pixel(foreground=(4, 5, 6)))
    fig.build()
    col, row, width, height = canvas_box(fig)
    assert (col, row) == (4, 1)  # three label cells and the left axis; the top axis
    assert (width, height) == (50 - 3 - 2, 12 - 3)
