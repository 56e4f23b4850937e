"""Handing a run to the dashboard's chart: its columns (the store's arrays, by reference),
cycle boundaries, resume points, and what the cursor needs besides (times, start, labels)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from axom_tui.base.sanitize import clean_text
from axom_tui.store.metric_series import METRIC_COLUMNS
from axom_tui.store.resume_points import resume_points

if TYPE_CHECKING:
    from axom_tui.store.run_state import RunState
    from axom_tui.ui.widgets.metric_chart import MetricChart


def chart_meta(run: RunState) -> dict[str, Any]:
    """What the chart's cursor needs of a run besides its columns."""
    series = run.metrics
    started = run.job.started_at if run.job is not None else None

    def label_at(step: int) -> tuple[int | None, str | None]:
        phase = series.phase_at(step)  # server text: made safe before it is shown
        return series.cycle_at(step), clean_text(phase, 24) if phase is not None else None

    return {
        "stamps": series.times,
        "start": started.timestamp() if started else None,
        "label_at": label_at,
    }


def feed_chart(chart: MetricChart, run: RunState) -> None:
    series = run.metrics
    chart.set_data(
        series.steps,
        {name: series.column(name) for name in METRIC_COLUMNS},
        series.cycle_boundaries(),
        resume_points(run.events, series.steps, series.resume_points),
        run.version,
        **chart_meta(run),
    )
    if chart.can_be_seen:
        chart.redraw()  # now, in this flush's frame (changes come at most 4 times a second)
