"""`axom-tui jobs`: the dashboard's job list as plain text, one run a line.

The list endpoint carries status and progress but not a run's loss or cost, which the
dashboard learns from each run's result and metrics. So do we, once: a finished run's
result (its final loss and cost), and for any other run that has started the last
:data:`TAIL_STEPS` steps of metrics (the latest loss, smoothed as the dashboard smooths
it, and the step rate the ETA comes from, on the server's clock). That is one request
per run, :data:`CONCURRENCY` at a time, within :data:`DEADLINE`; one that fails (or is not
answered in time) leaves its cells at "—".

A big account's finished runs are most of it and never change: 5,000 runs once cost
5,000 requests. Every live run is asked for (its loss and ETA move), and of the finished
ones the newest :data:`FINISHED_DETAILS` (the list is newest first), as the dashboard
does; ``--details`` asks for every run's, and a line on stderr says what was left out.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from axom_tui.api.errors import AxomError
from axom_tui.api.records import KNOWN_STATUSES, Job, MetricPoint, MetricsPage, Result
from axom_tui.base.sanitize import clean_text
from axom_tui.view import format as fmt
from axom_tui.view.derive import ServerClock, elapsed_seconds, progress_of, smoothed_tail

TAIL_STEPS = 200
CONCURRENCY = 8
FINISHED_DETAILS = 50  # finished runs whose figures are asked for unless --details
DEADLINE = 60.0  # seconds for all the figures; what is not answered by then shows "—"
MIN_RATE_SPAN = 5.0  # seconds of server time the tail must span for an ETA
ETA_STATUSES = frozenset({"running", "checkpointing", "uploading"})
NAME_MIN, NAME_MAX = 4, 60


class RunSource(Protocol):
    async def get_metrics(self, job_id: str, since_step: int | None = None) -> MetricsPage: ...

    async def get_result(self, job_id: str) -> Result | None: ...


@dataclass(frozen=True, slots=True)
class Listed:
    """One run and what the dashboard's list shows of it beyond the job record."""

    job: Job
    loss: float | None = None
    cost_usd: float | None = None
    steps_per_second: float | None = None


@dataclass(frozen=True, slots=True)
class Enriched:
    items: list[Listed]
    #: Finished runs whose figures were not asked for (``every`` was False).
    not_asked: int = 0
    #: Runs whose figures did not come within the deadline.
    late: int = 0


def worth_asking(jobs: Sequence[Job], every: bool) -> list[bool]:
    """Whose figures to ask for: every live run, and the newest finished ones."""
    if every:
        return [True] * len(jobs)
    wanted, finished = [], 0
    for job in jobs:
        if job.terminal:
            finished += 1
        wanted.append(not job.terminal or finished <= FINISHED_DETAILS)
    return wanted


async def enrich(
    client: RunSource, jobs: Sequence[Job], every: bool = False, deadline: float = DEADLINE
) -> Enriched:
    """Each job with its loss, cost and step rate, fetched :data:`CONCURRENCY` at a time:
    those :func:`worth_asking` (all of them with ``every``), within ``deadline`` seconds."""
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(job: Job) -> Listed:
        async with gate:
            try:
                return await _details(client, job)
            except AxomError:
                return Listed(job)

    wanted = worth_asking(jobs, every)
    tasks = {
        i: asyncio.ensure_future(one(job)) for i, (job, ask) in enumerate(zip(jobs, wanted)) if ask
    }
    late = 0
    if tasks:
        _, pending = await asyncio.wait(tasks.values(), timeout=deadline)
        late = len(pending)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
    items = [_answer(tasks.get(i), job) for i, job in enumerate(jobs)]
    return Enriched(items, not_asked=len(jobs) - len(tasks), late=late)


def _answer(task: asyncio.Task[Listed] | None, job: Job) -> Listed:
    return task.result() if task is not None and not task.cancelled() else Listed(job)


async def _details(client: RunSource, job: Job) -> Listed:
    if job.status == "completed":
        result = await client.get_result(job.id)
        if result is not None and result.loss_final is not None:
            return Listed(job, loss=result.loss_final, cost_usd=result.cost_usd)
        cost = result.cost_usd if result is not None else None
        return Listed(job, loss=await _tail_loss(client, job), cost_usd=cost)
    if not job.latest_step:
        return Listed(job)  # not started: nothing to show yet
    page = await client.get_metrics(job.id, since_step=_tail_start(job))
    losses = [p.loss for p in page.points]
    return Listed(job, loss=smoothed_tail(losses), steps_per_second=_rate(page.points))


async def _tail_loss(client: RunSource, job: Job) -> float | None:
    if not job.latest_step:
        return None
    page = await client.get_metrics(job.id, since_step=_tail_start(job))
    return smoothed_tail([p.loss for p in page.points])


def _tail_start(job: Job) -> int | None:
    start = (job.latest_step or 0) - TAIL_STEPS
    return start if start > 0 else None  # since_step is exclusive; None: from the first


def _rate(points: Sequence[MetricPoint]) -> float | None:
    stamped = [p for p in points if p.ts is not None]
    if len(stamped) < 2:
        return None
    first, last = stamped[0], stamped[-1]
    assert first.ts is not None and last.ts is not None
    span = (last.ts - first.ts).total_seconds()
    if span < MIN_RATE_SPAN or last.step <= first.step:
        return None
    return (last.step - first.step) / span


HEADERS = ("ID", "NAME", "TYPE", "STATUS", "PROGRESS", "LOSS", "RETRIES", "ELAPSED", "ETA", "COST")
RIGHT = frozenset({"PROGRESS", "LOSS", "RETRIES", "ELAPSED", "ETA", "COST"})


def eta_of(item: Listed) -> float | None:
    """Seconds to go at the tail's step rate (None: not training, or no rate)."""
    job = item.job
    progress = progress_of(job, None)
    if (
        job.status in ETA_STATUSES
        and item.steps_per_second
        and progress.step is not None
        and progress.total
    ):
        return max(0.0, (progress.total - progress.step) / item.steps_per_second)
    return None


def derived(item: Listed, now: datetime) -> dict[str, object]:
    """What `jobs --json` adds beside the record: the figures the dashboard's list shows."""
    progress = progress_of(item.job, None)
    return {
        "loss": item.loss,
        "progress": progress.fraction,
        "elapsed_s": elapsed_seconds(item.job, now),
        "eta_s": 0.0 if item.job.status == "completed" else eta_of(item),
        "cost_usd": item.cost_usd,
        "steps_per_second": item.steps_per_second,
    }


def server_now(items: Sequence[Listed]) -> datetime:
    """Now on the server's clock, as far as the records say (elapsed times count it)."""
    clock = ServerClock()
    for item in items:
        clock.observe(item.job)
    return clock.now()


def parse_statuses(text: str) -> str:
    """``--status``: one status or several, comma-separated, each one the contract lists;
    ValueError (a usage error) names any other rather than sending it to the server."""
    wanted = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [part for part in wanted if part not in KNOWN_STATUSES]
    if not wanted or unknown:
        raise ValueError(
            f"unknown status {', '.join(map(repr, unknown)) or repr(text)}; "
            f"choose from {', '.join(KNOWN_STATUSES)} (comma-separated for several)"
        )
    return ",".join(dict.fromkeys(wanted))


def cells(item: Listed, now: datetime) -> tuple[str, ...]:
    job = item.job
    progress = progress_of(job, None)
    eta = eta_of(item)
    return (
        clean_text(job.id, 40)[:8],
        clean_text(job.display_name, NAME_MAX),
        clean_text(job.type, 12),
        clean_text(job.status, 16),
        progress.label(),
        fmt.metric(item.loss),
        str(job.retries),
        fmt.duration(elapsed_seconds(job, now)),
        "done" if job.status == "completed" else fmt.duration(eta),
        fmt.money(item.cost_usd),
    )


def table(items: Sequence[Listed]) -> list[str]:
    """The header and one line per run, columns as wide as their widest cell."""
    now = server_now(items)
    rows = [HEADERS, *(cells(item, now) for item in items)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADERS))]
    widths[1] = max(NAME_MIN, widths[1])
    lines = []
    for row in rows:
        parts = [
            cell.rjust(w) if head in RIGHT else cell.ljust(w)
            for head, cell, w in zip(HEADERS, row, widths)
        ]
        lines.append("  ".join(parts).rstrip())
    return lines
