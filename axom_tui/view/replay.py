"""Replay: a finished run as it was at any moment of it. No Textual.

The chart's cursor is a moment of a run; replay is the same moment for the whole
dashboard. :class:`RunReplay` is built once from what the store holds of a run (its
record, events, each point's time, each log line's time) and answers, for a moment
(epoch seconds):

* the run's status then, and its record as it would have read (:meth:`job_at`): the
  status the events had reached, the step logged by then, the retries so far, no
  ``finished_at`` before the end;
* the events up to then (the lifecycle pane draws its phases from those);
* how many metric points and log lines had been logged by then (the chart and the log
  pane are cut there);
* where ``[`` / ``]`` go: the run's *marks* (its start, every status change,
  preemption, checkpoint, error and its end), and where a step by time lands.

Point times are the store's (``MetricSeries.times``, exact to 25 ms). Where the points
carry none (a cache written before it kept them), a step's time is estimated from the
moments the run said it was at a step: its start, its checkpoints, its end
(:attr:`RunReplay.estimated` says so, and the scrubber shows "≈").

Every query is a binary search over arrays made when the replay is built
(``bench/chart_bench.py``: a whole replay step on a 200,000-point run, chart and log
pane included, is ~3 ms).
"""

from __future__ import annotations

import dataclasses
import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from axom_tui.api.records import Event, Job
from axom_tui.base.sanitize import clean_text
from axom_tui.view.lifecycle import build_lifecycle

#: A mark this close (s) to the moment counts as "here": ``]`` goes past it.
NEAR = 1e-3
#: A point's time may be this far off (``StepTimes`` keeps them exact to 25 ms).
POINT_SLACK = 0.05
#: ``,``/``.`` step this share of the run; ``{``/``}`` ten times as much.
TIME_STEP = 1 / 200


@dataclass(frozen=True, slots=True)
class Mark:
    """A moment worth stopping at: an event of the run (or its start or end)."""

    ts: float
    kind: str  # "start", "status", "preempted", "checkpoint", "error", "completed", "end", ...
    label: str  # short, clean text: "running", "ckpt @1,000", "error: CUDA out of memory"
    status: str | None = None  # the status it moved the run to, if it did


def epoch(ts: datetime | None) -> float | None:
    return ts.timestamp() if ts is not None else None


def as_datetime(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def _mark_of(event: Event, ts: float) -> Mark | None:
    kind, payload = event.kind, event.payload
    if kind == "status":
        to = payload.get("to")
        if isinstance(to, str) and to:
            status = clean_text(to, 20)
            return Mark(ts, "status", status, status)
        return None
    if kind == "checkpoint":
        step = payload.get("step")
        return Mark(ts, kind, f"ckpt @{step:,}" if isinstance(step, int) else "checkpoint")
    if kind == "preempted":
        return Mark(ts, kind, "preempted", "preempted")
    if kind == "completed":
        return Mark(ts, kind, "completed", "completed")
    if kind == "error":
        message = payload.get("message")
        text = message if isinstance(message, str) else "error"
        return Mark(ts, kind, "error: " + clean_text(text, 60))
    if kind == "cycle":
        cycle = payload.get("cycle")
        return Mark(ts, kind, f"cycle {cycle}" if isinstance(cycle, int) else "cycle")
    if kind == "submitted":
        return Mark(ts, kind, "submitted", "queued")
    return Mark(ts, "other", clean_text(kind, 30))


def _monotone(times: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Times that never go back (a point without a time takes the one before it)."""
    if times.shape[0] == 0:
        return times
    filled = np.where(np.isnan(times), -np.inf, times)
    return np.maximum.accumulate(filled)


class RunReplay:
    """One finished run, to be seen as of any moment between its start and its end."""

    def __init__(
        self,
        job: Job,
        events: Sequence[Event],
        steps: Sequence[int] | npt.ArrayLike,
        point_times: Sequence[float] | npt.ArrayLike | None = None,
        line_times: Sequence[float | None] = (),
        point_slack: float = POINT_SLACK,
    ) -> None:
        self.job = job
        #: How far a point's time may be off (the store's times are exact to 25 ms): a
        #: point this close after a moment counts as logged by then.
        self.point_slack = point_slack
        timed = [(e.ts.timestamp(), i, e) for i, e in enumerate(events) if e.ts is not None]
        timed.sort(key=lambda t: (t[0], t[1]))
        self._events = [e for _, _, e in timed]
        self._event_ts = [t for t, _, _ in timed]
        self._untimed = [e for e in events if e.ts is None]
        self.steps = np.asarray(steps, dtype=np.int64)
        n = self.steps.shape[0]
        given = (
            np.asarray(point_times, dtype=np.float64)[:n]
            if point_times is not None
            else np.full(n, np.nan)
        )
        if given.shape[0] < n:
            given = np.concatenate([given, np.full(n - given.shape[0], np.nan)])
        #: True when the points carry no times and theirs are estimated from the events.
        self.estimated = bool(n) and bool(np.isnan(given).all())
        if self.estimated:
            given = self._estimate(self.steps)
        self.point_ts = _monotone(given)
        line = np.asarray([math.nan if t is None else t for t in line_times], dtype=np.float64)
        self.line_ts = _monotone(line)
        self.start, self.end = self._span()
        self.marks = self._marks()
        self._mark_ts = [m.ts for m in self.marks]

    # ------------------------------------------------------------ building

    def _anchors(self) -> list[tuple[float, float]]:
        """(time, step) pairs the run told of: its start, each time it began running (from
        its last checkpoint: after a checkpoint, or requeued after a preemption), each
        checkpoint (reached when checkpointing began), its end."""
        job = self.job
        pairs: list[tuple[float, int]] = []
        first = int(self.steps[0]) if self.steps.shape[0] else 0
        last = int(self.steps[-1]) if self.steps.shape[0] else 0
        if job.started_at is not None:
            pairs.append((job.started_at.timestamp(), first))
        ckpt, saving_since = first, None
        for t, event in zip(self._event_ts, self._events, strict=True):
            to = event.payload.get("to") if event.kind == "status" else None
            step = event.payload.get("step")
            if to == "running":
                pairs.append((t, ckpt))
            elif to == "checkpointing":
                saving_since = t
            elif event.kind == "checkpoint" and isinstance(step, int):
                pairs.append((saving_since if saving_since is not None else t, step))
                ckpt, saving_since = step, None
        ended = epoch(job.finished_at) or (self._event_ts[-1] if self._event_ts else None)
        if ended is not None:
            pairs.append((ended, job.latest_step if job.latest_step is not None else last))
        pairs.sort()
        # The points held are those of the last time each step was run (a resume re-sends
        # the steps after its checkpoint): from the end back, a pair is kept only below
        # every later step. One step at two moments (the checkpoint a run resumed from)
        # keeps both: the step itself at the first, the steps after it from the second.
        kept: list[tuple[float, float]] = []
        for t, step in reversed(pairs):
            if not kept or step < kept[-1][1]:
                kept.append((t, step))
            elif step == kept[-1][1]:
                kept[-1] = (kept[-1][0], step + 0.5)
                kept.append((t, step))
            elif step == kept[-1][1] - 0.5:
                kept[-1] = (t, step)  # the step reached earlier still
        return kept[::-1]

    def _estimate(self, steps: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        anchors = self._anchors()
        if not anchors:
            return np.full(steps.shape[0], np.nan)
        if len(anchors) == 1:
            return np.full(steps.shape[0], anchors[0][0])
        ts = np.asarray([a[0] for a in anchors])
        at = np.asarray([a[1] for a in anchors], dtype=np.float64)
        return np.interp(steps.astype(np.float64), at, ts)

    def _span(self) -> tuple[float, float]:
        candidates = [
            t
            for t in (
                epoch(self.job.created_at),
                epoch(self.job.started_at),
                self._event_ts[0] if self._event_ts else None,
            )
            if t is not None
        ]
        finite = self.point_ts[np.isfinite(self.point_ts)]
        if finite.shape[0]:
            candidates.append(float(finite[0]))
        start = min(candidates) if candidates else 0.0
        ends = [
            t
            for t in (
                epoch(self.job.finished_at),
                self._event_ts[-1] if self._event_ts else None,
                float(finite[-1]) if finite.shape[0] else None,
                float(self.line_ts[-1])
                if self.line_ts.shape[0] and np.isfinite(self.line_ts[-1])
                else None,
            )
            if t is not None
        ]
        return start, max([start, *ends])

    def _marks(self) -> list[Mark]:
        marks = [Mark(self.start, "start", "start")]
        for t, event in zip(self._event_ts, self._events, strict=True):
            mark = _mark_of(event, t)
            if mark is not None:
                marks.append(mark)
        finished = epoch(self.job.finished_at)
        if self.job.terminal and not any(m.status == self.job.status for m in marks):
            status = clean_text(self.job.status, 20)
            marks.append(Mark(finished or self.end, "status", status, status))
        marks.append(Mark(self.end, "end", "end"))
        marks.sort(key=lambda m: m.ts)
        # Marks of one moment are one stop: "start · submitted · running".
        merged: list[Mark] = []
        for mark in marks:
            last = merged[-1] if merged else None
            if last is None or mark.ts - last.ts > NEAR:
                merged.append(mark)
                continue
            if mark.kind == "end" and last.status is not None:
                continue  # the end is where the last status came: that says more
            labels = last.label.split(" · ")
            merged[-1] = Mark(
                last.ts,
                mark.kind if mark.status is not None else last.kind,
                last.label if mark.label in labels else f"{last.label} · {mark.label}",
                mark.status if mark.status is not None else last.status,
            )
        return merged

    # ------------------------------------------------------------ as of a moment

    def clamp(self, ts: float) -> float:
        return min(self.end, max(self.start, ts))

    def events_until(self, ts: float) -> list[Event]:
        """The events logged by ``ts`` (at the end, also those without a time)."""
        k = bisect_right(self._event_ts, ts + NEAR)
        events = self._events[:k]
        return events + self._untimed if ts >= self.end else events

    def status_at(self, ts: float) -> str:
        if ts >= self.end - NEAR and self.job.terminal:
            return self.job.status
        life = build_lifecycle(self.events_until(ts), None)
        if life.phases:
            return life.phases[-1].status
        return "queued"

    def points_at(self, ts: float) -> int:
        """How many of the run's points had been logged by ``ts``."""
        if ts >= self.end:
            return int(self.point_ts.shape[0])
        return int(np.searchsorted(self.point_ts, ts + self.point_slack, side="right"))

    def resent_later(self, ts: float) -> bool:
        """Whether the run had trained by ``ts`` and a preemption came after: the steps it
        re-sent on resuming replaced the first attempt's (the store keeps the later copy),
        so points logged by then may be missing."""
        ran = any(
            e.kind == "status" and e.payload.get("to") == "running" for e in self.events_until(ts)
        )
        k = bisect_right(self._mark_ts, ts)
        return ran and any("preempted" in (m.kind, m.status) for m in self.marks[k:])

    def step_at(self, ts: float) -> int | None:
        """The last step logged by ``ts`` (None: none yet)."""
        n = self.points_at(ts)
        return int(self.steps[n - 1]) if n else None

    def lines_at(self, ts: float) -> int:
        """How many log lines had been logged by ``ts``."""
        if ts >= self.end:
            return int(self.line_ts.shape[0])
        return int(np.searchsorted(self.line_ts, ts + NEAR, side="right"))

    def mark_at(self, ts: float) -> Mark | None:
        """The mark the moment is on (within a second), else None."""
        k = bisect_left(self._mark_ts, ts - 1.0)
        best = None
        while k < len(self.marks) and self.marks[k].ts <= ts + 1.0:
            if best is None or abs(self.marks[k].ts - ts) < abs(best.ts - ts):
                best = self.marks[k]
            k += 1
        return best

    def job_at(self, ts: float) -> Job:
        """The run's record as it would have read at ``ts``."""
        job = self.job
        status = self.status_at(ts)
        events = self.events_until(ts)
        finished = self.finished_at(ts)
        preempted = sum(1 for e in events if e.kind == "preempted")
        return dataclasses.replace(
            job,
            status=status,
            latest_step=self.step_at(ts),
            retries=job.retries if finished else preempted,
            error=job.error if status == "failed" else None,
            finished_at=job.finished_at if finished else None,
            updated_at=as_datetime(ts),
        )

    def finished_at(self, ts: float) -> bool:
        """Whether the run had ended by ``ts`` (its result exists then)."""
        return self.job.terminal and ts >= self.end - NEAR

    # ------------------------------------------------------------ moving

    def next_mark(self, ts: float) -> Mark | None:
        k = bisect_right(self._mark_ts, ts + NEAR)
        return self.marks[k] if k < len(self.marks) else None

    def prev_mark(self, ts: float) -> Mark | None:
        k = bisect_left(self._mark_ts, ts - NEAR)
        return self.marks[k - 1] if k > 0 else None

    def by_time(self, ts: float, share: float) -> float:
        """The moment ``share`` of the run's span on from ``ts`` (back if negative)."""
        return self.clamp(ts + share * (self.end - self.start))

    def at_fraction(self, fraction: float) -> float:
        """The moment ``fraction`` (0..1) of the way through the run (a click on the bar)."""
        return self.start + min(1.0, max(0.0, fraction)) * (self.end - self.start)

    def fraction(self, ts: float) -> float:
        span = self.end - self.start
        return (self.clamp(ts) - self.start) / span if span > 0 else 1.0
