"""Scheduler bookkeeping: the state of each feed, and what the scheduler knows of each run."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from axom_tui.api.records import Event
from axom_tui.store.health import FeedKey
from axom_tui.store.vocab import FeedKind

JOBS_KEY = FeedKey(FeedKind.LIST)  # the job list
MODELS_KEY = FeedKey(FeedKind.MODELS)
OVERVIEW_KEY = FeedKey(FeedKind.OVERVIEW)

#: The endpoint behind each feed kind, for messages.
ENDPOINTS: dict[str, str] = {
    FeedKind.LIST: "GET /jobs",
    FeedKind.MODELS: "GET /models",
    FeedKind.OVERVIEW: "GET /overview",
    FeedKind.JOB: "GET /jobs/{id}",
    FeedKind.METRICS: "GET /jobs/{id}/metrics",
    FeedKind.LOGS: "GET /jobs/{id}/logs",
    FeedKind.EVENTS: "GET /jobs/{id}/events",
    FeedKind.RESULT: "GET /jobs/{id}/result",
    FeedKind.TAIL: "GET /jobs/{id}/metrics",
}


@dataclass
class FeedState:
    key: FeedKey
    #: A request for this feed is running (never two at once).
    in_flight: bool = False
    #: Consecutive failures (drives the backoff); reset by a success.
    failures: int = 0
    #: A trigger (focus, refresh, status change, catch-up) asked for a fetch not done yet.
    owed: bool = False
    #: Asked for again while in flight: go again as soon as the current poll ends.
    rerun: bool = False
    #: Terminal run: the final fetch is done; this feed is never polled again.
    finished: bool = False
    #: The poll in flight (or last) started after the run was known to be terminal.
    launched_terminal: bool = False
    #: Asks for a result that was not there yet (drives the result retry delay).
    result_attempts: int = 0
    #: When the poll in flight was launched (the scheduler's clock).
    launched_at: float = 0.0
    #: The poll in flight, so that it can be cancelled (deadline, refresh).
    task: asyncio.Task[None] | None = None
    #: Why the scheduler cancelled the poll in flight: "deadline" or "restart".
    cancelled_for: str | None = None


@dataclass
class RunTrack:
    """The scheduler's view of one run: status, cursors, and history of this session."""

    job_id: str
    status: str | None = None
    retries: int | None = None
    #: ``since_step`` for the next metrics poll: normally the last step held, rewound
    #: after a preemption so the re-sent steps are fetched (newest value wins).
    metrics_cursor: int | None = None
    #: ``since`` for the next logs poll: the last seq held.
    logs_cursor: int | None = None
    #: This session saw the run before it finished (its final metrics are worth fetching).
    seen_live: bool = False
    #: The API answered 404: the run was deleted; its feeds are stopped.
    gone: bool = False
    #: Its result is fetched without its being looked at (it finished this session, or is
    #: among the newest finished runs listed at start).
    wants_result: bool = True
    #: The cursors came from the run cache: nobody watched the run between then and its
    #: next record, so a preemption may have come and gone unseen.
    unwatched: bool = False


def rewind_after_preemptions(
    events: list[Event], preemptions: int, cursor: int | None
) -> int | None:
    """Where to restart the metrics cursor after ``preemptions`` new preemptions.

    Each resume re-sends the steps after the checkpoint that preceded the preemption,
    so restart from the earliest such checkpoint (None: from the start, when a
    preemption came before any checkpoint we know of).
    """
    if cursor is None or preemptions <= 0:
        return cursor
    preempted_at = [i for i, event in enumerate(events) if event.kind == "preempted"]
    if not preempted_at:
        return None
    rewind = cursor
    for index in preempted_at[-preemptions:]:
        raw = [e.payload.get("step") for e in events[:index] if e.kind == "checkpoint"]
        steps = [s for s in raw if isinstance(s, int)]
        if not steps:
            return None
        rewind = min(rewind, steps[-1])
    return rewind


def rewind_metrics_cursor(
    track: RunTrack, latest_step: int | None, retries: int | None, events: list[Event]
) -> None:
    """A new job record arrived: move the metrics cursor back if the run was preempted.

    After a preemption the run resumes from its checkpoint and re-sends the steps after
    it with new values. Signals: ``latest_step`` below the cursor (the run went back),
    or ``retries`` risen (then the checkpoint comes from the events, when held).
    """
    cursor = track.metrics_cursor
    new_preemptions = (retries or 0) - track.retries if track.retries is not None else 0
    unwatched, track.unwatched = track.unwatched, False
    if retries is not None:
        track.retries = retries
    if cursor is None:
        return
    went_back = False
    if latest_step is not None and latest_step < cursor:
        track.metrics_cursor = cursor = latest_step
        went_back = True
    if new_preemptions > 0 and (latest_step is None or any(e.kind == "preempted" for e in events)):
        rewind = rewind_after_preemptions(events, new_preemptions, cursor)
        track.metrics_cursor = None if rewind is None else min(cursor, rewind)
    elif new_preemptions > 0 and unwatched and not went_back:
        # Preempted and resumed past the cursor while nobody watched (the cursor came from
        # the run cache): the steps re-sent since lie after a checkpoint at or after the
        # last one known, so go back to that one (or to the start).
        known = [
            step
            for e in events
            if e.kind == "checkpoint"
            and isinstance(step := e.payload.get("step"), int)
            and step <= cursor
        ]
        track.metrics_cursor = max(known) if known else None
