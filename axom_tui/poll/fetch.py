"""FeedFetcher: one request for one feed, applied to the store.

Knows which client method serves each feed kind and how its cursor moves; knows
nothing about timing. Errors propagate to the scheduler, and because a response is
applied only after it parsed, a failed poll never touches data already held.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from axom_tui.api.errors import ClientError
from axom_tui.api.issues import CLEAN, ParseIssues
from axom_tui.api.records import Event, Job, LogsPage, MetricsPage, Model, Overview, Result
from axom_tui.poll.feeds import RunTrack
from axom_tui.poll.history_hook import RunHistory
from axom_tui.poll.job_listing import JobListing, is_waiting_or_active
from axom_tui.poll.policy import PollPolicy
from axom_tui.poll.tail import tail_since
from axom_tui.store.health import FeedKey
from axom_tui.store.run_store import JobChange, RunStore
from axom_tui.store.vocab import FeedKind


class PollClient(Protocol):
    """The part of :class:`~axom_tui.api.client.AxomClient` the scheduler uses."""

    async def list_jobs(
        self, status: str | None = None, limit: int | None = None, cursor: str | None = None
    ) -> list[Job]: ...
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
    #: Job list: the runs a finished pass listed (None: the pass goes on).
    listed: frozenset[str] | None = None
    #: Job list: runs whose own record to ask for at once (they left the active list).
    recheck: frozenset[str] = frozenset()
    #: What the answer left out (items skipped, fields left empty).
    issues: ParseIssues = CLEAN


class FeedFetcher:
    def __init__(
        self,
        client: PollClient,
        store: RunStore,
        policy: PollPolicy,
        history: RunHistory | None = None,
        now: Callable[[], float] | None = None,
    ) -> None:
        import time

        self.client = client
        self.store = store
        self.policy = policy
        self.history = history
        self.now = now or time.monotonic
        self.listing = JobListing(
            policy.jobs_full_list, policy.jobs_full_list_per_page, policy.jobs_list_limit
        )

    async def fetch(self, key: FeedKey, track: RunTrack | None) -> FetchOutcome:
        kind = key.kind
        if kind == FeedKind.LIST:
            return await self._job_list()
        if kind == FeedKind.MODELS:
            models = await self.client.list_models()
            self.store.apply_models(models)
            return FetchOutcome(issues=_issues(models))
        if kind == FeedKind.OVERVIEW:
            overview = await self.client.overview(days=self.policy.overview_days)
            self.store.apply_overview(overview)
            return FetchOutcome(issues=_issues(overview))
        if track is None or key.job_id is None:
            raise ValueError(f"feed {key} needs a run")
        job_id = key.job_id
        if self.history is not None and kind in (FeedKind.METRICS, FeedKind.LOGS, FeedKind.EVENTS):
            await self.history.ready(job_id)  # fetched data lands on top of cached data
        if kind == FeedKind.JOB:
            job = await self.client.get_job(job_id)
            change = self.store.apply_job(job)
            return FetchOutcome(
                job_changes=[change] if change is not None else [], issues=_issues(job)
            )
        if kind == FeedKind.METRICS:
            return await self._metrics(job_id, track)
        if kind == FeedKind.LOGS:
            return await self._logs(job_id, track)
        if kind == FeedKind.TAIL:
            run = self.store.runs.get(job_id)
            since = tail_since(run.job.latest_step if run and run.job else None)
            if since is None:
                return FetchOutcome()
            page = await self.client.get_metrics(job_id, since_step=since)
            self.store.apply_tail(job_id, page)
            return FetchOutcome(issues=page.issues)
        if kind == FeedKind.EVENTS:
            events = await self.client.get_events(job_id)
            self.store.apply_events(job_id, events)
            return FetchOutcome(issues=_issues(events))
        if kind == FeedKind.RESULT:
            result = await self.client.get_result(job_id)
            if result is not None:
                self.store.apply_result(job_id, result)
            return FetchOutcome(result_found=result is not None, issues=_issues(result))
        raise ValueError(f"unknown feed kind {kind!r}")

    async def _job_list(self) -> FetchOutcome:
        """One page of the job list (:mod:`axom_tui.poll.job_listing`)."""
        listing = self.listing
        status, cursor = listing.request(self.now())
        try:
            jobs = await self.client.list_jobs(
                status=status, limit=self.policy.jobs_list_limit, cursor=cursor
            )
        except ClientError as exc:
            if status is not None and cursor is None and exc.status in (400, 422):
                listing.on_refused_filter()
            elif cursor is not None and exc.status in (400, 404, 410, 422):
                listing.on_bad_cursor()
            raise
        full = listing.current is not None and listing.current.full
        changes = self.store.apply_jobs(jobs, at_front=cursor is None)
        page = listing.on_page(
            [job.id for job in jobs],
            [job.status for job in jobs],
            getattr(jobs, "next", None),
            _issues(jobs),
            self.now(),
        )
        outcome = FetchOutcome(more_waiting=page.more, job_changes=changes, issues=listing.issues)
        done = page.finished
        if done is None:
            self.store.set_listing(
                loading=True, complete=listing.complete, truncated=listing.truncated
            )
            return outcome
        listed = frozenset(done.ids)
        outcome.listed = listed
        if full:
            self.store.finish_listing(done.ids)
        if page.covers_active:
            outcome.recheck = frozenset(
                job_id
                for job_id in self.store.unfinished
                if job_id not in listed and is_waiting_or_active(self.store.runs[job_id].status)
            )
        self.store.set_listing(
            loading=False, complete=listing.complete, truncated=listing.truncated
        )
        return outcome

    async def _metrics(self, job_id: str, track: RunTrack) -> FetchOutcome:
        since = track.metrics_cursor
        page = await self.client.get_metrics(job_id, since_step=since)
        self.store.apply_metrics(job_id, page)
        if not page.points:
            return FetchOutcome(issues=page.issues)
        top = max(point.step for point in page.points)
        track.metrics_cursor = next_metrics_cursor(page, since)
        advanced = since is None or (track.metrics_cursor or 0) > since
        # Catch up only while the cursor moves (a confused server cannot loop us), and
        # only when at least one more point can exist: points need not come every step,
        # so latest_step a few steps past the last point is just "between points".
        gap = (page.latest_step if page.latest_step is not None else top) - top
        more = page.more_waiting and advanced and gap >= point_spacing(page, since)
        return FetchOutcome(more_waiting=more, issues=page.issues)

    async def _logs(self, job_id: str, track: RunTrack) -> FetchOutcome:
        since = track.logs_cursor
        page = await self.client.get_logs(job_id, since=since)
        self.store.apply_logs(job_id, page)
        if not page.lines:
            return FetchOutcome(issues=page.issues)
        top = max(line.seq for line in page.lines)
        advanced = since is None or top > since
        track.logs_cursor = top if since is None else max(since, top)
        # A server may answer a capped page with latest_seq == the last line sent: a
        # full page is taken as "more waiting" too.
        capped = len(page.lines) >= self.policy.logs_full_page
        return FetchOutcome(
            more_waiting=advanced and (page.more_waiting or capped), issues=page.issues
        )


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


def _issues(answer: Any) -> ParseIssues:
    issues = getattr(answer, "issues", None)
    return issues if isinstance(issues, ParseIssues) else CLEAN
