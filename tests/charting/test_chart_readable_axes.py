"""Drawing what is there (issue 17): a flat series is a flat line with a sensible range,
and tick labels are distinct and readable at every magnitude."""

from __future__ import annotations

import math
import re
from itertools import pairwise

import numpy as np
from hypothesis import given, settings, strategies as st

from axom_tui.charting import (
    ChartOptions,
    ChartSpec,
    ChartTheme,
    MetricView,
    RunChartData,
    ticks as tk,
)
from axom_tui.charting.render import render
from axom_tui.charting.spec import ChartLine
from chart_helpers import plain

THEME = ChartTheme()
_SUFFIX = {"k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}


def parse_label(text: str) -> float:
    """The number a tick label stands for (``1.5k``, ``-1e308``, ``2.50e-4``)."""
    if text and text[-1] in _SUFFIX:
        return float(text[:-1]) * _SUFFIX[text[-1]]
    return float(text)


def axis_labels(out: str) -> tuple[list[str], list[str]]:
    """Left and right tick labels of a rendered chart (plain text), top to bottom."""
    left, right = [], []
    for line in out.split("\n"):
        if m := re.match(r"^\s*(\S+)┤", line):
            left.append(m.group(1))
        if m := re.search(r"├(\S+)\s*$", line):
            right.append(m.group(1))
    return left, right


def plot_rows_with_dots(out: str) -> set[int]:
    """Rows of the data area that hold braille dots."""
    rows = set()
    for y, line in enumerate(out.split("\n")):
        inner = line.split("│" if "┤" not in line else "┤", 1)[-1]
        if any(0x2801 <= ord(c) <= 0x28FF for c in inner):
            rows.add(y)
    return rows


def test_constant_grad_norm_with_smoothing_is_a_flat_line_with_a_sensible_range() -> None:
    n = 3_000
    steps = np.arange(n, dtype=np.int64) * 10
    data = RunChartData()
    data.set_data(steps, {"grad_norm": np.ones(n), "loss": np.full(n, np.nan)})
    out = plain(
        render(data.spec(MetricView.LOSS_GRAD, ChartOptions(smoothing=True), THEME), 100, 24)
    )
    _, right = axis_labels(out)
    assert len(right) >= 2
    assert len(set(right)) == len(right), right  # not "1.000000" four times
    values = [parse_label(label) for label in right]
    assert max(values) - min(values) >= 0.01  # a range a person can read, around 1
    assert min(values) <= 1.0 <= max(values)
    assert len(plot_rows_with_dots(out)) == 1  # flat: one row of dots, not noise


def test_a_loss_of_minus_1e308_labels_the_axis_readably() -> None:
    steps = np.arange(200)
    loss = np.linspace(2.0, 0.5, 200)
    loss[100] = -1e308
    spec = ChartSpec(
        (ChartLine("loss", steps, loss, THEME.loss, nan_label="loss"),),
        options=ChartOptions(smoothing=False),
    )
    left, _ = axis_labels(plain(render(spec, 80, 20)))
    assert left and not any("e+" in label and label[-1] in _SUFFIX for label in left), left
    assert len(set(left)) == len(left)
    assert min(parse_label(label) for label in left) <= -1e307


def test_lr_ticks_a_twentieth_apart_read_differently() -> None:
    labels = tk.format_labels([1.0e-4, 1.05e-4, 1.1e-4])
    assert len(set(labels)) == 3, labels
    assert [parse_label(label) for label in labels] == [1.0e-4, 1.05e-4, 1.1e-4]


def test_lr_chart_between_1e_4_and_1_1e_4_has_distinct_labels() -> None:
    steps = np.arange(1_000)
    lr = np.linspace(1.0e-4, 1.1e-4, 1_000)
    spec = ChartSpec(
        (ChartLine("lr", steps, lr, THEME.aux, nan_label="lr"),),
        options=ChartOptions(smoothing=False),
    )
    left, _ = axis_labels(plain(render(spec, 80, 24)))
    assert len(left) >= 2 and len(set(left)) == len(left), left


magnitudes = st.integers(-300, 300)


@settings(max_examples=400, deadline=None)
@given(st.floats(-9.99, 9.99), magnitudes, st.floats(1e-6, 1e3), st.integers(2, 10))
def test_tick_labels_are_distinct_short_and_name_their_tick(
    mantissa: float, exponent: int, rel_span: float, target: int
) -> None:
    lo = mantissa * 10.0**exponent
    span = max(abs(lo), 10.0**exponent) * rel_span
    hi = lo + span
    if not (math.isfinite(hi) and hi > lo):
        return
    _, _, ticks = tk.snapped_linear(lo, hi, target)
    labels = tk.format_labels(ticks)
    assert len(set(labels)) == len(set(ticks)), (ticks, labels)
    step = min((b - a for a, b in pairwise(ticks)), default=abs(ticks[0]) or 1.0)
    biggest = max(abs(t) for t in ticks) or 1.0
    digits = math.floor(math.log10(biggest)) - math.floor(math.log10(step)) + 1
    # sign, the digits that tell the ticks apart, a point and an exponent: no more
    assert all(len(label) <= digits + 7 for label in labels), labels
    if -3 <= exponent <= 3 and rel_span >= 0.01:  # everyday ranges: short labels
        assert all(len(label) <= 7 for label in labels), labels
    for tick, label in zip(ticks, labels):
        assert abs(parse_label(label) - tick) <= 0.5 * step, (tick, label, step)
