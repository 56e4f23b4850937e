"""The lifecycle of one run, planned in full at submission.

A :class:`RunSpec` says *what* a run is (type, sizes, hyperparameters, and the
interruptions fate holds for it).  :func:`build_plan` turns it into a
:class:`Plan`: the list of status :class:`Segment` s with their times (relative to
submission) and the run's events.  Everything a client sees about the run's state
at simulated time ``t`` is a lookup into the plan, so it does not depend on how
often, or whether, anyone polled before.

Typical path (contract): queued -> provisioning -> staging -> running <->
checkpointing -> uploading -> completed.  A checkpoint is written at the end of
every cycle.  A preemption (only ever while ``running``) sends the run to
``preempted`` then back to ``queued``; it resumes from its last checkpoint, so
``latest_step`` drops back to that step and the steps after it are trained (and
their metric points sent) again.  ``retries`` rises on each preemption.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from dataclasses import dataclass, field

from .catalog import BASE_STEPS_PER_SEC, LORA_SPEEDUP, REF_PARAMS, TERMINAL


@dataclass(frozen=True)
class Interrupt:
    """Fate: on ``attempt`` (0 = first time running), stop at ``step``."""

    attempt: int
    step: int
    kind: str = "preempt"  # "preempt" | "fail"
    message: str = ""


@dataclass
class RunSpec:
    index: int
    seed: int
    id: str
    model_id: str
    type: str  # train | contract | finetune
    name: str
    base_model_id: str
    base_model_name: str
    dataset_id: str
    dataset_name: str
    hyperparams: dict
    cycles: int
    steps_per_cycle: int
    seq_len: int
    params_before: int
    params_by_cycle: list[int]
    interrupts: tuple[Interrupt, ...] = ()
    features: frozenset[str] = frozenset()  # "nan", "hostile"
    nan_steps: tuple[int, ...] = ()
    region: str = "us-east-2"
    queue_wait: float | None = None  # override of the first queue wait (seconds)

    @property
    def total_steps(self) -> int:
        return self.cycles * self.steps_per_cycle

    @property
    def params_after(self) -> int:
        return self.params_by_cycle[-1]

    def rate(self, cycle: int) -> float:
        """Steps per simulated second while running in ``cycle`` (1-based)."""
        p = self.params_by_cycle[cycle - 1]
        r = BASE_STEPS_PER_SEC * math.sqrt(REF_PARAMS / p)
        return r * LORA_SPEEDUP if self.type == "finetune" else r


@dataclass
class Segment:
    status: str
    t0: float  # relative to submission
    step0: int
    step1: int  # == step0 unless running
    rate: float
    retries: int
    cycle: int
    attempt: int
    t1: float = math.inf

    def time_of(self, step: int) -> float:
        return self.t0 + (step - self.step0) / self.rate

    def step_at(self, rel: float) -> int:
        """Latest step reached at relative time ``rel`` (consistent with time_of)."""
        if self.status != "running" or rel <= self.t0:
            return self.step0
        s = min(self.step1, self.step0 + int((rel - self.t0) * self.rate))
        while s < self.step1 and self.time_of(s + 1) <= rel:
            s += 1
        while s > self.step0 and self.time_of(s) > rel:
            s -= 1
        return s


@dataclass
class Plan:
    segments: list[Segment]
    events: list[tuple[float, str, dict]]  # (relative ts, kind, payload)
    error: str | None
    checkpoints: list[tuple[float, int]] = field(default_factory=list)
    seg_t0: list[float] = field(default_factory=list)
    ev_t: list[float] = field(default_factory=list)

    @property
    def end(self) -> float:
        """Relative time the run reaches a terminal status."""
        return self.segments[-1].t0

    @property
    def final_status(self) -> str:
        return self.segments[-1].status

    def segment_at(self, rel: float) -> Segment:
        i = bisect_right(self.seg_t0, rel) - 1
        return self.segments[max(i, 0)]

    def events_until(self, rel: float) -> int:
        """How many events have happened by ``rel``."""
        return bisect_right(self.ev_t, rel)

    def first(self, status: str) -> Segment | None:
        for s in self.segments:
            if s.status == status:
                return s
        return None


def build_plan(spec: RunSpec) -> Plan:
    rng = random.Random(spec.seed ^ 0x5EED_0F_11FE)
    segs: list[Segment] = []
    events: list[tuple[float, str, dict]] = []
    checkpoints: list[tuple[float, int]] = []
    spc, total = spec.steps_per_cycle, spec.total_steps
    size = spec.params_before / 1e9
    t = 0.0
    retries = 0
    attempt = 0
    ckpt = 0
    error: str | None = None
    status: str | None = None

    def go(to: str, step0: int, step1: int | None = None, rate: float = 1.0, cycle: int = 0):
        nonlocal status
        if status is not None:
            events.append((t, "status", {"from": status, "to": to}))
            segs[-1].t1 = t
        segs.append(
            Segment(to, t, step0, step0 if step1 is None else step1, rate, retries, cycle, attempt)
        )
        status = to

    events.append((0.0, "submitted", {"type": spec.type, "total_steps": total}))
    go("queued", 0)
    interrupts = {i.attempt: i for i in spec.interrupts}
    first_wait = spec.queue_wait
    while True:
        # queued -> provisioning -> staging -> running (again after a preemption)
        t += first_wait if first_wait is not None else rng.uniform(12, 75)
        first_wait = None
        go("provisioning", ckpt)
        t += rng.uniform(25, 110)
        go("staging", ckpt)
        t += rng.uniform(35, 70) + 18 * size
        step = ckpt
        intr = interrupts.get(attempt)
        while True:
            cycle = step // spc + 1
            rate = spec.rate(cycle)
            boundary = cycle * spc
            stop = intr.step if intr and step < intr.step < boundary else None
            go("running", step, stop if stop is not None else boundary, rate, cycle)
            if step % spc == 0:
                params = spec.params_by_cycle[cycle - 1]
                events.append((t, "cycle", {"cycle": cycle, "params": params}))
            end_step = stop if stop is not None else boundary
            t = segs[-1].time_of(end_step)
            if stop is not None:
                assert intr is not None
                if intr.kind == "fail":
                    error = intr.message or f"worker crashed at step {stop}"
                    events.append((t, "error", {"message": error}))
                    go("failed", stop)
                    return _finish(segs, events, error, checkpoints)
                retries += 1
                events.append((t, "preempted", {"retries": retries}))
                go("preempted", ckpt)
                t += rng.uniform(8, 30)
                attempt += 1
                go("queued", ckpt)
                break
            go("checkpointing", boundary, cycle=cycle)
            t += rng.uniform(12, 25) + 6 * size
            ckpt = boundary
            events.append((t, "checkpoint", {"step": boundary}))
            checkpoints.append((t, boundary))
            if boundary >= total:
                go("uploading", total, cycle=cycle)
                t += rng.uniform(30, 60) + 10 * size
                go("completed", total, cycle=cycle)
                events.append((t, "completed", {"model_id": spec.model_id}))
                return _finish(segs, events, None, checkpoints)
            step = boundary


def _finish(segs, events, error, checkpoints) -> Plan:
    plan = Plan(segs, events, error, checkpoints)
    plan.seg_t0 = [s.t0 for s in segs]
    plan.ev_t = [e[0] for e in events]
    return plan


@dataclass
class JobState:
    status: str
    latest_step: int
    retries: int
    error: str | None
    started_rel: float | None
    finished_rel: float | None
    updated_rel: float


def state_at(plan: Plan, rel: float) -> JobState:
    seg = plan.segment_at(rel)
    step = seg.step_at(rel)
    updated = seg.time_of(step) if seg.status == "running" and step > seg.step0 else seg.t0
    first_run = plan.first("running")
    started = first_run.t0 if first_run is not None and first_run.t0 <= rel else None
    terminal = seg.status in TERMINAL
    return JobState(
        status=seg.status,
        latest_step=step,
        retries=seg.retries,
        error=plan.error if seg.status == "failed" else None,
        started_rel=started,
        finished_rel=seg.t0 if terminal else None,
        updated_rel=updated,
    )
