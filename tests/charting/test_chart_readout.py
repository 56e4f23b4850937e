"""The readout line at every width, ignoring outliers, and the zoom window's rules."""

from __future__ import annotations

import numpy as np
import pytest

from axom_tui.charting import ChartLine, ChartOptions, ChartSpec, ChartTheme, viewport as vp
from axom_tui.charting.readout import Readout, Value, readout_text
from axom_tui.charting.render import render_chart
from chart_helpers import plain

THEME = ChartTheme()
T0 = 1_780_000_000.0

READOUT = Readout(
    step=12_340,
    ts=T0 + 5_000,
    start=T0,
    values=(Value("loss", 0.41234, 0.42011), Value("grad_norm", 0.381, 0.402)),
    cycle=3,
    phase="train",
    flag="grad_norm explosion",
)


@pytest.mark.parametrize("width", [200, 120, 100, 78, 60, 40, 20, 5])
def test_readout_fits_and_names_the_point(width: int) -> None:
    text = readout_text(READOUT, width)
    assert len(text) <= width and "\n" not in text
    if width >= 40:
        assert "12340" in text.replace(",", "") and "0.4123" in text


def test_the_long_readout_says_everything_labelled() -> None:
    text = readout_text(READOUT, 200)
    assert text.startswith("step 12,340 · ")
    assert "UTC +1h23m" in text
    assert "loss 0.4123 EMA 0.4201" in text and "grad_norm 0.381 EMA 0.402" in text
    assert "cycle 3 train" in text and "grad_norm explosion" in text


def test_ascii_readout_is_ascii() -> None:
    text = readout_text(Readout(5, runs=(("a", 1.0), ("b", None))), 80, ascii_mode=True)
    assert text.isascii() and "b -" in text


def test_ignoring_outliers_fits_the_bulk_and_marks_the_explosion() -> None:
    n = 2_000
    steps = np.arange(n)
    grad = 0.4 + 0.02 * np.sin(steps / 30)
    grad[1_234] = 40.0
    spec = ChartSpec(
        (ChartLine("grad_norm", steps, grad, THEME.grad_norm, nan_label="grad_norm"),),
        options=ChartOptions(smoothing=False),
    )
    normal = render_chart(spec, 100, 20, THEME)
    robust = render_chart(
        ChartSpec(spec.lines, options=ChartOptions(robust_y=True)), 100, 20, THEME
    )
    top_label = next(
        line.split("┤")[0].strip() for line in plain(normal.ansi).split("\n") if "┤" in line
    )
    robust_top = next(
        line.split("┤")[0].strip() for line in plain(robust.ansi).split("\n") if "┤" in line
    )
    assert float(top_label) >= 40 and float(robust_top) < 1.0
    assert any("1 grad_norm above" in flag for flag in robust.flags)
    assert "▲" in plain(robust.ansi)


def test_a_window_at_the_live_edge_follows_and_one_inside_does_not() -> None:
    extent = (0.0, 1_000.0)
    tail = vp.zoom(None, extent, 4.0, 1_000.0, 10.0)
    assert tail is not None and tail.hi == 1_000.0 and tail.follow
    grown = vp.resolve(tail, (0.0, 1_500.0))
    assert grown is not None and grown.hi == 1_500.0 and grown.span == tail.span
    inside = vp.zoom(None, extent, 4.0, 500.0, 10.0)
    assert inside is not None and not inside.follow
    assert vp.resolve(inside, (0.0, 1_500.0)) == inside
    assert vp.zoom(inside, extent, 0.01, 500.0, 10.0) is None  # out past the whole run
    assert vp.zoom(None, extent, 1e9, 500.0, 10.0).span == 10.0  # never under min_span
