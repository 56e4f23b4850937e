"""What of a run the file does not hold yet, and the snapshot that carries it there.

A :class:`RunMark` is what this process knows the file holds of a run: the records
written (by identity), the lowest point index not written, the last log line written,
the cursors written. :func:`cut_snapshot` takes the rest from the store in one go (no
await in between: the cursors belong to the data beside them); the marks move only
when the writer confirms (:class:`Sent`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from axom_tui.api.records import Event, Job, LogLine, Result
from axom_tui.history.restore import labels_of, rows_of
from axom_tui.history.snapshot import Progress, RunSnapshot
from axom_tui.store.run_state import RunState

#: A run's feeds as the scheduler has them: metrics cursor, logs cursor, finished feeds.
Feeds = tuple[int | None, int | None, frozenset[str]]


@dataclass(slots=True)
class RunMark:
    """What the file holds of one run, as far as this process knows."""

    gen: int | None = None
    #: The run's cached history is in the store (or the file had none).
    loaded: bool = False
    #: The scheduler took cursors from the index for it.
    seeded: bool = False
    #: The last record, events and result written (compared by identity).
    job: Job | None = None
    events: list[Event] | None = None
    result: Result | None = None
    #: Lowest index of the store's series not yet written (None: all written).
    metrics_from: int | None = None
    #: Highest log seq written, and the ring's ``received`` count at that moment.
    logs_after: int | None = None
    logs_received: int = 0
    progress: Progress | None = None
    viewed_at: float | None = None
    load: asyncio.Future[None] | None = None


@dataclass(frozen=True, slots=True)
class Sent:
    """What a batch carried of a run: the marks it moves to once the writer confirms."""

    job: Job | None
    events: list[Event] | None
    result: Result | None
    logs_after: int | None
    logs_received: int
    progress: Progress | None


def _lowest(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else min(a, b)


def cut_snapshot(
    job_id: str, run: RunState, mark: RunMark, feeds: Feeds | None
) -> tuple[RunSnapshot, Sent] | None:
    """What ``run`` holds that the file lacks (by ``mark``), with the scheduler's
    ``feeds`` (None: not known, or the run's cached history is not loaded yet); None when
    there is nothing to write."""
    job = run.job if run.job is not mark.job else None
    result = run.result if run.result is not mark.result else None
    events = tuple(run.events) if run.events is not mark.events and run.events else None
    metrics = labels = None
    start = _lowest(mark.metrics_from, run.metrics.take_changed_from())
    if not mark.loaded:
        start = None  # its cached points are not in the store yet: nothing of ours
    if start is not None and len(run.metrics):
        mark.metrics_from = start
        metrics = rows_of(run.metrics, start)
        labels = labels_of(run.metrics)
    ring = run.logs
    logs: tuple[LogLine, ...] = ()
    gap = False
    if (
        mark.loaded
        and ring.last_seq is not None
        and (mark.logs_after is None or ring.last_seq > mark.logs_after)
    ):
        after = mark.logs_after
        fresh = (
            list(ring)
            if after is None
            else [line for line in ring.tail(ring.last_seq - after) if line.seq > after]
        )
        logs = tuple(fresh)
        gap = ring.received - mark.logs_received > len(fresh)
    progress = None
    if feeds is not None:
        m_cursor, l_cursor, finished = feeds
        if gap:  # lines came and went before they were written: fetch them again
            l_cursor, finished = None, finished - {"logs"}
        progress = Progress(m_cursor, l_cursor, finished)
        if progress == mark.progress and metrics is None and not logs:
            progress = None
    viewed, mark.viewed_at = mark.viewed_at, None
    complete = (
        mark.loaded and (start == 0 or not len(run.metrics)) and mark.logs_after is None and not gap
    )
    snap = RunSnapshot(
        job_id, mark.gen, job, events, result, labels, metrics, complete, logs, progress, viewed
    )
    if not snap.has_data and viewed is None:
        return None
    sent = Sent(
        job=run.job,
        events=run.events,
        result=run.result,
        logs_after=logs[-1].seq if logs else mark.logs_after,
        logs_received=ring.received if logs else mark.logs_received,
        progress=progress if progress is not None else mark.progress,
    )
    return snap, sent
