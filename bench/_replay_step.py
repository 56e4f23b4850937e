"""Replay scrubbing: one step of the moment on a finished 200,000-point run.

What a step (``[``/``]``, ``,``/``.``) costs, done as the dashboard does it
(``ui/screens/replay_mode.py``) minus Textual's own repaint:

* the moment's answers (``view/replay.py``): points and lines logged by then, the step,
  the status and record then, the mark under it;
* the job row's and summary's run as of then (``run_as_of``: the last 60 points copied);
* the chart cut at the moment on the whole run's axis: decimation up to
  the moment (from the block summaries), frame, raster, compose with the cursor column,
  Textual strips;
* the log pane's lines up to then: ``LogIndex.set_lines`` of that many lines (up to the
  default cap of 10,000), the log half of a step.

Building the replay once (on ``R``) is its own row: every point's time from the store's
step times, and the marks.

Its figures are rows of ``bench/chart_bench.py`` (``replay_rows`` there).
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from axom_tui.api.records import Event, Job, LogLine, MetricPoint
from axom_tui.charting import ChartOptions, ChartTheme, MetricView, RunChartData, render_chart
from axom_tui.charting.frame import FrameCache
from axom_tui.charting.timeaxis import TimeCache, XMode
from axom_tui.logview import LogIndex
from axom_tui.store.run_state import RunState
from axom_tui.ui.ansi_strips import ansi_to_strips
from axom_tui.view.replay import TIME_STEP, RunReplay
from axom_tui.view.replay_state import run_as_of

WIDTH, HEIGHT = 160, 30
POINTS, LINES = 200_000, 10_000
STEP_BUDGET_MS = 16.0  # within a 60 Hz frame
T0 = datetime(2026, 6, 4, 2, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class ReplayFigures:
    """Median CPU ms of a step (and its wall ms, its worst, its log part, the log part
    re-made instead of cut), and the CPU ms of building the replay."""

    step_cpu: float
    step_wall: float
    step_max: float
    log_cpu: float
    remake_cpu: float
    build_cpu: float


def make_run() -> RunState:
    rng = np.random.default_rng(3)
    loss = 3 * np.exp(-np.arange(POINTS) / 5e4) + 0.3 + 0.05 * rng.standard_normal(POINTS)
    run = RunState(
        "bench",
        job=Job(
            "bench",
            "failed",
            total_steps=POINTS,
            latest_step=POINTS,
            created_at=T0,
            started_at=T0,
            finished_at=T0 + timedelta(seconds=POINTS * 0.5),
        ),
    )
    run.metrics.merge(
        MetricPoint(
            step=s + 1,
            loss=float(loss[s]),
            grad_norm=1.0 + 0.1 * (s % 7),
            cycle=1 + s // 40_000,
            phase="train",
            ts=T0 + timedelta(seconds=s * 0.5 + float(rng.random()) * 0.05),
        )
        for s in range(POINTS)
    )
    run.events = [Event("status", T0, {"to": "running"})] + [
        Event("checkpoint", T0 + timedelta(seconds=k * 2500), {"step": k * 5000})
        for k in range(1, POINTS // 5000)
    ]
    run.events.append(Event("status", run.job.finished_at, {"to": "failed"}))  # type: ignore[union-attr]
    span = POINTS * 0.5
    run.logs.append(
        LogLine(
            k,
            f"step {k} · loss {loss[k % POINTS]:.4f} · some worker text",
            "stdout",
            T0 + timedelta(seconds=k * span / LINES),
        )
        for k in range(LINES)
    )
    return run


def build(run: RunState) -> RunReplay:
    series = run.metrics
    assert run.job is not None
    times = TimeCache().update(series.steps, series.times)  # type: ignore[arg-type]
    line_times = [line.ts.timestamp() if line.ts else None for line in run.logs]
    return RunReplay(run.job, run.events, series.steps, times, line_times)


def measure(quick: bool = False) -> ReplayFigures:
    state = make_run()
    series = state.metrics
    c0 = time.process_time()
    replay = build(state)
    build_ms = (time.process_time() - c0) * 1000
    data, frames, theme = RunChartData(), FrameCache(), ChartTheme()
    data.set_data(series.steps, {n: series.column(n) for n in ("loss", "grad_norm")}, (), (), 0)
    x = data.x(XMode.STEP).copy()
    logs = LogIndex(LINES)
    ring = list(state.logs)
    logs.set_lines(ring)  # replay starts with the whole log in the pane

    def step(ts: float) -> None:
        cut = replay.points_at(ts)
        replay.step_at(ts)
        replay.mark_at(ts)
        run_as_of(state, replay, ts)
        until = float(x[cut - 1]) if cut else -np.inf
        options = ChartOptions(until=until)  # as CursorChart: the axis stays the run's
        rendered = render_chart(
            data.spec(MetricView.LOSS_GRAD, options, theme), WIDTH, HEIGHT, theme, frames
        )
        assert rendered.plot is not None
        ansi_to_strips(rendered.plot.compose(until), WIDTH)
        l0 = time.process_time()
        show_logs(replay.lines_at(ts))
        log_cpu.append((time.process_time() - l0) * 1000)

    def show_logs(count: int) -> None:
        held = len(logs)  # as the log pane does: cut back, or the lines after those held
        if count < held:
            logs.truncate(count)
        elif count > held:
            logs.append(ring[held:count])

    cpu: list[float] = []
    wall: list[float] = []
    log_cpu: list[float] = []
    set_cpu: list[float] = []
    ts = replay.end
    step(ts)  # warm: the block summaries and EMA of the whole run, once
    log_cpu.clear()
    moves = 30 if quick else 120
    for k in range(moves):
        # back by time most of the way, with an event jump now and then
        if k % 10 == 9:
            mark = replay.prev_mark(ts)
            ts = mark.ts if mark is not None else replay.end
        else:
            ts = replay.by_time(ts, -TIME_STEP)
            if ts <= replay.start:
                ts = replay.end
        w0, c0 = time.perf_counter(), time.process_time()
        step(ts)
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
    for count in (LINES // 4, LINES // 2, LINES):  # the log re-made instead of cut
        l0 = time.process_time()
        LogIndex(LINES).set_lines(ring[:count])
        set_cpu.append((time.process_time() - l0) * 1000)
    return ReplayFigures(
        step_cpu=statistics.median(cpu),
        step_wall=statistics.median(wall),
        step_max=max(cpu),
        log_cpu=statistics.median(log_cpu),
        remake_cpu=statistics.median(set_cpu),
        build_cpu=build_ms,
    )
