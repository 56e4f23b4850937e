"""Cached history back into store objects: a MetricSeries, a LogRing.

Normally the store holds nothing of a run yet when its cached history arrives (the
scheduler waits for the cache before fetching it), and the cached columns become the
series as they are (no per-point work). If fetched points are there already, the
cached ones go under them: the fetched value wins for a step both hold.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left

from axom_tui.api.records import Job, LogLine, MetricPoint, MetricsPage
from axom_tui.history import point_times
from axom_tui.history.codec import COLUMNS, LabelRuns, MetricRows
from axom_tui.poll.tail import TAIL_STEPS
from axom_tui.store.csv_export import points_from_series
from axom_tui.store.log_ring import LogRing
from axom_tui.store.metric_series import METRIC_COLUMNS, MetricSeries
from axom_tui.store.step_labels import StepLabels

assert COLUMNS == METRIC_COLUMNS, "the cache's column order is the store's"


def series_from(rows: MetricRows, labels: LabelRuns | None, bad_losses: int) -> MetricSeries:
    step_labels = StepLabels()
    resume: list[int] = []
    if labels is not None:
        step_labels = StepLabels.restore(
            labels.starts, labels.cycles, labels.phases, labels.phase_names
        )
        resume = list(labels.resume_points)
    return MetricSeries.restore(
        rows.steps, dict(zip(COLUMNS, rows.columns)), step_labels, resume, bad_losses, rows.times
    )


def merged_series(cached: MetricSeries, held: MetricSeries) -> MetricSeries:
    """``cached`` under ``held``: the held (fetched) value wins where both have a step."""
    if not len(held):
        return cached
    if not len(cached):
        return held
    cached.merge(points_from_series(held))
    for step in held.resume_points:
        if step not in cached.resume_points:
            cached.resume_points.append(step)
    cached.resume_points.sort()
    cached.changed_from = 0  # the mix is in no file yet
    return cached


def ring_from(cached: list[LogLine], held: LogRing) -> LogRing:
    """A ring of ``held``'s cap: cached lines, then the held ones after them."""
    ring = LogRing(held.cap)
    seqs = {line.seq for line in held}
    ring.append([line for line in cached if line.seq not in seqs] + list(held))
    ring.received = max(ring.received, held.received)
    return ring


def rows_of(series: MetricSeries, start: int = 0) -> MetricRows:
    """A copy of the series' points from index ``start`` on, as the cache stores them."""
    steps = series.steps[start:]
    return MetricRows(
        steps if steps.typecode == "q" else array("q", steps),
        [series.column(name)[start:] for name in METRIC_COLUMNS],
        point_times.clip(series.times, series.steps, start, len(series.steps)),
    )


def labels_of(series: MetricSeries) -> LabelRuns:
    labels = series.labels
    return LabelRuns(
        tuple(labels.starts),
        tuple(labels.cycles),
        tuple(labels.phases),
        tuple(labels.phase_names),
        tuple(series.resume_points),
    )


def tail_page(job_id: str, job: Job | None, rows: MetricRows) -> MetricsPage:
    """The run's last points as the tail request would have brought them (losses only)."""
    last = rows.steps[-1]
    first = bisect_left(rows.steps, last - TAIL_STEPS)
    losses = rows.columns[0]
    points = [MetricPoint(rows.steps[i], losses[i]) for i in range(first, len(rows.steps))]
    latest = job.latest_step if job is not None else last
    return MetricsPage(job_id, latest, points)
