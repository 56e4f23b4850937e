"""Figures derived from a run's state for display: progress, smoothed loss, ETA, elapsed.

No Textual here, so the job table, compare tiles and headless commands share it.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from axom_tui.api.records import ACTIVE_STATUSES, Job
from axom_tui.base.glyphs import dash
from axom_tui.store.run_state import RunState
from axom_tui.view.format import since, utcnow


class ServerClock:
    """The server's notion of "now", from the timestamps it sends.

    Elapsed times are computed against the server's clock, not ours: a skewed local
    clock (or the demo's fast simulated clock) must not produce negative durations.

    Each run seen gives a *lead*: its newest stamp (``updated_at``, else ``started_at``)
    minus our clock when it arrived; the estimate is the lower median of the leads of
    the runs seen in the last ``window`` seconds (of the active ones, when there are
    any: their ``updated_at`` follows the server's now), never below zero (a server
    behind us, or an old stamp, leaves our clock as it is) and ignoring leads beyond
    ``max_lead``. The newest stamp of all used to win, so one job dated 2099 made every
    run's Elapsed 26326d, and one two hours ahead added 2 h to every run.
    """

    def __init__(
        self,
        *,
        window: float = 30.0,
        max_lead: float = 366 * 86400.0,
        now: Callable[[], datetime] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.window = window
        self.max_lead = max_lead
        self._now = now or (lambda: utcnow())  # looked up when called: tests freeze it
        self._monotonic = monotonic
        #: run id -> (our monotonic time when seen, its lead in seconds, active)
        self._leads: dict[str, tuple[float, float, bool]] = {}
        self._lead = 0.0
        self._stale = False  # observed since the last estimate (made when next asked)

    def observe(self, job: Job) -> None:
        """A run's record arrived (or changed). Finished runs say nothing of now (and
        thousands of them arrive with a big account's list)."""
        stamp = job.updated_at or job.started_at
        if stamp is None or job.terminal:
            self._leads.pop(job.id, None)
            return
        lead = (stamp - self._now()) / timedelta(seconds=1)
        if abs(lead) > self.max_lead:
            self._leads.pop(job.id, None)  # a date no clock of this decade would give
            return
        self._leads[job.id] = (self._monotonic(), lead, job.status in ACTIVE_STATUSES)
        self._stale = True

    def _estimate(self) -> None:
        self._stale = False
        horizon = self._monotonic() - self.window
        recent = {key: value for key, value in self._leads.items() if value[0] >= horizon}
        if len(recent) < len(self._leads):
            self._leads = recent
        if not recent:
            return  # nothing new: keep the last estimate
        leads = [lead for _, lead, active in recent.values() if active]
        if not leads:  # only waiting runs: their updated_at is a lower bound of now
            leads = [lead for _, lead, _ in recent.values()]
        leads.sort()
        self._lead = max(0.0, leads[(len(leads) - 1) // 2])

    @property
    def lead(self) -> float:
        """Seconds the server's clock is estimated to be ahead of ours (>= 0)."""
        if self._stale:
            self._estimate()
        return self._lead

    def now(self) -> datetime:
        if self._stale:
            self._estimate()
        local = self._now()
        return local + timedelta(seconds=self._lead) if self._lead else local

    def ahead_by(self) -> float:
        """Seconds the server's clock is ahead of ours (0 when it is not)."""
        return self.lead


#: Statuses whose records time a training step: a queued or staging record's step 0 is
#: the time it was queued, and a rate through it said "2d3h" for a ten-minute run.
TRAINING_STATUSES = frozenset({"running", "checkpointing", "uploading"})


class StepRate:
    """Training steps per second over recent observations, for ETAs. The dashboard
    gives it the server's clock (``ServerClock``), so an ETA counts the same seconds as
    elapsed times and the lifecycle do, also when the server's clock runs fast (the
    demo's, 30 times).

    Only records of a training run count (``TRAINING_STATUSES``); a waiting spell
    (queued, preempted, …) or a pause (checkpointing, uploading) ends a stretch, and the
    rate is steps over seconds summed over the stretches held, so the time spent waiting
    is never taken for slow training.
    No rate until ``min_samples`` observations span ``min_span`` seconds: a rate from
    the first two records swung from hours to minutes.
    """

    def __init__(self, window: float = 600.0, min_span: float = 5.0, min_samples: int = 3) -> None:
        self.window = window
        self.min_span = min_span
        self.min_samples = min_samples
        # (time, step, stretch): consecutive samples of one stretch make one interval
        self._samples: deque[tuple[float, int, int]] = deque(maxlen=32)
        self._stretch = 0
        self._broken = False

    def observe(self, step: int | None, now: float | None = None, status: str = "running") -> None:
        if status not in TRAINING_STATUSES:
            self._broken = True
            return
        if step is None:
            return
        t = time.monotonic() if now is None else now
        if self._samples and step < self._samples[-1][1]:
            self._samples.clear()  # resumed from a checkpoint: old samples no longer apply
        if self._broken:
            self._stretch += 1
            self._broken = False
        if not self._samples or step != self._samples[-1][1]:
            self._samples.append((t, step, self._stretch))
        if status != "running":
            self._broken = True  # a checkpoint's pause is not training time either
        while len(self._samples) > self.min_samples and t - self._samples[0][0] > self.window:
            self._samples.popleft()

    def per_second(self) -> float | None:
        if len(self._samples) < self.min_samples:
            return None
        steps = seconds = 0.0
        samples = list(self._samples)
        for (t0, s0, k0), (t1, s1, k1) in zip(samples, samples[1:]):
            if k0 == k1 and t1 > t0:
                steps += s1 - s0
                seconds += t1 - t0
        if seconds < self.min_span or steps <= 0:
            return None  # too little history for an ETA worth showing
        return steps / seconds


@dataclass(frozen=True, slots=True)
class Progress:
    step: int | None
    total: int | None

    @property
    def fraction(self) -> float | None:
        if self.step is None or not self.total:
            return None
        return max(0.0, min(1.0, self.step / self.total))

    def label(self, percent: bool = True) -> str:
        if self.step is None and self.total is None:
            return dash()
        total = "?" if self.total is None else f"{self.total:,}"
        step = 0 if self.step is None else self.step
        frac = self.fraction
        pct = "" if frac is None or not percent else f" {frac * 100:4.1f}%"
        return f"{step:,}/{total}{pct}"


def progress_of(job: Job | None, last_metric_step: int | None) -> Progress:
    total = job.total_steps if job else None
    candidates = [
        s for s in ((job.latest_step if job else None), last_metric_step) if s is not None
    ]
    step = max(candidates) if candidates else None
    if job is not None and job.status == "completed" and total:
        step = total
    return Progress(step, total)


def smoothed_tail(values, span: int = 20) -> float | None:
    """Debiased EMA over the last ``span``·3 finite values: a steady 'latest loss'."""
    n = len(values)
    if n == 0:
        return None
    alpha = 2.0 / (span + 1)
    ema = 0.0
    weight = 0.0
    for v in values[max(0, n - span * 3) :]:
        if math.isfinite(v):
            ema = (1 - alpha) * ema + alpha * v
            weight = (1 - alpha) * weight + alpha
    return ema / weight if weight else None


def elapsed_seconds(job: Job | None, server_now: datetime) -> float | None:
    if job is None or job.started_at is None:
        return None
    end = job.finished_at if job.terminal and job.finished_at else server_now
    value = since(job.started_at, end)
    return None if value is None else max(0.0, value)


def eta_seconds(progress: Progress, rate: StepRate, status: str) -> float | None:
    if (
        status not in ("running", "checkpointing", "uploading")
        or progress.step is None
        or not progress.total
    ):
        return None
    per_s = rate.per_second()
    if not per_s:
        return None
    return max(0.0, (progress.total - progress.step) / per_s)


def latest_loss(run: RunState) -> float | None:
    """The run's final loss, else its smoothed latest: from the metrics held, or from the
    tail fetched when it was listed while the metrics have not reached that far."""
    result = run.result
    if result is not None and result.loss_final is not None:
        return result.loss_final
    series = run.metrics
    if run.tail_losses and (
        series.last_step is None or run.tail_step is None or series.last_step < run.tail_step
    ):
        return smoothed_tail(run.tail_losses)
    return smoothed_tail(series.column("loss")) if len(series) else None
