"""A run's :class:`RunState` as it was at a moment of a replay: what the job list row and
the run summary are given instead of the store's (they draw a RunState, so they need no
replay logic of their own). No Textual."""

from __future__ import annotations

from axom_tui.api.records import MetricPoint
from axom_tui.store.metric_series import METRIC_COLUMNS
from axom_tui.store.run_state import RunState
from axom_tui.view.replay import RunReplay

#: Points copied into the as-of series: enough for the "latest loss" EMA (3 x 20).
TAIL = 60


def run_as_of(run: RunState, replay: RunReplay, ts: float) -> RunState:
    """``run`` at ``ts``: its record then, its last points by then, its result only once
    it had ended. The store's own objects are not touched."""
    cut = replay.points_at(ts)
    series = run.metrics
    loss, grad, lr, speed, vram = (series.column(name) for name in METRIC_COLUMNS)
    points = []
    for i in range(max(0, cut - TAIL), min(cut, len(series))):
        step = int(series.steps[i])
        points.append(
            MetricPoint(
                step,
                float(loss[i]),
                float(grad[i]),
                float(lr[i]),
                float(speed[i]),
                float(vram[i]),
                cycle=series.cycle_at(step),
                phase=series.phase_at(step),
            )
        )
    then = RunState(run.job_id, job=replay.job_at(ts))
    then.metrics.merge(points)
    then.events = replay.events_until(ts)
    then.result = run.result if replay.finished_at(ts) else None
    then.feeds = run.feeds
    then.gone = run.gone
    return then
