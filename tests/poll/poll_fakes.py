"""A fake Fusion API client for scheduler tests, and a harness that runs the scheduler
in virtual time (VirtualClock)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from axom_tui.api.errors import NotFoundError
from axom_tui.api.issues import Listing
from axom_tui.api.records import (
    Event,
    Job,
    LogLine,
    LogsPage,
    MetricPoint,
    MetricsPage,
    Model,
    Overview,
    Result,
)
from axom_tui.poll import PollPolicy, PollScheduler, VirtualClock
from axom_tui.store import RunStore

ErrorRule = Callable[[str, "str | None"], "Exception | None"]


@dataclass
class FakeRun:
    job: Job
    points: list[MetricPoint] = field(default_factory=list)
    lines: list[LogLine] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    result: Result | None = None


class FakeApi:
    """Same async methods as AxomClient; records every call and the concurrency seen."""

    def __init__(
        self,
        clock: VirtualClock,
        latency: float = 0.0,
        metrics_page: int = 500,
        logs_page: int = 1000,
    ) -> None:
        self.clock = clock
        self.latency = latency
        self.metrics_page = metrics_page
        self.logs_page = logs_page
        self.runs: dict[str, FakeRun] = {}
        self.models: list[Model] = []
        self.calls: list[tuple[float, str, str | None]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._active: Counter[tuple[str, str | None]] = Counter()
        self.max_same_feed = 0
        self.errors: list[ErrorRule] = []  # first rule returning an exception wins
        self.filters = False  # honour ?status= (several, comma-separated)
        self.pages = False  # page the job list (next / ?cursor=)
        self.list_requests: list[tuple[str | None, str | None]] = []  # (status, cursor)
        self.stalls: Counter[str] = Counter()  # method -> how many next calls never answer

    # ------------------------------------------------------------ world editing

    def add_run(
        self, job_id: str, status: str = "running", steps: int = 0, lines: int = 0, **job_fields
    ) -> FakeRun:
        run = FakeRun(Job(id=job_id, status=status, latest_step=steps, **job_fields))
        self.runs = {job_id: run, **self.runs}  # newest first
        self.add_points(job_id, range(1, steps + 1))
        self.add_lines(job_id, lines)
        return run

    def add_points(self, job_id: str, steps, loss: float = 1.0) -> None:
        run = self.runs[job_id]
        run.points.extend(MetricPoint(step=s, loss=loss, cycle=1, phase="train") for s in steps)
        if run.points:
            run.job = dataclasses.replace(run.job, latest_step=max(p.step for p in run.points))

    def add_lines(self, job_id: str, count: int) -> None:
        run = self.runs[job_id]
        start = len(run.lines)
        run.lines.extend(
            LogLine(seq=start + i + 1, text=f"line {start + i + 1}") for i in range(count)
        )

    def set_status(self, job_id: str, status: str, **job_fields) -> None:
        run = self.runs[job_id]
        run.job = dataclasses.replace(run.job, status=status, **job_fields)

    # ------------------------------------------------------------ call accounting

    def count(
        self, method: str | None = None, job_id: str | None = None, since: float | None = None
    ) -> int:
        return sum(
            1
            for t, m, j in self.calls
            if (method is None or m == method)
            and (job_id is None or j == job_id)
            and (since is None or t >= since)
        )

    def times(self, method: str, job_id: str | None = None) -> list[float]:
        return [t for t, m, j in self.calls if m == method and j == job_id]

    async def _call(self, method: str, job_id: str | None) -> None:
        self.calls.append((self.clock.now(), method, job_id))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        self._active[(method, job_id)] += 1
        self.max_same_feed = max(self.max_same_feed, self._active[(method, job_id)])
        try:
            if self.stalls[method] > 0:
                self.stalls[method] -= 1
                await self.clock.sleep(1e9)  # a body that never ends
            if self.latency > 0:
                await self.clock.sleep(self.latency)
            else:
                await asyncio.sleep(0)
            for rule in self.errors:
                exc = rule(method, job_id)
                if exc is not None:
                    raise exc
            if job_id is not None and job_id not in self.runs:
                raise NotFoundError(f"GET {method}", "not found (404): no such job")
        finally:
            self.in_flight -= 1
            self._active[(method, job_id)] -= 1

    # ------------------------------------------------------------ the client API

    async def list_jobs(
        self, status: str | None = None, limit: int | None = None, cursor: str | None = None
    ) -> Listing[Job]:
        """Newest first. Like a simple server, it ignores ``status`` unless ``filters``;
        pages (``next``) only when ``pages``."""
        await self._call("list_jobs", None)
        self.list_requests.append((status, cursor))
        jobs = [run.job for run in self.runs.values()]
        if status and self.filters:
            wanted = set(status.split(","))
            jobs = [job for job in jobs if job.status in wanted]
        start = int(cursor) if cursor else 0
        if not self.pages:
            return Listing(jobs[:limit] if limit else jobs)
        end = start + (limit or 50)
        return Listing(jobs[start:end], next=str(end) if end < len(jobs) else None)

    async def get_job(self, job_id: str) -> Job:
        await self._call("get_job", job_id)
        return self.runs[job_id].job

    async def get_metrics(self, job_id: str, since_step: int | None = None) -> MetricsPage:
        await self._call("get_metrics", job_id)
        run = self.runs[job_id]
        points = sorted(
            (p for p in run.points if since_step is None or p.step > since_step),
            key=lambda p: p.step,
        )[: self.metrics_page]
        return MetricsPage(job_id, run.job.latest_step, points)

    async def get_logs(self, job_id: str, since: int | None = None) -> LogsPage:
        await self._call("get_logs", job_id)
        run = self.runs[job_id]
        lines = [l for l in run.lines if since is None or l.seq > since][: self.logs_page]
        return LogsPage(job_id, len(run.lines), lines)

    async def get_events(self, job_id: str) -> list[Event]:
        await self._call("get_events", job_id)
        return list(self.runs[job_id].events)

    async def get_result(self, job_id: str) -> Result | None:
        await self._call("get_result", job_id)
        return self.runs[job_id].result

    async def list_models(self) -> list[Model]:
        await self._call("list_models", None)
        return list(self.models)

    async def overview(self, days: int = 30) -> Overview:
        await self._call("overview", None)
        return Overview(active_runs=len(self.runs), period_days=days)


class Harness:
    """A scheduler over a FakeApi, run in virtual time."""

    def __init__(
        self, policy: PollPolicy | None = None, latency: float = 0.0, seed: int = 1, **api_options
    ) -> None:
        import random

        self.clock = VirtualClock(start=1000.0)
        self.api = FakeApi(self.clock, latency=latency, **api_options)
        self.store = RunStore(clock=self.clock.now)
        self.scheduler = PollScheduler(
            self.api,
            self.store,
            policy=policy or PollPolicy(),
            clock=self.clock,
            rng=random.Random(seed),
        )
        self._task: asyncio.Task[None] | None = None

    @property
    def now(self) -> float:
        return self.clock.now()

    async def start(self) -> None:
        self._task = asyncio.create_task(self.scheduler.run())
        await self.clock.settle()

    async def advance(self, seconds: float) -> None:
        await self.clock.advance(seconds)

    async def stop(self) -> None:
        self.scheduler.stop()
        if self._task is not None:
            await self._task

    async def __aenter__(self) -> Harness:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


def fail_when(h: Harness, exc_factory, method: str | None = None, job_id: str | None = None):
    """Make matching calls raise while switch["on"]; return the switch."""
    switch = {"on": True}

    def rule(m: str, j: str | None):
        if switch["on"] and (method is None or m == method) and (job_id is None or j == job_id):
            return exc_factory()
        return None

    h.api.errors.append(rule)
    return switch
