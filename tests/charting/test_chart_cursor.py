"""The cursor names real points: for random series, zoom windows and widths, every column's
readout is a point of the series (its step, its values), moves never invent points, and
the log lines chosen for a moment are the nearest in time."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from hypothesis import given, settings, strategies as st

from axom_tui.api.records import LogLine, MetricPoint
from axom_tui.charting import ChartOptions, ChartTheme, MetricView, RunChartData
from axom_tui.charting.explore import Explorer
from axom_tui.charting.render import render_chart
from axom_tui.charting.timeaxis import XMode
from axom_tui.logview import LogIndex
from axom_tui.logview.moments import LineTimes
from axom_tui.store import MetricSeries
from chart_helpers import feed, labels_of

THEME = ChartTheme()
T0 = 1_780_000_000.0


def run_series(n: int, seed: int, nan_share: float = 0.0) -> MetricSeries:
    rng = np.random.default_rng(seed)
    steps = np.cumsum(rng.integers(1, 20, n))
    loss = 3 * np.exp(-np.arange(n) / max(1, n / 3)) + 0.05 * rng.standard_normal(n) + 0.5
    grad = 0.4 * np.exp(0.1 * rng.standard_normal(n))
    grad[rng.random(n) < 0.01] *= 20
    loss[rng.random(n) < nan_share] = np.nan
    t = T0 + np.cumsum(rng.uniform(0.5, 3, n))
    if n > 10:
        t[n // 2 :] += 900  # a preemption: a quarter hour without points
    series = MetricSeries()
    series.merge(
        MetricPoint(
            step=int(s),
            loss=float(lo),
            grad_norm=float(g),
            lr=1e-4,
            throughput=1000.0,
            vram_gb=20.0,
            cycle=1 + i * 3 // n,
            phase="train",
            ts=datetime.fromtimestamp(float(ts), UTC),
        )
        for i, (s, lo, g, ts) in enumerate(zip(steps, loss, grad, t, strict=True))
    )
    return series


def chart_data(series: MetricSeries) -> RunChartData:
    data = RunChartData()
    columns = {
        name: series.column(name) for name in ("loss", "grad_norm", "lr", "throughput", "vram_gb")
    }
    data.set_data(
        series.steps,
        columns,
        series.cycle_boundaries(),
        list(series.resume_points),
        1,
        stamps=series.times,
        start=T0,
        label_at=labels_of(series),
    )
    return data


def draw(data: RunChartData, ex: Explorer, width: int, height: int = 20) -> None:
    options = ChartOptions(window=ex.window(data), x_mode=ex.mode(data).value, robust_y=ex.robust)
    rendered = render_chart(
        data.spec(MetricView.LOSS_GRAD, options, THEME),
        width,
        height,
        THEME,
        cursor_x=ex.cursor_x(data),
    )
    assert rendered.plot is not None
    ex.scale = rendered.plot.xscale


def explored(series: MetricSeries, width: int) -> tuple[MetricSeries, RunChartData, Explorer]:
    """The series, its chart data, and a new explorer of it drawn once at ``width``."""
    data = chart_data(series)
    ex = Explorer()
    draw(data, ex, width)
    return series, data, ex


def assert_real_point(series: MetricSeries, data: RunChartData, ex: Explorer) -> None:
    assert ex.cursor is not None
    i = ex.cursor.index
    readout = data.readout(i, MetricView.LOSS_GRAD, ChartOptions())
    assert readout.step == series.steps[i] == ex.cursor.step
    loss, grad = series.column("loss")[i], series.column("grad_norm")[i]
    got = {v.label: v.raw for v in readout.values}
    assert got["loss"] == loss or (np.isnan(got["loss"]) and np.isnan(loss))
    assert got["grad_norm"] == grad
    assert readout.ts == series.time_at(readout.step)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(2, 3_000),
    seed=st.integers(0, 10_000),
    width=st.integers(30, 200),
    zooms=st.lists(
        st.tuples(
            st.sampled_from(["in", "out", "left", "right", "move", "flag", "x", "y"]),
            st.integers(-30, 30),
        ),
        max_size=8,
    ),
    nan_share=st.sampled_from([0.0, 0.02]),
)
def test_every_column_reads_a_point_of_the_series(n, seed, width, zooms, nan_share) -> None:
    series, data, ex = explored(run_series(n, seed, nan_share), width)
    ex.enter(data)
    assert ex.cursor is not None and ex.cursor.index == n - 1 and ex.following
    for what, amount in zooms:
        if what == "in":
            ex.zoom(data, 2.0)
        elif what == "out":
            ex.zoom(data, 0.5)
        elif what in ("left", "right"):
            ex.pan(data, -1 if what == "left" else 1)
        elif what == "move":
            ex.move(data, amount)
        elif what == "flag":
            ex.flag(data, amount >= 0)
        elif what == "x":
            ex.cycle_x(data)
        else:
            ex.toggle_robust()
        draw(data, ex, width)
        assert_real_point(series, data, ex)
    assert ex.scale is not None
    x = data.x(ex.mode(data))
    window = ex.window(data)
    for col in range(ex.scale.cols):
        ex.place(data, col)
        assert_real_point(series, data, ex)
        if window is not None:  # the point named is one the window shows
            assert window[0] <= x[ex.cursor.index] <= window[1]


def test_a_grad_norm_explosion_is_read_exactly_at_every_zoom() -> None:
    series = run_series(200_000, 3)
    grad = series.column("grad_norm")
    spike = 123_457
    grad[spike] = 99.0  # the store's own array: as if the server had sent it
    data = chart_data(series)
    ex = Explorer()
    draw(data, ex, 160, 30)
    ex.enter(data)
    found = [f for f in data.flags() if f.index == spike]
    assert found and found[0].kind.value == "grad_norm explosion"
    for _ in range(12):  # from the whole run down to a few points
        assert ex.scale is not None
        ex.place(data, ex.scale.column(float(data.x(ex.mode(data))[spike])))
        assert ex.cursor is not None and ex.cursor.index == spike
        readout = data.readout(spike, MetricView.LOSS_GRAD, ChartOptions())
        assert {v.label: v.raw for v in readout.values}["grad_norm"] == 99.0
        assert readout.flag == "grad_norm explosion"
        ex.zoom(data, 3.0)
        draw(data, ex, 160, 30)


def test_n_visits_every_flag_in_order_and_says_when_there_is_none() -> None:
    series, data, ex = explored(run_series(5_000, 11), 120)
    ex.home(data)
    seen = []
    while True:
        before = ex.cursor
        ex.flag(data, forward=True)
        if ex.cursor == before:
            break
        seen.append(ex.cursor.index)
    assert seen == [f.index for f in data.flags()]
    assert ex.note and "no flagged point after" in ex.note


def test_zoomed_at_the_live_edge_the_window_follows_new_points() -> None:
    series, data, ex = explored(run_series(2_000, 5), 100)
    ex.enter(data)
    ex.zoom(data, 8.0)
    before = ex.window(data)
    assert before is not None and before[1] == series.steps[-1]
    last = series.steps[-1]
    series.merge(
        MetricPoint(
            step=last + 10 * k,
            loss=1.0,
            grad_norm=0.4,
            ts=datetime.fromtimestamp(T0 + 10_000 + k, UTC),
        )
        for k in range(1, 51)
    )
    feed(data, series, 2, start=T0)
    ex.sync(data)
    after = ex.window(data)
    assert after is not None and after[1] == series.steps[-1]
    assert after[1] - after[0] == before[1] - before[0]
    assert ex.cursor is not None and ex.cursor.index == len(series) - 1  # followed too


def test_time_axis_shows_a_preemption_as_a_gap() -> None:
    series = run_series(400, 2)
    data = chart_data(series)
    ex = Explorer()
    ex.cycle_x(data)
    assert ex.mode(data) is XMode.ELAPSED
    spec = data.spec(MetricView.LOSS_GRAD, ChartOptions(x_mode="elapsed", smoothing=False), THEME)
    assert spec.x_gap is not None and spec.x_gap < 900_000
    text = render_chart(spec, 120, 20, THEME).ansi
    assert "m" in text.split("\n")[-1]  # elapsed labels: 5m, 10m, …
    # the two halves are not joined: no line drawn across the quarter hour
    from axom_tui.charting.decimate import decimate
    from axom_tui.charting.render import _break_gaps

    x = data.x(XMode.ELAPSED)
    d = decimate(x, series.column("loss"), 200)
    far = np.flatnonzero(np.diff(d.x) >= spec.x_gap)
    assert far.shape[0] == 1
    assert d.connect[far[0] + 1]  # decimation alone would draw a line across it
    assert not _break_gaps(d, spec.x_gap).connect[far[0] + 1]


timestamps = st.lists(st.one_of(st.none(), st.integers(0, 500)), min_size=1, max_size=80)


@settings(max_examples=200, deadline=None)
@given(timestamps, st.floats(-50, 550), st.booleans(), st.integers(1, 100))
def test_the_log_lines_chosen_are_the_nearest_in_time(stamps, t, sort, cap) -> None:
    if sort:
        stamps = sorted(stamps, key=lambda v: -1 if v is None else v)
    index = LogIndex(max_lines=cap)
    index.append(
        LogLine(
            seq=i, text=f"line {i}", ts=None if v is None else datetime.fromtimestamp(T0 + v, UTC)
        )
        for i, v in enumerate(stamps)
    )
    times = LineTimes()
    times.sync(index)
    got = times.nearest(T0 + t)
    live = [index.timestamp(i) for i in range(len(index))]
    timed = [(i, ts.timestamp()) for i, ts in enumerate(live) if ts is not None]
    if not timed:
        assert got is None
        return
    best = min(abs(v - (T0 + t)) for _, v in timed)
    assert got is not None
    a, b = got
    assert b > a
    for i in range(a, b):
        assert live[i] is not None and abs(live[i].timestamp() - (T0 + t)) == best
