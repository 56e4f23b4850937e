"""Turn a run's event history into lifecycle phases with durations. No Textual."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from axom_tui.api.records import Event, Job
from axom_tui.base.sanitize import clean_text
from axom_tui.view.format import since


@dataclass
class Phase:
    status: str
    start: datetime | None
    end: datetime | None = None
    notes: list[str] = field(default_factory=list)

    def seconds(self, now: datetime) -> float | None:
        return since(self.start, self.end or now)


@dataclass
class Lifecycle:
    submitted: datetime | None
    phases: list[Phase]
    other: list[str]  # unknown event kinds, shown as they are
    preemptions: int
    checkpoints: list[int]


def describe_payload(payload: dict) -> str:
    try:
        text = json.dumps(payload, sort_keys=True, default=str, allow_nan=True)
    except (TypeError, ValueError):
        text = repr(payload)
    return clean_text(text, 120)


def build_lifecycle(events: list[Event], job: Job | None) -> Lifecycle:
    phases: list[Phase] = []
    other: list[str] = []
    checkpoints: list[int] = []
    submitted: datetime | None = None
    preemptions = 0

    def enter(status: str, ts: datetime | None) -> None:
        if phases and phases[-1].end is None:
            phases[-1].end = ts
        phases.append(Phase(status=status, start=ts))

    for event in sorted(events, key=lambda e: (e.ts is None, e.ts or datetime.min)):
        kind = event.kind
        payload = event.payload
        if kind == "submitted":
            submitted = event.ts
        elif kind == "status":
            to = payload.get("to")
            if isinstance(to, str) and to:
                if phases and phases[-1].status == to:
                    continue
                enter(to, event.ts)
        elif kind == "checkpoint":
            step = payload.get("step")
            if isinstance(step, int):
                checkpoints.append(step)
                if phases:
                    phases[-1].notes.append(f"ckpt @{step:,}")
        elif kind == "preempted":
            preemptions += 1
            if not phases or phases[-1].status != "preempted":
                enter("preempted", event.ts)
            retries = payload.get("retries")
            phases[-1].notes.append(f"retry {retries}" if isinstance(retries, int) else "requeued")
        elif kind == "cycle":
            cycle = payload.get("cycle")
            if phases and isinstance(cycle, int):
                phases[-1].notes.append(f"cycle {cycle}")
        elif kind == "error":
            message = payload.get("message")
            if phases:
                phases[-1].notes.append(
                    clean_text(
                        message if isinstance(message, str) else describe_payload(payload), 120
                    )
                )
        elif kind == "completed":
            if not phases or phases[-1].status != "completed":
                enter("completed", event.ts)
        else:
            other.append(f"{clean_text(kind, 30)} {describe_payload(payload)}")

    if job is not None and job.terminal and phases and phases[-1].status != job.status:
        enter(job.status, job.finished_at)
    if phases and phases[-1].status in ("completed", "failed"):
        phases[-1].end = phases[-1].start
    return Lifecycle(submitted, phases, other, preemptions, checkpoints)
