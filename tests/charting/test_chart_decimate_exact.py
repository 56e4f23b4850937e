"""Decimation redone on the visible window: every point drawn is a point of the series,
at its own step, and a spike survives every zoom (with or without the block summary)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from axom_tui.charting.decimate import decimate
from axom_tui.charting.summary import BLOCK, BlockSummary


def _assert_points_of(steps: np.ndarray, values: np.ndarray, d) -> None:
    idx = np.searchsorted(steps, d.x.astype(np.int64))
    assert np.all(idx < steps.shape[0])
    assert np.array_equal(steps[idx], d.x.astype(np.int64))
    assert np.array_equal(values[idx], d.y)


@pytest.mark.parametrize("with_summary", [False, True])
def test_a_spike_in_a_million_points_is_drawn_at_its_step_at_every_zoom(with_summary) -> None:
    rng = np.random.default_rng(5)
    n = 1_000_000
    steps = np.arange(n, dtype=np.int64) * 10
    values = 1 + 0.1 * rng.standard_normal(n)
    spike = 654_321
    values[spike] = 40.0
    summary = BlockSummary()
    summary.update(values)
    span = float(steps[-1])
    for zoom in (1, 2, 8, 64, 1024, 30_000):
        half = span / zoom / 2
        window = None if zoom == 1 else (steps[spike] - half * 0.3, steps[spike] + half * 1.7)
        d = decimate(steps, values, 300, window=window, summary=summary if with_summary else None)
        assert d.y.max() == 40.0
        assert d.x[np.argmax(d.y)] == steps[spike]  # at the spike's own step
        _assert_points_of(steps, values, d)


@settings(max_examples=120, deadline=None)
@given(
    n=st.integers(1, 6_000),
    columns=st.integers(1, 40),
    lo=st.floats(0, 1),
    width=st.floats(0, 1),
    positive_only=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_every_point_drawn_is_a_point_of_the_window(
    n, columns, lo, width, positive_only, seed
) -> None:
    rng = np.random.default_rng(seed)
    steps = np.cumsum(rng.integers(1, 5, n)).astype(np.int64)
    values = rng.standard_normal(n) * 10
    values[rng.random(n) < 0.02] = np.nan
    values[rng.random(n) < 0.01] = np.inf
    summary = BlockSummary()
    summary.update(values)
    a = steps[0] + lo * (steps[-1] - steps[0])
    window = (float(a), float(a + width * (steps[-1] - steps[0])))
    inside = (steps >= window[0]) & (steps <= window[1])
    shown = values[inside]
    if positive_only:
        shown = shown[shown > 0]
    shown = shown[np.isfinite(shown)]
    for summarised in (None, summary):
        # a small BLOCK-multiple column count makes the summary path run on small data
        cols = max(1, min(columns, n // (BLOCK * 8) or 1))
        d = decimate(
            steps, values, cols, window=window, positive_only=positive_only, summary=summarised
        )
        _assert_points_of(steps, values, d)
        assert np.all((d.x >= window[0]) & (d.x <= window[1]))
        assert np.all(np.diff(d.x) >= 0)
        if shown.shape[0]:
            assert d.y.max() == shown.max() and d.y.min() == shown.min()
        else:
            assert len(d) == 0
