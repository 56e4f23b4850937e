"""Per-point times: every stamp read back within tolerance, in a few bytes per point."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from hypothesis import given, settings, strategies as st

from axom_tui.api.records import MetricPoint
from axom_tui.store import MetricSeries
from store_points import full_point

T0 = 1_780_000_000.0


def stamp(t: float) -> datetime:
    return datetime.fromtimestamp(t, UTC)


def points(steps: list[int], times: list[float]) -> list[MetricPoint]:
    return [MetricPoint(step=s, loss=1.0, ts=stamp(t)) for s, t in zip(steps, times, strict=True)]


def test_whole_second_stamps_come_back_exact_from_few_corners() -> None:
    series = MetricSeries()
    steps = list(range(10, 100_010, 10))
    times = [float(int(T0 + 0.37 * i)) for i in range(len(steps))]  # 2.7 points a second
    for k in range(0, len(steps), 500):
        series.merge(points(steps[k : k + 500], times[k : k + 500]))
    assert all(round(series.time_at(s)) == t for s, t in zip(steps, times, strict=True))
    assert len(series.times.seg_steps) < len(steps) / 1000


def test_a_resume_rewrites_the_times_after_its_checkpoint_and_keeps_the_rest() -> None:
    series = MetricSeries()
    series.merge(points(list(range(0, 1000, 10)), [T0 + i for i in range(100)]))
    # preempted at step 990, resumed from the checkpoint at 500 ten minutes later
    later = T0 + 100 + 600
    series.merge(points(list(range(510, 1500, 10)), [later + i for i in range(99)]))
    assert series.time_at(0) == T0 and round(series.time_at(500)) == T0 + 50
    assert round(series.time_at(510)) == later
    assert round(series.time_at(1490)) == later + 98
    assert series.time_at(2000) is None


def test_a_rewrite_in_the_middle_keeps_both_sides() -> None:
    series = MetricSeries()
    series.merge(points(list(range(0, 1000, 10)), [T0 + i for i in range(100)]))
    series.merge(points([400, 410, 420], [T0 + 500, T0 + 501, T0 + 502]))
    assert round(series.time_at(390)) == T0 + 39
    assert round(series.time_at(410)) == T0 + 501
    assert round(series.time_at(430)) == T0 + 43


def test_irregular_stamps_stay_within_the_budget_and_the_error_bound() -> None:
    rng = random.Random(3)
    series = MetricSeries()
    t = T0
    steps, times = [], []
    for i in range(50_000):
        t += rng.uniform(1, 30)  # every point far off any straight line
        steps.append(i)
        times.append(t)
    for k in range(0, len(steps), 500):
        series.merge(points(steps[k : k + 500], times[k : k + 500]))
    assert series.times.memory_bytes() / len(series) <= 2.2
    err = series.times.max_error
    assert all(abs(series.time_at(s) - t) <= err + 1e-6 for s, t in zip(steps, times, strict=True))


def test_memory_budget_with_stamps_at_100k_points() -> None:
    s = MetricSeries()
    for i in range(0, 100_000, 250):
        batch = [full_point(j, ts=stamp(T0 + j * 1.3)) for j in range(i, i + 250)]
        s.merge(batch)
        if len(s) % 9_750 == 0:
            assert s.memory_bytes() / len(s) <= 48, len(s)
    assert s.memory_bytes() / len(s) <= 48


batches = st.lists(
    st.tuples(
        st.integers(0, 400),
        st.integers(1, 60),
        st.floats(0.0, 30.0),
        st.floats(0, 1e5),
        st.booleans(),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(batches)
def test_every_stamp_reads_back_within_the_error(spec) -> None:
    """Any sequence of batches (appends, re-sends, overlaps, inserts, points without a
    stamp): every held point reads the time its latest batch gave it, within
    ``max_error`` (a re-send without a stamp keeps the old one), and a point never
    stamped reads None."""
    series = MetricSeries()
    truth: dict[int, float | None] = {}
    for start, count, pace, offset, stamped in spec:
        batch = [
            MetricPoint(
                step=s,
                loss=float(k + offset),
                ts=stamp(T0 + offset + pace * k) if stamped else None,
            )
            for k, s in enumerate(range(start, start + count))
        ]
        series.merge(batch)
        for p in batch:  # a re-sent point without a stamp keeps the one it had
            if p.ts is not None or p.step not in truth:
                truth[p.step] = p.ts.timestamp() if p.ts is not None else None
    err = series.times.max_error
    for step, t in truth.items():
        got = series.time_at(step)
        if t is None:
            assert got is None, step
        else:
            assert got is not None and abs(got - t) <= err + 1e-6, (step, got, t)


def test_a_series_restored_from_the_cache_keeps_its_times_in_step_with_its_points() -> None:
    """The run cache restores columns without times: those points read None, and points
    fetched after them get theirs (at their own index, not the restored ones')."""
    from array import array

    from axom_tui.store.step_labels import StepLabels

    steps = array("i", range(0, 1000, 10))
    columns = {
        name: array("d", [1.0] * len(steps))
        for name in ("loss", "grad_norm", "lr", "throughput", "vram_gb")
    }
    series = MetricSeries.restore(steps, columns, StepLabels(), [], 0)
    assert series.time_at(500) is None
    series.merge(points(list(range(1000, 1100, 10)), [T0 + i for i in range(10)]))
    assert series.time_at(990) is None
    assert [round(series.time_at(s)) for s in range(1000, 1100, 10)] == [T0 + i for i in range(10)]
