"""The EMA is TensorBoard's (debiased, NaN-skipping), and its cache gives the same
numbers however the series arrives: all at once, point by point, or rewritten."""

from __future__ import annotations

from array import array

import numpy as np
import pytest

from axom_tui.charting.smoothing import EmaCache, ema_full, linear_recurrence
from axom_tui.charting.summary import BlockSummary
from chart_helpers import naive_ema


def noisy(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    values = rng.standard_normal(n) + 3
    values[rng.integers(0, n, n // 50)] = np.nan
    values[n // 3] = np.inf
    return values


@pytest.mark.parametrize("weight", [0.0, 0.6, 0.9, 0.999])
def test_matches_the_naive_reference(weight: float) -> None:
    values = noisy(20_000)
    got, want = ema_full(values, weight), naive_ema(values, weight)
    assert np.array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12, equal_nan=True)


def test_first_value_is_debiased_to_the_first_input() -> None:
    assert ema_full([5.0, 7.0], 0.6)[0] == pytest.approx(5.0)
    leading_nan = ema_full([np.nan, 5.0, 7.0], 0.9)
    assert np.isnan(leading_nan[0]) and leading_nan[1] == pytest.approx(5.0)


@pytest.mark.parametrize("b", [0.0, 0.3, 0.6, 0.999])
def test_blocked_recurrence_matches_a_loop(b: float) -> None:
    u = np.random.default_rng(2).standard_normal(10_007)
    want, y = np.empty_like(u), 0.25
    for i, x in enumerate(u):
        y = b * y + x
        want[i] = y
    np.testing.assert_allclose(linear_recurrence(u, b, 0.25), want, rtol=1e-10, atol=1e-12)


def test_appending_in_pieces_equals_one_full_computation() -> None:
    values = noisy(30_000, seed=3)
    cache = EmaCache(0.6)
    rng = np.random.default_rng(4)
    n = 0
    while n < values.shape[0]:
        n = min(values.shape[0], n + int(rng.choice([1, 2, 7, 100, 3_000])))
        out = cache.update(values[:n])
        assert out.shape[0] == n
    np.testing.assert_allclose(out, ema_full(values, 0.6), rtol=1e-12, equal_nan=True)


def test_rewritten_tail_is_recomputed_from_the_dirty_index() -> None:
    values = noisy(10_000, seed=5)
    cache = EmaCache(0.9)
    cache.update(values)
    resumed = values.copy()
    resumed[6_000:] = np.random.default_rng(6).standard_normal(4_000) + 10
    resumed = np.append(resumed, [11.0, 12.0])
    out = cache.update(resumed, dirty_from=6_000)
    assert cache.changed_from == 6_000
    np.testing.assert_allclose(out, naive_ema(resumed, 0.9), rtol=1e-10, equal_nan=True)


def test_unannounced_change_of_the_last_value_forces_a_full_recompute() -> None:
    values = noisy(1_000, seed=8)
    values[-1] = 1.0
    cache = EmaCache(0.6)
    cache.update(values)
    changed = values.copy()
    changed[-1] = 2.0
    out = cache.update(np.append(changed, 3.0))
    assert cache.changed_from == 0
    np.testing.assert_allclose(out, naive_ema(np.append(changed, 3.0), 0.6), equal_nan=True)


def test_result_is_read_only_and_store_array_stays_resizable() -> None:
    values = array("d", noisy(5_000))
    cache = EmaCache()
    out = cache.update(values)
    assert not out.flags.writeable
    values.append(1.0)  # BufferError if the cache kept a view of the array
    assert cache.update(values).shape[0] == 5_001


def test_block_summary_incremental_equals_full() -> None:
    values = noisy(50_000, seed=9)
    values[100:200] = -1.0
    step_by_step = BlockSummary()
    for n in (1, 63, 64, 65, 1_000, 25_000, 50_000):
        step_by_step.update(values[:n])
    rewritten = values.copy()
    rewritten[30_000:] += 100
    step_by_step.update(rewritten, dirty_from=30_000)
    full = BlockSummary()
    full.update(rewritten)
    for name in ("mins", "maxs", "posmins", "bad", "nonpos"):
        got = getattr(step_by_step, name)[: full.blocks]
        want = getattr(full, name)[: full.blocks]
        np.testing.assert_array_equal(got, want, err_msg=name)
