"""Metric chart benchmark: one redraw of a live run's chart at 160x30.

A redraw is what ``MetricChart`` does when new points arrive: take the store's arrays
(``array('q')`` steps, ``array('d')`` loss and grad_norm), bring the EMA and the block
summaries up to date (incrementally), decimate, and render the "loss + grad_norm"
view (raw and smoothed lines, two axes, cycle and resume markers) to ANSI text with a
frame cache. Each timed redraw follows an append of 50 points (one poll's worth).

The baseline is plotext drawing all the points itself: both series as connected
braille lines on a private figure, built to a string. It is slow enough that it is
measured once per size, at 1k and 100k points (the full run; ~5 s of CPU at 100k);
the 1M figure is extrapolated linearly from 100k (plotext's cost is linear in the
points), and the output says so. ``--quick`` measures the baseline at 1k and 10k and
extrapolates the rest from 10k.

    .venv/bin/python bench/chart_bench.py [--quick]

Two more rows: a cursor move and a zoom step on the 1M-point run (what the chart's keys
cost, beside the full redraw's figure; ``time_cursor_and_zoom``). Two for replay
(``bench/_replay_step.py``): a step of the moment on a finished 200k-point run (the
chart cut there, the panes' answers, the log by then), and building the replay (``R``).

Prints ``name | ours | baseline | ratio | budget | PASS/FAIL``; ``run(quick)`` returns
the same figures as ``BenchLine``s. Times are CPU time of this process (median over
the redraws), so that other work on a shared machine does not count against the
chart; the median wall time is printed in the name, and equals the CPU time on an
idle machine (everything here is single-threaded).
"""

from __future__ import annotations

import math
import statistics
import sys
import time
from array import array
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

try:
    from bench._common import BenchLine, at_most, run_standalone
    from bench._replay_step import POINTS as REPLAY_POINTS, measure as measure_replay
except ImportError:  # pragma: no cover - run from inside bench/
    from _common import BenchLine, at_most, run_standalone  # type: ignore[no-redef]
    from _replay_step import POINTS as REPLAY_POINTS, measure as measure_replay  # type: ignore[no-redef]

import numpy as np

from axom_tui.charting import ChartOptions, ChartTheme, MetricView, RunChartData, render_chart
from axom_tui.charting._plotext_compat import new_figure
from axom_tui.charting.frame import FrameCache

WIDTH, HEIGHT = 160, 30
BUDGET_MS = 20.0
CURSOR_BUDGET_MS = 16.0  # a cursor move or a zoom step: within one 60 Hz frame
APPEND = 50
SIZES = (1_000, 100_000, 1_000_000)


def make_run(n: int, seed: int = 0) -> tuple[array, dict[str, array]]:
    """A realistic run: falling noisy loss with a few NaNs, grad_norm with spikes."""
    rng = np.random.default_rng(seed)
    x = np.arange(n)
    loss = 3 * np.exp(-x / max(1, n / 4)) + 0.3 + 0.05 * rng.standard_normal(n)
    loss[rng.integers(0, n, 3)] = np.nan
    grad = 1 + 0.2 * np.abs(rng.standard_normal(n))
    grad[rng.integers(0, n, max(1, n // 20_000))] = 25.0
    # Like the run store: int32 steps (until a step needs 64 bits), float64 columns.
    return array("i", x * 10), {"loss": array("d", loss), "grad_norm": array("d", grad)}


def time_ours(n: int, redraws: int) -> tuple[float, float, float]:
    """Median wall and CPU ms per redraw, and the first (cold) redraw's wall ms."""
    steps, columns = make_run(n)
    data, frames, theme, options = RunChartData(), FrameCache(), ChartTheme(), ChartOptions()
    cycles, resumes = [int(steps[len(steps) // 3])], [int(steps[len(steps) // 2])]
    rng = np.random.default_rng(1)

    def redraw(version: int) -> None:
        data.set_data(steps, columns, cycles, resumes, version)
        spec = data.spec(MetricView.LOSS_GRAD, options, theme)
        render_chart(spec, WIDTH, HEIGHT, theme, frames)

    t0 = time.perf_counter()
    redraw(0)
    cold = (time.perf_counter() - t0) * 1000
    walls, cpus = [], []
    for version in range(1, redraws + 1):
        last = steps[-1]
        for k in range(APPEND):  # a poll's worth of new points
            steps.append(last + 10 * (k + 1))
            columns["loss"].append(0.3 + 0.05 * float(rng.standard_normal()))
            columns["grad_norm"].append(1.0 + 0.2 * abs(float(rng.standard_normal())))
        w0, c0 = time.perf_counter(), time.process_time()
        redraw(version)
        walls.append((time.perf_counter() - w0) * 1000)
        cpus.append((time.process_time() - c0) * 1000)
    return statistics.median(walls), statistics.median(cpus), cold


def time_plotext_all(n: int) -> float:
    """CPU ms for plotext to draw every point of both series (connected braille lines)."""
    steps, columns = make_run(n)
    x = list(steps)
    loss = [0.0 if math.isnan(v) else v for v in columns["loss"]]  # plotext cannot take NaN
    grad = list(columns["grad_norm"])
    t0 = time.process_time()
    fig = new_figure(WIDTH, HEIGHT)
    fig.draw(fig.signal(x, loss, marker="braille").lines(True).label("loss"))
    fig.draw(fig.signal(x, grad, marker="braille", yside="right").lines(True).label("grad_norm"))
    fig.build().string()
    return (time.process_time() - t0) * 1000


def time_cursor_and_zoom(n: int, moves: int) -> tuple[float, float, float, float, float]:
    """Median CPU ms of a cursor move and of a zoom step on a run of ``n`` points, as the
    widget does them, and the wall ms of each median; plus the cold cost of the first
    cursor (the health flags of the whole run, once).

    A cursor move: the explorer finds the point one column left (flag-aware), the
    readout reads it, the drawn plot is recomposed with the cursor column and turned
    into Textual strips. A zoom step: the explorer halves (or doubles) the window
    around the cursor and the chart is drawn again, decimating the visible window
    (from the block summary), then composed and turned into strips the same way."""
    from axom_tui.charting.explore import Explorer
    from axom_tui.charting.readout import readout_text
    from axom_tui.ui.ansi_strips import ansi_to_strips

    steps, columns = make_run(n)
    data, frames, theme = RunChartData(), FrameCache(), ChartTheme()
    data.set_data(steps, columns, [int(steps[n // 3])], [int(steps[n // 2])], 0)
    ex = Explorer()

    def draw() -> object:
        options = ChartOptions(window=ex.window(data), x_mode=ex.mode(data).value)
        rendered = render_chart(
            data.spec(MetricView.LOSS_GRAD, options, theme), WIDTH, HEIGHT, theme, frames
        )
        ex.scale = rendered.plot.xscale
        return rendered.plot

    def show(plot) -> None:
        ansi_to_strips(plot.compose(ex.cursor_x(data)), WIDTH)
        readout_text(data.readout(ex.cursor.index, MetricView.LOSS_GRAD, ChartOptions()), WIDTH)

    plot = draw()
    c0 = time.process_time()
    ex.enter(data)
    ex.move(data, -1)  # the first move computes the run's flags
    cold = (time.process_time() - c0) * 1000
    show(plot)
    move_cpu, move_wall = [], []
    for _ in range(moves):
        w0, c0 = time.perf_counter(), time.process_time()
        ex.move(data, -1)
        show(plot)
        move_cpu.append((time.process_time() - c0) * 1000)
        move_wall.append((time.perf_counter() - w0) * 1000)
    zoom_cpu, zoom_wall = [], []
    for k in range(moves):
        w0, c0 = time.perf_counter(), time.process_time()
        ex.zoom(data, 2.0 if (k // 6) % 2 == 0 else 0.5)  # in six times, out six times
        show(draw())
        zoom_cpu.append((time.process_time() - c0) * 1000)
        zoom_wall.append((time.perf_counter() - w0) * 1000)
    return (
        statistics.median(move_cpu),
        statistics.median(move_wall),
        statistics.median(zoom_cpu),
        statistics.median(zoom_wall),
        cold,
    )


def run(quick: bool = False) -> list[BenchLine]:
    measured: dict[int, float] = {}
    for n in (1_000, 10_000) if quick else (1_000, 100_000):
        measured[n] = time_plotext_all(n)
    base_n = max(measured)
    lines = []
    for n in SIZES:
        wall, cpu, cold = time_ours(n, redraws=15 if quick else 40)
        if n in measured:
            baseline, note = measured[n], ""
        else:
            baseline, note = measured[base_n] * n / base_n, f", baseline est. from {base_n:,}"
        label = f"{n // 1000}k" if n < 1_000_000 else f"{n // 1_000_000}M"
        times = f"wall {wall:.1f} ms, first {cold:.0f} ms{note}"
        name = f"chart redraw {label} pts {WIDTH}x{HEIGHT} ({times})"
        lines.append(at_most(name, cpu, baseline, BUDGET_MS, "ms", speedup=True))
    full = lines[-1].ours  # the 1M-point full redraw, measured just above
    move, move_wall, zoom, zoom_wall, cold = time_cursor_and_zoom(1_000_000, 24 if quick else 60)
    where = f"1M pts {WIDTH}x{HEIGHT}"
    move_note = (
        f"one column left: explorer move (flag-aware) + readout + recompose + strips; "
        f"baseline: the full redraw above; the first cursor of a run computes its "
        f"health flags once: {cold:.0f} ms"
    )
    zoom_note = (
        "x2 in or out around the cursor: the window's decimation (block summary, edge "
        "blocks raw), frame, raster, compose, strips; baseline: the full redraw above"
    )
    for what, ms, wall, note in (
        ("cursor move", move, move_wall, move_note),
        ("zoom step", zoom, zoom_wall, zoom_note),
    ):
        name = f"chart {what}, {where} (wall {wall:.1f} ms)"
        lines.append(at_most(name, ms, full, CURSOR_BUDGET_MS, "ms", note=note, speedup=True))
    return lines + replay_rows(quick)


def replay_rows(quick: bool) -> list[BenchLine]:
    fig = measure_replay(quick)
    where = f"{REPLAY_POINTS // 1000}k pts + 10k log lines"
    step_name = (
        f"replay step, {where}, chart {WIDTH}x{HEIGHT} "
        f"(wall {fig.step_wall:.1f} ms, worst {fig.step_max:.1f})"
    )
    step_note = (
        f"the moment's answers + the run as of then + the chart cut there + the log "
        f"pane's lines by then (of it {fig.log_cpu:.2f} ms: cut back or extended; "
        f"re-made from the lines by then instead: {fig.remake_cpu:.1f} ms)"
    )
    start_note = "every point's time from the store's step times, the lines' times, the marks"
    return [
        at_most(step_name, fig.step_cpu, None, CURSOR_BUDGET_MS, "ms", note=step_note),
        at_most(f"replay start (R), {where}", fig.build_cpu, None, 100, "ms", note=start_note),
    ]


def main(argv: list[str]) -> int:
    return run_standalone("chart", argv, run)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
