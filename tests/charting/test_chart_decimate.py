"""Decimation keeps every bucket's extremes, stays within two points per column,
keeps NaN/inf as gaps, never goes back in x, and leaves the caller's arrays free."""

from __future__ import annotations

from array import array

import numpy as np
import pytest

from axom_tui.charting.decimate import MAX_GAP_RUNS, decimate
from axom_tui.charting.summary import BlockSummary
from chart_helpers import training_curve


def buckets(steps: np.ndarray, columns: int) -> list[np.ndarray]:
    """Index ranges of the equal step-width buckets, computed independently."""
    edges = np.linspace(steps[0], steps[-1] + 1, columns + 1)
    which = np.searchsorted(edges, steps, side="right") - 1
    return [np.flatnonzero(which == k) for k in range(columns)]


def test_spike_in_a_million_points_survives() -> None:
    rng = np.random.default_rng(1)
    n = 1_000_000
    values = rng.normal(1.0, 0.01, n)
    values[654_321] = 250.0
    values[12_345] = -40.0
    d = decimate(np.arange(n), values, 160)
    assert d.y.max() == 250.0
    assert d.y.min() == -40.0
    assert len(d) <= 2 * 160


@pytest.mark.parametrize("columns", [7, 50, 160])
def test_each_bucket_keeps_its_min_and_max(columns: int) -> None:
    rng = np.random.default_rng(columns)
    steps = np.cumsum(rng.integers(1, 20, 20_000))  # irregular logging interval
    values = rng.standard_normal(steps.shape[0])
    d = decimate(steps, values, columns)
    for idx in buckets(steps, columns):
        if idx.shape[0] == 0:
            continue
        inside = (d.x >= steps[idx[0]]) & (d.x <= steps[idx[-1]])
        assert values[idx].min() in d.y[inside]
        assert values[idx].max() in d.y[inside]


@pytest.mark.parametrize("n", [0, 1, 2, 10, 319, 320, 321, 5_000, 200_000])
def test_length_bounded_and_x_never_decreases(n: int) -> None:
    rng = np.random.default_rng(n)
    steps = np.cumsum(rng.integers(1, 5, n)) if n else np.empty(0, np.int64)
    d = decimate(steps, rng.standard_normal(n), 160)
    assert len(d) <= 2 * 160
    assert np.all(np.diff(d.x) >= 0)
    assert (len(d) > 0) == (n > 0)


def test_nan_run_is_a_gap_and_is_reported() -> None:
    steps, loss, _ = training_curve(100_000)
    loss[40_000:40_500] = np.nan
    loss[70_000] = np.inf
    d = decimate(steps, loss, 100)
    assert np.isfinite(d.y).all()
    assert d.nonfinite == 501 and d.infinite == 1
    assert d.gaps == ((400_000, 404_990), (700_000, 700_000))
    # The line is broken around each bad region: no segment joins points across it.
    for first, last in d.gaps:
        crossing = (d.x[:-1] < first) & (d.x[1:] > last)
        assert not d.connect[1:][crossing].any()
    assert d.connect[1:].sum() >= len(d) - 1 - 4  # and only there


def test_few_points_keep_each_nan_as_a_break() -> None:
    values = np.array([1.0, 2.0, np.nan, 4.0, 5.0, np.nan, np.nan, 8.0])
    d = decimate(np.arange(8), values, 160)
    assert d.x.tolist() == [0, 1, 3, 4, 7]
    assert d.connect.tolist() == [False, True, False, True, False]
    assert d.gaps == ((2, 2), (5, 6)) and d.nonfinite == 3


def test_gap_list_is_capped_but_count_is_exact() -> None:
    values = np.ones(10_000)
    values[::50] = np.nan
    d = decimate(np.arange(10_000), values, 80)
    assert d.nonfinite == 200
    assert len(d.gaps) == MAX_GAP_RUNS


def test_positive_only_hides_and_counts_nonpositive() -> None:
    values = np.linspace(-1, 1, 10_001)
    d = decimate(np.arange(10_001), values, 50, positive_only=True)
    assert (d.y > 0).all()
    assert d.nonpositive == 5_001
    assert d.nonfinite == 0


def test_window_limits_the_steps() -> None:
    steps, loss, _ = training_curve(50_000)
    d = decimate(steps, loss, 60, window=(100_000, 200_000))
    assert d.x.min() >= 100_000 and d.x.max() <= 200_000
    assert d.source_points == 10_001


@pytest.mark.parametrize("positive_only", [False, True])
def test_block_summary_path_matches_the_direct_one(positive_only: bool) -> None:
    rng = np.random.default_rng(7)
    n = 400_000
    values = rng.standard_normal(n) + 0.5
    values[123_456] = 90.0
    values[200_000:200_100] = np.nan
    values[300_001] = -np.inf
    summary = BlockSummary()
    summary.update(values)
    direct = decimate(np.arange(n), values, 160, positive_only=positive_only)
    fast = decimate(np.arange(n), values, 160, positive_only=positive_only, summary=summary)
    assert len(fast) <= 2 * 160
    assert fast.y.max() == direct.y.max() == 90.0
    assert fast.y.min() == direct.y.min()
    assert (fast.nonfinite, fast.infinite, fast.nonpositive) == (
        direct.nonfinite,
        direct.infinite,
        direct.nonpositive,
    )
    assert fast.gaps == direct.gaps
    assert np.all(np.diff(fast.x) >= 0)


@pytest.mark.parametrize("typecode", ["i", "q"])
def test_store_arrays_can_grow_after_decimating(typecode: str) -> None:
    steps = array(typecode, range(100_000))
    values = array("d", np.random.default_rng(0).standard_normal(100_000))
    summary = BlockSummary()
    summary.update(values)
    plain = decimate(steps, values, 100)
    fast = decimate(steps, values, 100, summary=summary)
    windowed = decimate(steps, values, 100, window=(10.5, 20_000.5))
    as_int64 = decimate(np.arange(100_000), np.asarray(values), 100)
    assert plain.x.tolist() == as_int64.x.tolist() and plain.y.tolist() == as_int64.y.tolist()
    assert fast.y.max() == plain.y.max()
    assert windowed.x[0] >= 11 and windowed.x[-1] <= 20_000
    steps.append(100_000)  # raises BufferError if a numpy view were still alive
    values.append(1.0)
