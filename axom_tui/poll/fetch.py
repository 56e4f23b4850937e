"""FeedFetcher: one request for one feed, applied to the store.

Knows which client method serves each feed kind and how its cursor moves; knows
nothing about timing. Errors propagate to the scheduler, and because a response is
applied only after it parsed, a failed poll never touches data already held.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from axom_tui.api.records import Event, Job, LogsPage, MetricsPage, Model, Overview, Result
from axom_tui.poll.feeds import RunTrack
from axom_tui.poll.history_hook import RunHistory
from axom_tui.poll.policy import PollPolicy
from axom_tui.poll.tail import TAIL_KIND, tail_since
from axom_tui.store.health import FeedKey
from axom_tui.store.run_store import JobChange, RunStore
from axom_tui.store.vocab import FeedKind


class PollClient(Protocol):
    """The part of :class:`~axom_tui.api.client.AxomClient` the scheduler uses."""

    async def list_jobs(self, status: str | None = None, limit: int | None = None) -> list[Job]: ...
    async def get_job(self, job_id: str) -> Job: ...
    async def get_metrics(self, job_id: str, since_step: int | None = None) -> MetricsPage: ...
    async def get_logs(self, job_id: str, since: int | None = None) -> LogsPage: ...
    async def get_events(self, job_id: str) -> list[Event]: ...
    async def get_result(self, job_id: str) -> Result | None: ...
    async def list_models(self) -> list[Model]: ...
    async def overview(self, days: int = 30) -> Overview: ...


@dataclass
class FetchOutcome:
    #: The server holds more (metrics/logs catch-up): poll this feed again at once.
    more_waiting: bool = False
    #: Job records that changed (job list or one job).
    job_changes: list[JobChange] = field(default_factory=list)
    #: Result feed: whether the result exists yet.
    result_found: bool = False
    #: Job list: the runs it listed.
    listed: frozenset[str] = frozenset()


class FeedFetcher:
    def __init__(self, client: PollClient, store: RunStore, policy: PollPolicy,
                 history: RunHistory | None = None) -> None:
        self.client = client
        self.store = store
        self.policy = policy
        self.history = history

    async def fetch(self, key: FeedKey, track: RunTrack | None) -> FetchOutcome:
        kind = key.kind
        if kind == FeedKind.LIST:
            jobs = await self.client.list_jobs(limit=self.policy.jobs_list_limit)
            return FetchOutcome(job_changes=self.store.apply_jobs(jobs),
                                listed=frozenset(job.id for job in jobs))
        if kind == FeedKind.MODELS:
            self.store.apply_models(await self.client.list_models())
            return FetchOutcome()
        if kind == FeedKind.OVERVIEW:
            self.store.apply_overview(await self.client.overview(days=self.policy.overview_days))
            return FetchOutcome()
        if track is None or key.job_id is None:
            raise ValueError(f"feed {key} needs a run")
        job_id = key.job_id
        if self.history is not None and kind in (FeedKind.METRICS, FeedKind.LOGS, FeedKind.EVENTS):
            await self.history.ready(job_id)  # fetched data lands on top of cached data
        if kind == FeedKind.JOB:
            change = self.store.apply_job(await self.client.get_job(job_id))
            return FetchOutcome(job_changes=[change] if change is not None else [])
        if kind == FeedKind.METRICS:
            return await self._metrics(job_id, track)
        if kind == FeedKind.LOGS:
            return await self._logs(job_id, track)
        if kind == FeedKind.TAIL:
            run = self.store.runs.get(job_id)
            since = tail_since(run.job.latest_step if run and run.job else None)
            if since is not None:
                self.store.apply_tail(job_id, await self.client.get_metrics(job_id, since_step=since))
            return FetchOutcome()
        if kind == FeedKind.EVENTS:
            self.store.apply_events(job_id, await self.client.get_events(job_id))
            return FetchOutcome()
        if kind == FeedKind.RESULT:
            result = await self.client.get_result(job_id)
            if result is not None:
                self.store.apply_result(job_id, result)
            return FetchOutcome(result_found=result is not None)
        raise ValueError(f"unknown feed kind {kind!r}")

    async def _metrics(self, job_id: str, track: RunTrack) -> FetchOutcome:
        since = track.metrics_cursor
        page = await self.client.get_metrics(job_id, since_step=since)
        self.store.apply_metrics(job_id, page)
        if not page.points:
            return FetchOutcome()
        top = max(point.step for point in page.points)
        track.metrics_cursor = next_metrics_cursor(page, since)
        advanced = since is None or (track.metrics_cursor or 0) > since
        # Catch up only while the cursor moves (a confused server cannot loop us), and
        # only when at least one more point can exist: points need not come every step,
        # so latest_step a few steps past the last point is just "between points".
        gap = (page.latest_step if page.latest_step is not None else top) - top
        more = page.more_waiting and advanced and gap >= point_spacing(page, since)
        return FetchOutcome(more_waiting=more)

    async def _logs(self, job_id: str, track: RunTrack) -> FetchOutcome:
        since = track.logs_cursor
        page = await self.client.get_logs(job_id, since=since)
        self.store.apply_logs(job_id, page)
        if not page.lines:
            return FetchOutcome()
        top = max(line.seq for line in page.lines)
        advanced = since is None or top > since
        track.logs_cursor = top if since is None else max(since, top)
        # A server may answer a capped page with latest_seq == the last line sent: a
        # full page is taken as "more waiting" too.
        capped = len(page.lines) >= self.policy.logs_full_page
        return FetchOutcome(more_waiting=advanced and (page.more_waiting or capped))


def next_metrics_cursor(page: MetricsPage, since: int | None) -> int | None:
    """The ``since_step`` to send next: the last step received, but never past the
    server's own ``latest_step``.

    Points beyond ``latest_step`` can only be left over from before a preemption (the
    run resumed from its checkpoint and will send those steps again with new values),
    so they are merged but asked for again until the run has re-done them.
    """
    steps = [point.step for point in page.points]
    if page.latest_step is not None:
        steps = [step for step in steps if step <= page.latest_step]
    if not steps:
        return since
    return max(steps) if since is None else max(since, max(steps))


def point_spacing(page: MetricsPage, since: int | None) -> int:
    """Smallest step gap between the points of a page (or from the cursor), at least 1."""
    steps = sorted({point.step for point in page.points})
    if since is not None and since < steps[0]:
        steps.insert(0, since)
    gaps = [b - a for a, b in zip(steps, steps[1:])]
    return max(1, min(gaps)) if gaps else 1
