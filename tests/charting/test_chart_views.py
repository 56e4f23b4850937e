"""From store columns to specs: the views, smoothing and its invalidation, overlays."""

from __future__ import annotations

from array import array

import numpy as np

from axom_tui.charting import ChartOptions, ChartTheme, MetricView, OverlayData, RunChartData
from chart_helpers import naive_ema, training_curve

THEME = ChartTheme()


def store_like(n: int) -> tuple[array, dict[str, array]]:
    steps, loss, grad = training_curve(n)
    columns = {
        "loss": array("d", loss),
        "grad_norm": array("d", grad),
        "lr": array("d", np.full(n, 1e-3)),
        "throughput": array("d", np.full(n, 900.0)),
        "vram_gb": array("d", np.full(n, 40.0)),
    }
    return array("q", steps), columns


def test_views_cycle_in_order() -> None:
    order = [MetricView.LOSS_GRAD]
    for _ in range(4):
        order.append(order[-1].next())
    assert [v.value for v in order] == [
        "loss + grad_norm",
        "lr",
        "throughput",
        "vram_gb",
        "loss + grad_norm",
    ]


def test_loss_grad_view_has_two_axes_raw_and_smoothed() -> None:
    steps, columns = store_like(1_000)
    data = RunChartData()
    assert data.set_data(steps, columns, [100], [5_000], 1)
    spec = data.spec(MetricView.LOSS_GRAD, ChartOptions(), THEME)
    assert [(line.label, line.axis, line.dimmed) for line in spec.lines] == [
        ("raw", "left", True),
        ("raw", "right", True),
        ("loss", "left", False),
        ("grad_norm", "right", False),
    ]
    np.testing.assert_allclose(spec.lines[2].values, naive_ema(columns["loss"], 0.6))
    assert [m.steps for m in spec.markers] == [(100,), (5_000,)]
    raw_only = data.spec(MetricView.LR, ChartOptions(), THEME)
    assert [line.label for line in raw_only.lines] == ["lr"]


def test_unchanged_data_is_not_a_change() -> None:
    steps, columns = store_like(100)
    data = RunChartData()
    assert data.set_data(steps, columns, [], [], 1)
    assert not data.set_data(steps, columns, [], [], 1)
    steps.append(1_000)
    for col in columns.values():
        col.append(1.0)
    assert data.set_data(steps, columns, [], [], 2)


def test_resume_recomputes_the_smoothing_from_the_resume_step() -> None:
    steps, columns = store_like(2_000)
    data = RunChartData()
    data.set_data(steps, columns, [], [], 1)
    data.spec(MetricView.LOSS_GRAD, ChartOptions(), THEME)
    loss = columns["loss"]
    for i in range(1_500, 2_000):  # the run re-sent the steps after its checkpoint
        loss[i] = 5.0
    loss[-1] = columns["loss"][-1]  # even with an unchanged last value
    data.set_data(steps, columns, [], [int(steps[1_500])], 2)
    spec = data.spec(MetricView.LOSS_GRAD, ChartOptions(), THEME)
    np.testing.assert_allclose(spec.lines[2].values, naive_ema(loss, 0.6))


def test_overlay_has_one_line_per_run_with_its_name() -> None:
    overlay = OverlayData()
    runs = []
    for seed, name in enumerate(["alpha", "beta", "gamma"]):
        steps, loss, _ = training_curve(500 + 100 * seed, seed)
        runs.append((name, array("q", steps), array("d", loss), 1))
    assert overlay.set_overlay(runs)
    assert not overlay.set_overlay(runs)
    spec = overlay.spec(ChartOptions(), THEME)
    assert [line.label for line in spec.lines] == ["alpha", "beta", "gamma"]
    assert len({line.color for line in spec.lines}) == 3
    np.testing.assert_allclose(spec.lines[1].values, naive_ema(runs[1][2], 0.6))
