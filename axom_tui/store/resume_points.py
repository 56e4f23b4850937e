"""Where a run resumed after a preemption: from its events, not only from what was seen.

The store marks a resume point when re-sent steps overwrite steps it held, which it
sees only for runs it watched through the preemption. A run preempted before the app
started (or while nobody looked) comes back in one piece, with nothing overwritten, and
its chart had no marker. Its events say it all: a ``preempted`` event, then a return to
``running``, resumes from the last ``checkpoint`` before the preemption. Both sources
are combined; a point seen live is the first step re-sent after the checkpoint an event
names, so it is dropped in favour of that checkpoint.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from datetime import datetime

from axom_tui.api.records import Event


def resumed_from(events: Iterable[Event]) -> list[int]:
    """The checkpoint steps the run resumed from, oldest first (a resume from step 0,
    before any checkpoint, is a restart: no marker)."""
    ordered = sorted(events, key=lambda e: (e.ts is None, e.ts or datetime.min))
    checkpoint = 0
    pending: int | None = None
    out: list[int] = []
    for event in ordered:
        if event.kind == "checkpoint":
            step = event.payload.get("step")
            if isinstance(step, int) and not isinstance(step, bool):
                checkpoint = step
        elif event.kind == "preempted":
            pending = checkpoint
        elif (
            event.kind == "status" and pending is not None and event.payload.get("to") == "running"
        ):
            if pending > 0 and pending not in out:
                out.append(pending)
            pending = None
    return out


def resume_points(
    events: Iterable[Event], steps: Sequence[int], seen: Iterable[int] = ()
) -> list[int]:
    """Every resume point of a run: from its events, plus those seen live (re-sent steps
    overwriting held ones) that no event explains."""
    derived = resumed_from(events)
    explained: set[int] = set()
    for checkpoint in derived:
        for index in (bisect_left(steps, checkpoint), bisect_right(steps, checkpoint)):
            if index < len(steps):
                explained.add(int(steps[index]))
    points = set(derived) | {int(s) for s in seen if s not in explained}
    return sorted(points)
