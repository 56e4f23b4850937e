"""The latest loss of every listed run, one request each, in the first poll rounds.

The job list shows each run's loss, but the job list itself carries none: a background
run's metrics come every 20 s (its first poll spread over that), and a run that finished
before the app started has its metrics fetched only when someone opens it, so its Loss
cell said ``—`` for as long as nobody did. Once, when a run is first listed, its last
few points are asked for (``since_step`` a little below the record's ``latest_step``);
they are kept beside the run's metrics, not merged into them, so the chart never shows
a stray fragment and the metrics cursor still starts from the beginning.
"""

from __future__ import annotations

from axom_tui.api.records import Job
from axom_tui.store.vocab import FeedKind

TAIL_KIND = FeedKind.TAIL
#: How far below ``latest_step`` the tail starts: points need not come every step (the
#: simulator sends one every 10), and a few dozen make a steady smoothed figure.
TAIL_STEPS = 200


def tail_since(latest_step: int | None) -> int | None:
    """``since_step`` for a run's tail; None when the run has no steps yet."""
    if latest_step is None or latest_step <= 0:
        return None
    return max(0, latest_step - TAIL_STEPS)


def wants_tail(job: Job | None, on_screen: bool, has_metrics: bool) -> bool:
    """A run just listed needs its tail unless its metrics come anyway (on screen) or are
    held already, it has no steps to show, or it completed (its result, fetched anyway,
    has the final loss)."""
    if job is None or on_screen or has_metrics or job.status == "completed":
        return False
    return tail_since(job.latest_step) is not None
