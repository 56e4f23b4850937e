"""MetricSeries: merge by step (append, replace, insert), labels, resume points, memory."""

from __future__ import annotations

import math

from hypothesis import given, settings, strategies as st

from axom_tui.api.records import MetricPoint
from axom_tui.store import METRIC_COLUMNS, MetricSeries
from store_points import full_point


def pt(
    step: int, loss: float = 1.0, cycle: int | None = 1, phase: str | None = "train", **extra: float
) -> MetricPoint:
    return MetricPoint(
        step=step,
        loss=loss,
        grad_norm=extra.get("grad_norm", 0.5),
        lr=extra.get("lr", 1e-4),
        throughput=extra.get("throughput", 1.4),
        vram_gb=extra.get("vram_gb", 20.0),
        cycle=cycle,
        phase=phase,
    )


def test_append_fast_path_keeps_order_and_counts():
    s = MetricSeries()
    assert s.merge([pt(1), pt(2), pt(5)]) == 3
    assert s.merge([pt(6, loss=0.9), pt(10, loss=0.8)]) == 2
    assert list(s.steps) == [1, 2, 5, 6, 10]
    assert list(s.column("loss")) == [1.0, 1.0, 1.0, 0.9, 0.8]
    assert s.last_step == 10 and s.latest("loss") == 0.8 and len(s) == 5


def test_resend_of_identical_points_changes_nothing():
    s = MetricSeries()
    s.merge([pt(i, loss=1.0 / i) for i in range(1, 51)])
    assert s.merge([pt(i, loss=1.0 / i) for i in range(40, 51)]) == 0
    assert len(s) == 50 and list(s.steps) == list(range(1, 51))
    assert s.resume_points == []


def test_replaced_step_takes_newest_value_and_marks_resume_point():
    s = MetricSeries()
    s.merge([pt(i, loss=2.0) for i in range(1, 11)])
    # preemption: resumed from the checkpoint at step 6, steps 7.. re-sent with new values
    assert s.merge([pt(i, loss=1.5) for i in range(7, 13)]) == 6
    assert list(s.steps) == list(range(1, 13))
    assert list(s.column("loss")) == [2.0] * 6 + [1.5] * 6
    assert s.resume_points == [7]
    s.merge([pt(i, loss=1.2) for i in range(9, 12)])
    assert s.resume_points == [7, 9]


def test_a_resend_that_comes_over_several_polls_is_one_resume_point():
    s = MetricSeries()
    s.merge([pt(i, loss=2.0) for i in range(10, 1001, 10)])
    # resumed from the checkpoint at 500: the steps after it come again, a page per poll
    for start in range(510, 1001, 100):
        s.merge([pt(i, loss=1.0) for i in range(start, start + 100, 10)])
    s.merge([pt(i, loss=0.9) for i in range(1010, 1100, 10)])
    assert s.resume_points == [510]
    # a second preemption later: a second point
    s.merge([pt(i, loss=0.8) for i in range(810, 900, 10)])
    assert s.resume_points == [510, 810]


def test_out_of_order_points_are_inserted_in_place():
    s = MetricSeries()
    s.merge([pt(10), pt(30)])
    assert s.merge([pt(20, loss=0.2), pt(5, loss=0.05), pt(40, loss=0.4)]) == 3
    assert list(s.steps) == [5, 10, 20, 30, 40]
    assert list(s.column("loss")) == [0.05, 1.0, 0.2, 1.0, 0.4]
    assert s.window("loss", 10, 30) == (s.steps[1:4], s.column("loss")[1:4])


def test_duplicate_step_within_one_batch_keeps_the_later_value():
    s = MetricSeries()
    s.merge([pt(1, loss=1.0), pt(2, loss=2.0), pt(2, loss=3.0)])
    assert list(s.steps) == [1, 2] and list(s.column("loss")) == [1.0, 3.0]


def test_cycle_boundaries_and_phases_run_length_encoded():
    s = MetricSeries()
    points = [
        pt(i, cycle=1 + (i - 1) // 100, phase="grow" if (i - 1) % 100 < 5 else "train")
        for i in range(1, 401)
    ]
    for i in range(0, 400, 50):
        s.merge(points[i : i + 50])
    assert s.cycle_boundaries() == [101, 201, 301]
    assert len(s.labels) == 8  # (grow, train) x 4 cycles, not 400 entries
    assert s.cycle_at(150) == 2 and s.phase_at(101) == "grow" and s.phase_at(106) == "train"
    cycles = s.column("cycle")
    assert list(cycles) == [p.cycle for p in points]
    names = s.phase_names
    assert [names[c] for c in s.column("phase")] == [p.phase for p in points]


def test_relabel_of_a_single_replaced_step_keeps_neighbours():
    s = MetricSeries()
    s.merge([pt(i, cycle=1) for i in range(1, 11)])
    s.merge([pt(5, cycle=2)])
    assert list(s.column("cycle")) == [1, 1, 1, 1, 2, 1, 1, 1, 1, 1]
    s.merge([pt(5, cycle=1)])
    assert list(s.column("cycle")) == [1] * 10 and len(s.labels) == 1


def test_unknown_cycle_and_phase():
    s = MetricSeries()
    s.merge([pt(1, cycle=None, phase=None), pt(2, cycle=3, phase="eval")])
    assert list(s.column("cycle")) == [0, 3]
    assert s.cycle_at(1) is None and s.phase_at(1) is None and s.phase_at(2) == "eval"
    assert s.cycle_boundaries() == []


def test_nan_count_follows_replacements():
    s = MetricSeries()
    s.merge([pt(1), pt(2, loss=math.nan), pt(3, loss=math.inf), pt(4)])
    assert s.nan_count == 2
    s.merge([pt(2, loss=0.5)])
    assert s.nan_count == 1
    s.merge([pt(4, loss=-math.inf), pt(0, loss=math.nan)])
    assert s.nan_count == 3
    s.merge([pt(0, loss=math.nan)])  # a NaN re-sent as NaN is not a change
    assert s.nan_count == 3


def test_missing_metric_values_are_nan():
    s = MetricSeries()
    s.merge([MetricPoint(step=1, loss=0.7)])
    assert math.isnan(s.latest("vram_gb")) and s.latest("loss") == 0.7
    assert math.isnan(MetricSeries().latest("loss"))


def test_steps_beyond_32_bits_promote_the_column():
    s = MetricSeries()
    s.merge([pt(1), pt(2**40)])
    assert s.steps.typecode == "q" and list(s.steps) == [1, 2**40]


def test_memory_budget_at_100k_points():
    points = [full_point(i) for i in range(100_000)]
    s = MetricSeries()
    for i in range(0, len(points), 250):
        s.merge(points[i : i + 250])
        if len(s) % 9_750 == 0:  # the budget holds at every size, not only at the end
            assert s.memory_bytes() / len(s) <= 48, len(s)
    assert len(s) == 100_000
    assert s.memory_bytes() / len(s) <= 48


# ------------------------------------------------------------ property: newest value wins

batches = st.lists(
    st.lists(
        st.tuples(
            st.integers(0, 60),
            st.floats(allow_nan=True, allow_infinity=True),
            st.integers(1, 3),
            st.sampled_from(["train", "grow", None]),
        ),
        max_size=20,
    ),
    max_size=8,
)


@settings(max_examples=40, deadline=None)
@given(batches)
def test_merge_equals_dict_with_newest_value(batch_list):
    s = MetricSeries()
    model: dict[int, tuple] = {}
    for batch in batch_list:
        s.merge(
            [pt(step, loss=loss, cycle=cycle, phase=phase) for step, loss, cycle, phase in batch]
        )
        for step, loss, cycle, phase in batch:
            model[step] = (loss, cycle, phase)
    assert list(s.steps) == sorted(model)
    for i, step in enumerate(s.steps):
        loss, cycle, phase = model[step]
        held = s.column("loss")[i]
        assert held == loss or (math.isnan(held) and math.isnan(loss))
        assert s.cycle_at(step) == cycle and s.phase_at(step) == phase
    assert s.nan_count == sum(1 for v in model.values() if not math.isfinite(v[0]))
    for name in METRIC_COLUMNS:
        assert len(s.column(name)) == len(s)
