"""PollScheduler: the only thing that fetches.

One loop owns the request budget: a due-time queue of feeds (global: job list,
models, overview; per run: job, metrics, logs, events, result), at most
``max_in_flight`` requests at once, a token bucket of ``rps`` requests per second
(background work also draws from a ``background_rps`` bucket), never two polls of one
feed at once, per-feed backoff with jitter, and a client-wide pause on 429. Intervals
come from :mod:`axom_tui.poll.policy`; requests and cursors from
:mod:`axom_tui.poll.fetch`. Time comes from an injectable clock, so tests run minutes
of polling in virtual time.

Nothing waits forever: a poll in flight past ``request_deadline`` is cancelled and
counts as a failure of its feed (backed off, then retried), and a refresh restarts a
feed whose request has been in flight a while instead of waiting behind it (a stuck
``GET /jobs`` once made ``r`` a no-op for 110 s).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterable

from axom_tui.api.errors import (
    AuthError,
    DeadlineError,
    ForbiddenError,
    NotFoundError,
    RateLimitedError,
)
from axom_tui.poll.clock import Clock, MonotonicClock
from axom_tui.poll.connection_monitor import ConnectionMonitor
from axom_tui.poll.due_queue import DueQueue, Verdict
from axom_tui.poll.feed_planner import FeedPlanner
from axom_tui.poll.feeds import (
    ENDPOINTS,
    JOBS_KEY,
    FeedState,
    RunTrack,
)
from axom_tui.poll.fetch import FeedFetcher, FetchOutcome, PollClient
from axom_tui.poll.history_hook import RunHistory
from axom_tui.poll.in_flight import RESTART, InFlight
from axom_tui.poll.pacing import TokenBucket, backoff_delay
from axom_tui.poll.policy import (
    PollPolicy,
    Priority,
    RunPhase,
    phase_of,
    result_retry_delay,
)
from axom_tui.poll.run_book import RunBook
from axom_tui.poll.run_feeds import RunFeeds
from axom_tui.poll.stats import PollStats
from axom_tui.store.health import FeedKey
from axom_tui.store.run_store import RunStore
from axom_tui.store.vocab import GLOBAL_FEEDS, RUN_FEEDS, FeedKind


class PollScheduler(RunFeeds):
    def __init__(
        self,
        client: PollClient,
        store: RunStore,
        *,
        policy: PollPolicy | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        history: RunHistory | None = None,
    ) -> None:
        self.client = client
        self.store = store
        self.policy = policy or PollPolicy()
        self.clock: Clock = clock or MonotonicClock()
        self.stats = PollStats()
        self._rng = rng or random.Random()
        #: The local run cache (None: none): see :mod:`axom_tui.poll.history_hook`.
        self.history = history
        self._fetcher = FeedFetcher(client, store, self.policy, history, now=self.clock.now)
        self._monitor = ConnectionMonitor(self.policy)
        self._queue = DueQueue()
        self._feeds: dict[FeedKey, FeedState] = {
            FeedKey(k): FeedState(FeedKey(k)) for k in GLOBAL_FEEDS
        }
        self._runs = RunBook()
        self._planner = FeedPlanner(self.policy, store, self._queue, self._feeds, self._runs)
        self._bucket = TokenBucket(self.policy.rps, self.policy.burst)
        self._background_bucket = TokenBucket(
            self.policy.background_rps, max(1.0, self.policy.background_rps)
        )
        self._tasks: set[asyncio.Task[None]] = set()
        self._flying = InFlight()  # the feeds of those tasks
        self._wake = asyncio.Event()
        self._running = False
        self._stopping = False
        self._paused_until = float("-inf")
        self._background_refused = False
        # Runs already finished when first listed whose result is fetched unasked (the
        # newest, as the list comes newest first); the others' when they are looked at.
        self._eager_results = self.policy.eager_results

    # ------------------------------------------------------------ public API

    @property
    def focused(self) -> str | None:
        return self._runs.focused

    @property
    def visible(self) -> frozenset[str]:
        return self._runs.visible

    @property
    def in_flight(self) -> int:
        return len(self._tasks)

    def feed_state(self, key: FeedKey) -> FeedState | None:
        return self._feeds.get(key)

    def track(self, job_id: str) -> RunTrack | None:
        return self._runs.get(job_id)

    def due_at(self, key: FeedKey) -> float | None:
        return self._queue.due_at(key)

    async def run(self) -> None:
        """Poll until :meth:`stop`. In-flight requests are cancelled on the way out."""
        if self._running:
            raise RuntimeError("the scheduler is already running")
        self._running, self._stopping = True, False
        now = self.clock.now()
        self.stats.started_at = now
        self._monitor.start(now)
        for kind in GLOBAL_FEEDS:
            self._queue.schedule(FeedKey(kind), now, Priority.GLOBAL)
        for job_id, run in list(self.store.runs.items()):
            if run.job is not None and job_id not in self._runs:
                self._add_run(job_id, run.job.status, run.job.retries, now)
        try:
            while not self._stopping:
                self._wake.clear()
                wake_at = self._launch_due(self.clock.now())
                await self.clock.sleep_until(wake_at, self._wake)
        finally:
            tasks = list(self._tasks)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._running = False

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    def focus(self, job_id: str | None) -> None:
        """The run on screen (None: none). Its feeds become due now."""
        if self._runs.set_focus(job_id) and job_id is not None:
            self._on_attention(job_id, self.clock.now())
        self._wake.set()

    def set_visible(self, job_ids: Iterable[str]) -> None:
        """Runs shown besides the focused one (compare tiles). Newly shown ones are due now."""
        now = self.clock.now()
        for job_id in self._runs.set_visible(job_ids):
            self._on_attention(job_id, now)
        self._wake.set()

    def set_in_view(self, job_ids: Iterable[str]) -> None:
        """Runs whose rows the job list shows. Active runs off screen get their metrics
        less often (``background_off_screen``); one coming on screen gets them now."""
        now = self.clock.now()
        for job_id in self._runs.set_in_view(job_ids):
            if job_id not in self._runs:
                continue
            self._maybe_ask_tail(job_id, self._runs.attention(job_id).on_screen, now)
            if not self._runs.is_active(job_id):
                continue
            last = self.stats.last_ok.get(FeedKey(FeedKind.METRICS, job_id))
            if last is None or now - last >= self.policy.background_min:
                self._planner.make_due(FeedKey(FeedKind.METRICS, job_id), now)
        self._wake.set()

    def refresh_now(self, job_id: str | None = None) -> None:
        """User asked for fresh data: global feeds and that run's (default: the focused
        run's) feeds are due now with their backoff cleared. Caps and budget still apply."""
        now = self.clock.now()
        keys = [FeedKey(kind) for kind in GLOBAL_FEEDS]
        job_id = job_id if job_id is not None else self._runs.focused
        if job_id is not None:
            self._ensure_run(job_id, now)
            keys += [FeedKey(kind, job_id) for kind in RUN_FEEDS]
        for key in keys:
            state = self._feeds[key]
            state.failures = 0
            if state.in_flight and now - state.launched_at >= self.policy.refresh_restarts_after:
                self._flying.cancel(state, RESTART)  # it may be stuck: ask again now
            else:
                self._planner.make_due(key, now)
        self._wake.set()

    def attach_history(self, history: RunHistory | None) -> None:
        """Use the run cache from now on (before :meth:`run`: runs tracked earlier were
        seeded without it)."""
        self.history = self._fetcher.history = history

    def feed_progress(self, job_id: str) -> tuple[int | None, int | None, frozenset[str]] | None:
        """(metrics cursor, logs cursor, finished feeds) of a tracked run (None: untracked):
        what the run cache writes beside the run's data."""
        track = self._runs.get(job_id)
        if track is None:
            return None
        finished = frozenset(
            kind
            for kind in RUN_FEEDS
            if (state := self._feeds.get(FeedKey(kind, job_id))) and state.finished
        )
        return track.metrics_cursor, track.logs_cursor, finished

    def forget_seed(self, job_id: str) -> None:
        """The run cache did not hold what its cursors said (evicted, damaged): resume
        from what the store holds, and fetch a finished run's feeds again."""
        track = self._runs.get(job_id)
        if track is None:
            return
        run = self.store.ensure_run(job_id)
        track.metrics_cursor, track.logs_cursor = run.metrics.last_step, run.logs.last_seq
        for state in self._run_feeds(job_id):
            state.finished = False
        if self._runs.attention(job_id).on_screen:
            self._on_attention(job_id, self.clock.now())
        self._wake.set()

    # ------------------------------------------------------------ the loop

    def _launch_due(self, now: float) -> float | None:
        """Launch every due feed the caps allow; return when to look again (None: on wake)."""
        watchdog = self._flying.past_deadline(now, self.policy.request_deadline)
        wake_at = self._launch_ready(now)
        if watchdog is None:
            return wake_at
        return watchdog if wake_at is None else min(wake_at, watchdog)

    def _launch_ready(self, now: float) -> float | None:
        while True:
            if now < self._paused_until:
                return self._paused_until
            if len(self._tasks) >= self.policy.max_in_flight:
                return None
            if not self._bucket.has_token(now):
                return self._bucket.next_token_at(now)
            self._background_refused = False
            taken = self._queue.take(now, lambda key, prio: self._admit(key, prio, now))
            if taken is None:
                times = [self._queue.next_future_due()]
                if self._background_refused:
                    times.append(self._background_bucket.next_token_at(now))
                return min((t for t in times if t is not None), default=None)
            key, priority = taken
            if self._planner.list_stands_in(key, now):
                self._queue.cancel(JOBS_KEY)
                self._planner.plan(
                    self._feeds[key], now
                )  # its next round; the list goes in this slot
                key, priority = JOBS_KEY, Priority.GLOBAL
            self._launch(key, priority, now)

    def _admit(self, key: FeedKey, priority: int, now: float) -> Verdict:
        state = self._feeds.get(key)
        if state is None:
            return Verdict.DROP
        if state.in_flight:
            state.rerun = True
            return Verdict.DROP
        if self._monitor.gated and key != JOBS_KEY:
            return Verdict.DEFER
        if priority >= Priority.BACKGROUND and not self._background_bucket.has_token(now):
            self._background_refused = True
            return Verdict.DEFER
        return Verdict.LAUNCH

    def _launch(self, key: FeedKey, priority: int, now: float) -> None:
        state = self._feeds[key]
        self._bucket.take(now)
        if priority >= Priority.BACKGROUND:
            self._background_bucket.take(now)
        track = self._runs.get(key.job_id) if key.job_id is not None else None
        state.launched_terminal = track is not None and phase_of(track.status) is RunPhase.TERMINAL
        self.stats.record_request(key, now, len(self._tasks) + 1)
        task = asyncio.create_task(self._poll(state, track))
        self._flying.launched(state, task, now)
        self._tasks.add(task)

    async def _poll(self, state: FeedState, track: RunTrack | None) -> None:
        outcome: FetchOutcome | Exception
        try:
            outcome = await self._fetcher.fetch(state.key, track)
        except asyncio.CancelledError:
            reason = state.cancelled_for
            task = asyncio.current_task()
            if reason is None or self._stopping or task is None:
                raise  # the scheduler is stopping (or someone else cancelled): go
            task.uncancel()
            outcome = DeadlineError(
                ENDPOINTS.get(state.key.kind, state.key.kind), self.policy.request_deadline
            )
        except Exception as exc:  # AxomError, or a bug: either way, never kill the loop
            outcome = exc
        finally:  # also on cancellation
            self._flying.landed(state)
            self._tasks.discard(asyncio.current_task())
            self._wake.set()
        now = self.clock.now()
        if state.cancelled_for == RESTART:  # refresh: ask again now, nothing failed
            state.cancelled_for = None
            state.owed = True
            state.rerun = False
            self._planner.plan(state, now)
            return
        state.cancelled_for = None
        try:
            if isinstance(outcome, Exception):
                self._on_error(state, outcome, now)
            else:
                self._on_success(state, outcome, now)
        except Exception as bug:  # bookkeeping must not silently stop a feed
            self.store.record_error(state.key, bug, now)
            self._queue.schedule(state.key, now + self.policy.backoff_cap, Priority.BACKGROUND)

    # ------------------------------------------------------------ outcomes

    def _on_success(self, state: FeedState, outcome: FetchOutcome, now: float) -> None:
        key = state.key
        state.failures = 0
        self.store.record_ok(key, now, outcome.issues)
        self.stats.record_ok(key, now)
        self._monitor.on_success(now, probe=key == JOBS_KEY)
        if key == JOBS_KEY and outcome.listed is not None:
            self._planner.listed = outcome.listed
        for change in outcome.job_changes:
            self._on_job_change(change, now)
        for job_id in outcome.recheck:  # it left the active list: its record says why
            self._ensure_run(job_id, now)
            self._planner.make_due(FeedKey(FeedKind.JOB, job_id), now)
        track = self._runs.get(key.job_id) if key.job_id is not None else None
        delay = 0.0
        if track is not None and state.launched_terminal and not state.rerun:
            if key.kind == FeedKind.RESULT and not outcome.result_found:
                state.result_attempts += 1
                delay = result_retry_delay(state.result_attempts, self.policy)
            elif not outcome.more_waiting:
                state.finished = True
                if self.history is not None and key.job_id is not None:
                    self.history.feed_finished(key.job_id, key.kind)
        state.owed = outcome.more_waiting or state.rerun
        state.rerun = False
        self._planner.plan(state, now, min_delay=delay)
        self._publish_connection()

    def _on_error(self, state: FeedState, exc: Exception, now: float) -> None:
        key = state.key
        self.store.record_error(key, exc, now)
        self.stats.record_error(key)
        delay = 0.0
        if isinstance(exc, RateLimitedError):
            self._paused_until = max(self._paused_until, now + max(0.0, exc.retry_after))
            self._monitor.on_rate_limited(exc, self._paused_until)
            delay = self._paused_until - now
        elif isinstance(exc, AuthError):
            self._monitor.on_auth(exc)
            delay = self.policy.auth_retry if key == JOBS_KEY else 0.0
            if key != JOBS_KEY and not self._feeds[JOBS_KEY].in_flight:  # the probe: slow
                self._queue.schedule(JOBS_KEY, now + self.policy.auth_retry, Priority.GLOBAL)
        elif isinstance(exc, ForbiddenError):
            if key == JOBS_KEY:
                self._monitor.on_forbidden(exc)
            delay = self.policy.auth_retry if key == JOBS_KEY else self.policy.forbidden_backoff
        elif isinstance(exc, NotFoundError) and key.job_id is not None:
            self._mark_gone(key.job_id)
            self._publish_connection()
            return
        else:
            state.failures += 1
            delay = backoff_delay(
                state.failures, self.policy.backoff_base, self.policy.backoff_cap, self._rng
            )
            if getattr(exc, "transient", False):
                self._monitor.on_transient(now, exc, now + delay)
        state.rerun = False
        self._planner.plan(state, now, min_delay=delay)
        self._publish_connection()

    def _publish_connection(self) -> None:
        monitor = self._monitor
        retry_at = monitor.retry_at
        if monitor.gated:
            retry_at = self._queue.due_at(JOBS_KEY)
        self.store.set_connection(monitor.state, monitor.message, retry_at, monitor.last_success_at)
