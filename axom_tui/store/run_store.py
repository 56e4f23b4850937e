"""RunStore: the truth the UI shows.

Only the poll scheduler writes here (through the ``apply_*`` and ``record_*``
methods); the UI reads attributes and drains coalesced changes. Nothing held is ever
dropped because of an error: a failed poll only updates that feed's health. Unreadable
responses never get here (the API client raises instead); what a readable one left out
(items skipped, fields left empty) comes with ``record_ok`` and is shown, and a field an
answer left empty keeps the value held before.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from axom_tui.api.issues import CLEAN, ParseIssues
from axom_tui.api.records import Event, Job, LogLine, LogsPage, MetricsPage, Model, Overview, Result
from axom_tui.store.changes import ChangeSet, ChangeTracker
from axom_tui.store.health import ConnectionState, ConnectionStatus, FeedHealth, FeedKey
from axom_tui.store.log_ring import DEFAULT_LOG_CAP, LogRing
from axom_tui.store.metric_series import MetricSeries
from axom_tui.store.run_state import RunState
from axom_tui.store.vocab import CURSOR_FEEDS, FeedKind, GlobalAspect, RunAspect


class JobChange(NamedTuple):
    """A run's job record changed: ``before`` is None for a run seen for the first time."""

    job_id: str
    before: Job | None
    after: Job

    @property
    def status_changed(self) -> bool:
        return self.before is not None and self.before.status != self.after.status


@dataclasses.dataclass(frozen=True)
class ListingState:
    """How much of the account's job list is held (the job list pane shows it)."""

    #: A full pass through every page has finished.
    complete: bool = False
    #: Pages are being fetched.
    loading: bool = False
    #: The last full pass ended on a page as long as the limit without a next cursor.
    truncated: bool = False


class RunStore:
    def __init__(
        self, *, log_cap: int = DEFAULT_LOG_CAP, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.log_cap = log_cap
        self.clock = clock
        self.runs: dict[str, RunState] = {}
        #: Job ids, newest first as the job list gives them; runs the list no longer
        #: returns stay, after those it does.
        self.order: list[str] = []
        self.models: list[Model] = []
        self.overview: Overview | None = None
        self.connection = ConnectionState()
        #: Health of the global feeds (the job list, models, overview).
        self.global_feeds: dict[FeedKind, FeedHealth] = {}
        #: Feeds failing persistently or leaving items out (the header counts them).
        self.problems: dict[FeedKey, FeedHealth] = {}
        #: Runs whose status is not terminal (kept as records arrive: a few dozen of a
        #: big account, which the job list's passes check without walking every run).
        self.unfinished: set[str] = set()
        self.listing = ListingState()
        self._model_by_job: dict[str, Model] = {}
        self._changes = ChangeTracker()

    # ------------------------------------------------------------ change notification

    def set_dirty_callback(self, callback: Callable[[], None] | None) -> None:
        """``callback()`` runs once each time the store goes from clean to dirty."""
        self._changes.set_callback(callback)

    def drain_changes(self) -> ChangeSet:
        """Return and clear the pending changes."""
        return self._changes.drain()

    @property
    def has_changes(self) -> bool:
        return self._changes.dirty

    def add_change_listener(self, listener: Callable[[str | None, str], None]) -> None:
        """``listener(job_id or None, aspect)`` on every change, as it happens (the run
        cache writes behind the store from these)."""
        self._changes.add_listener(listener)

    def _changed(self, job_id: str, aspect: RunAspect) -> None:
        run = self.runs[job_id]
        run.version += 1
        run.last_update = self.clock()
        self._changes.mark_run(job_id, aspect)

    # ------------------------------------------------------------ reading

    def run(self, job_id: str) -> RunState | None:
        return self.runs.get(job_id)

    def ensure_run(self, job_id: str) -> RunState:
        run = self.runs.get(job_id)
        if run is None:
            run = self.runs[job_id] = RunState(job_id=job_id, logs=LogRing(self.log_cap))
            self.order.append(job_id)
            self._changes.mark_global(GlobalAspect.LIST)
        return run

    def model_for_job(self, job_id: str) -> Model | None:
        return self._model_by_job.get(job_id)

    def feed_health(self, key: FeedKey) -> FeedHealth:
        if key.job_id is None:
            health = self.global_feeds.get(key.kind)
            if health is None:
                health = self.global_feeds[key.kind] = FeedHealth()
            return health
        return self.ensure_run(key.job_id).feed(key.kind)

    # ------------------------------------------------------------ applying responses

    def apply_jobs(self, jobs: Iterable[Job], at_front: bool = True) -> list[JobChange]:
        """Merge a page of the job list; runs missing from it are kept. Runs not held
        before go to the front (``at_front``: a first page, whose runs are the newest) or
        after the others (a later page of a full pass); :meth:`finish_listing` puts
        everything in the list's order once the pass is done. Costs what the page holds,
        not what the store holds (unless new runs came)."""
        jobs = list(jobs)
        known = len(self.order)
        changes = [change for job in jobs if (change := self._set_job(job)) is not None]
        if at_front and len(self.order) > known:
            fresh = self.order[known:]  # ensure_run appended them, in the page's order
            self.order = fresh + self.order[:known]
        return changes

    def finish_listing(self, ids: Sequence[str]) -> None:
        """A full pass of the job list is done: its order, then the runs it did not list."""
        listed = list(dict.fromkeys(i for i in ids if i in self.runs))
        listed_set = set(listed)
        order = listed + [i for i in self.order if i not in listed_set]
        if order != self.order:
            self.order = order
            self._changes.mark_global(GlobalAspect.LIST)

    def set_listing(self, *, loading: bool, complete: bool, truncated: bool) -> None:
        state = ListingState(complete=complete, loading=loading, truncated=truncated)
        if state != self.listing:
            self.listing = state
            self._changes.mark_global(GlobalAspect.LIST)

    def apply_job(self, job: Job) -> JobChange | None:
        return self._set_job(job)

    def _set_job(self, job: Job) -> JobChange | None:
        run = self.ensure_run(job.id)
        before = run.job
        if before is job:  # the client's answer was the same bytes as last time
            return None
        if before is not None and job.issues.fields:
            job = _keep_held(job, before)
        if before == job:
            return None
        run.job = job
        if job.terminal:
            self.unfinished.discard(job.id)
        else:
            self.unfinished.add(job.id)
        self._changed(job.id, RunAspect.JOB)
        return JobChange(job.id, before, job)

    def apply_metrics(self, job_id: str, page: MetricsPage) -> int:
        """Merge a metrics page; return how many steps were added or changed."""
        run = self.ensure_run(job_id)
        changed = run.metrics.merge(page.points)
        if changed:
            self._changed(job_id, RunAspect.METRICS)
        return changed

    def apply_tail(self, job_id: str, page: MetricsPage) -> bool:
        """Keep the losses of a run's last points (see poll/tail.py); not merged into metrics."""
        points = sorted((p for p in page.points if p.loss is not None), key=lambda p: p.step)
        if not points:
            return False
        run = self.ensure_run(job_id)
        run.tail_losses = [float(p.loss) for p in points if p.loss is not None]
        run.tail_step = points[-1].step
        self._changed(job_id, RunAspect.METRICS)
        return True

    def apply_logs(self, job_id: str, page: LogsPage) -> list[LogLine]:
        """Append a logs page; return the lines that were new."""
        run = self.ensure_run(job_id)
        fresh = run.logs.append(page.lines)
        if fresh:
            self._changed(job_id, RunAspect.LOGS)
        return fresh

    def apply_events(self, job_id: str, events: list[Event]) -> bool:
        """Replace the run's events with the full history the API returned."""
        run = self.ensure_run(job_id)
        if run.events == events:
            return False
        run.events = list(events)
        self._changed(job_id, RunAspect.EVENTS)
        return True

    def apply_result(self, job_id: str, result: Result) -> bool:
        run = self.ensure_run(job_id)
        if run.result == result:
            return False
        run.result = result
        self._changed(job_id, RunAspect.RESULT)
        return True

    def apply_models(self, models: list[Model]) -> bool:
        if models == self.models:
            return False
        self.models = list(models)
        by_job: dict[str, Model] = {}
        for model in self.models:  # newest first: keep the newest model per run
            if model.job_id is not None:
                by_job.setdefault(model.job_id, model)
        self._model_by_job = by_job
        self._changes.mark_global(GlobalAspect.MODELS)
        return True

    def apply_overview(self, overview: Overview) -> bool:
        if overview == self.overview:
            return False
        self.overview = overview
        self._changes.mark_global(GlobalAspect.OVERVIEW)
        return True

    def restore(
        self,
        job_id: str,
        *,
        job: Job | None = None,
        result: Result | None = None,
        events: list[Event] | None = None,
        metrics: MetricSeries | None = None,
        logs: LogRing | None = None,
    ) -> None:
        """History read back from the run cache. A record or events the store already
        holds (fetched since) are kept; ``metrics`` and ``logs`` replace what is held
        (the caller merged them with it)."""
        run = self.ensure_run(job_id)
        if job is not None and run.job is None:
            run.job = job
            if not job.terminal:  # the job list's next active pass checks on it
                self.unfinished.add(job_id)
            self._changed(job_id, RunAspect.JOB)
        if result is not None and run.result is None:
            run.result = result
            self._changed(job_id, RunAspect.RESULT)
        if events is not None and not run.events:
            run.events = list(events)
            self._changed(job_id, RunAspect.EVENTS)
        if metrics is not None:
            run.metrics = metrics
            self._changed(job_id, RunAspect.METRICS)
        if logs is not None:
            run.logs = logs
            self._changed(job_id, RunAspect.LOGS)

    def restore_order(self, order: Iterable[str]) -> None:
        """The job list's order as cached; runs the store knows but the cache did not
        list keep their place after these."""
        cached = [job_id for job_id in dict.fromkeys(order) if job_id in self.runs]
        listed = set(cached)
        rest = [job_id for job_id in self.order if job_id not in listed]
        if cached + rest != self.order:
            self.order = cached + rest
            self._changes.mark_global(GlobalAspect.LIST)

    def mark_gone(self, job_id: str) -> None:
        """The API says this run no longer exists (404). Its data stays on screen."""
        run = self.ensure_run(job_id)
        self.unfinished.discard(job_id)
        if not run.gone:
            run.gone = True
            self._changed(job_id, RunAspect.JOB)

    # ------------------------------------------------------------ health

    def record_ok(
        self, feed_key: FeedKey, now: float | None = None, issues: ParseIssues = CLEAN
    ) -> None:
        """The feed answered; ``issues``: what its answer left out (shown while not clean)."""
        now = self.clock() if now is None else now
        health = self.feed_health(feed_key)
        if health.record_ok(now, issues, cumulative=feed_key.kind in CURSOR_FEEDS):
            self._health_changed(feed_key, health)

    def record_error(self, feed_key: FeedKey, exc: BaseException, now: float | None = None) -> None:
        now = self.clock() if now is None else now
        message = str(exc) or type(exc).__name__
        health = self.feed_health(feed_key)
        if health.record_error(
            message, type(exc).__name__, now, transient=bool(getattr(exc, "transient", False))
        ):
            self._health_changed(feed_key, health)

    def _health_changed(self, feed_key: FeedKey, health: FeedHealth | None = None) -> None:
        if health is not None:
            if health.degraded:
                self.problems[feed_key] = health
            else:
                self.problems.pop(feed_key, None)
        if feed_key.job_id is None:
            self._changes.mark_global(GlobalAspect.HEALTH)
        else:
            self._changed(feed_key.job_id, RunAspect.HEALTH)

    def set_connection(
        self,
        state: ConnectionStatus,
        message: str = "",
        retry_at: float | None = None,
        last_success_at: float | None = None,
    ) -> None:
        """Update the connection state; only a change of state, message or retry time notifies."""
        current = self.connection
        if last_success_at is not None:
            current.last_success_at = last_success_at  # silent: the UI ages it on its own timer
        if (current.state, current.message, current.retry_at) != (state, message, retry_at):
            current.state, current.message, current.retry_at = state, message, retry_at
            self._changes.mark_global(GlobalAspect.CONNECTION)


def _keep_held(job: Job, before: Job) -> Job:
    """``job`` with the fields its answer left empty (wrong type) taken from ``before``:
    one bad answer does not blank what was shown."""
    held = {
        name: getattr(before, name)
        for name in job.issues.fields
        if hasattr(before, name) and getattr(before, name) is not None
    }
    return dataclasses.replace(job, **held) if held else job
