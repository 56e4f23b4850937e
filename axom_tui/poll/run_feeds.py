"""What the scheduler does for one run: tracks it when it is first seen (seeded from the
run cache), asks for its last points once, plans its feeds when its status changes or it
comes on screen, and stops them when it is gone.

A part of :class:`~axom_tui.poll.scheduler.PollScheduler` (which inherits it), kept apart
so that the scheduler module holds the loop and the outcomes alone.
"""

from __future__ import annotations

import random

from axom_tui.poll.clock import Clock
from axom_tui.poll.due_queue import DueQueue
from axom_tui.poll.feed_planner import FeedPlanner
from axom_tui.poll.feeds import MODELS_KEY, FeedState, RunTrack, rewind_metrics_cursor
from axom_tui.poll.history_hook import RunHistory
from axom_tui.poll.policy import (
    PollPolicy,
    Priority,
    RunPhase,
    aligned_due,
    events_on_status_change,
    feeds_on_attention,
    next_interval,
    phase_of,
    priority_of,
    wants_final_fetch,
)
from axom_tui.poll.run_book import RunBook
from axom_tui.poll.tail import TAIL_KIND, wants_tail
from axom_tui.store.health import FeedKey
from axom_tui.store.run_store import JobChange, RunStore
from axom_tui.store.vocab import RUN_FEEDS, FeedKind


class RunFeeds:
    """The scheduler's per-run bookkeeping (its state lives on the scheduler)."""

    store: RunStore
    policy: PollPolicy
    clock: Clock
    history: RunHistory | None
    _rng: random.Random
    _queue: DueQueue
    _feeds: dict[FeedKey, FeedState]
    _runs: RunBook
    _planner: FeedPlanner
    _eager_results: int

    def _ensure_run(self, job_id: str, now: float) -> RunTrack:
        track = self._runs.get(job_id)
        if track is None:
            run = self.store.ensure_run(job_id)
            job = run.job
            track = self._add_run(
                job_id, job.status if job else None, job.retries if job else None, now
            )
        return track

    def _add_run(
        self, job_id: str, status: str | None, retries: int | None, now: float
    ) -> RunTrack:
        run = self.store.ensure_run(job_id)
        live = phase_of(status) is not RunPhase.TERMINAL
        track = RunTrack(
            job_id,
            status,
            retries,
            metrics_cursor=run.metrics.last_step,
            logs_cursor=run.logs.last_seq,
            seen_live=live,
            wants_result=live or self._eager_results > 0,
        )
        if not live and self._eager_results > 0:
            self._eager_results -= 1
        self._runs.add(track)
        for kind in RUN_FEEDS:
            self._feeds[FeedKey(kind, job_id)] = FeedState(FeedKey(kind, job_id))
        seed = self.history.seed(job_id) if self.history is not None else None
        if seed is not None:  # resume after the cached history, not from the start
            track.metrics_cursor, track.logs_cursor = seed.metrics_cursor, seed.logs_cursor
            track.unwatched = True
            if phase_of(status) is RunPhase.TERMINAL:
                for kind in RUN_FEEDS:
                    if kind in seed.finished:
                        self._feeds[FeedKey(kind, job_id)].finished = True
            elif seed.recheck_job:
                self._feeds[FeedKey(FeedKind.JOB, job_id)].owed = True
        attention = self._runs.attention(job_id)
        self._maybe_ask_tail(job_id, attention.on_screen, now)
        if attention.on_screen:
            self._on_attention(job_id, now)
            return track
        for kind in RUN_FEEDS:
            interval = next_interval(
                kind, status, attention, self._runs.background_live(), self.policy
            )
            if interval is not None:  # spread the first polls of background runs
                self._queue.schedule(
                    FeedKey(kind, job_id),
                    now + self._rng.uniform(0, interval),
                    priority_of(kind, attention),
                )
            else:
                self._planner.plan(self._feeds[FeedKey(kind, job_id)], now)
        return track

    def _maybe_ask_tail(self, job_id: str, on_screen: bool, now: float) -> None:
        """The run's last points, once, in the next poll round (with the round's other
        answers: one frame), ahead of the background's metrics (poll/tail.py): when it is
        first listed, or when it first has steps (a run that starts training later). A
        run that comes on screen first gets its metrics instead."""
        run = self.store.runs[job_id]
        key = FeedKey(TAIL_KIND, job_id)
        state = self._feeds.get(key)
        if state is not None and (state.owed or state.in_flight or state.result_attempts >= 2):
            return
        if run.tail_step is not None or not wants_tail(run.job, on_screen, len(run.metrics) > 0):
            return
        if not self._runs.shown(job_id):  # off screen in a big account's list: when shown
            if self._eager_results <= 0:
                return
            self._eager_results -= 1
        if state is None:
            state = self._feeds[key] = FeedState(key)
        state.result_attempts += 1  # asks so far: a server that sends no loss is asked twice
        state.owed = True
        grid = self.policy.poll_grid
        self._queue.schedule(key, aligned_due(now, grid, grid), Priority.VISIBLE)

    def _on_job_change(self, change: JobChange, now: float) -> None:
        job = change.after
        track = self._runs.get(change.job_id)
        if track is None:
            self._add_run(change.job_id, job.status, job.retries, now)
            return
        if track.gone:
            return
        self._maybe_ask_tail(track.job_id, self._runs.attention(track.job_id).on_screen, now)
        old_status, track.status = track.status, job.status
        rewind_metrics_cursor(
            track, job.latest_step, job.retries, self.store.runs[track.job_id].events
        )
        if old_status == job.status:
            return
        self._runs.status_changed(track)
        phase = phase_of(job.status)
        if phase is not RunPhase.TERMINAL:
            track.seen_live = track.wants_result = True
            for state in self._run_feeds(track.job_id):
                state.finished = False
        attention = self._runs.attention(track.job_id)
        if phase is RunPhase.TERMINAL:
            if job.status == "completed":
                self._planner.make_due(MODELS_KEY, now)
            for state in self._run_feeds(track.job_id):
                if state.in_flight:
                    state.rerun = True  # its answer may predate the end: fetch once more
                else:
                    self._planner.plan(state, now)
            return
        first_sight = old_status is None  # a run focused before any record of it arrived
        if events_on_status_change(attention) and not first_sight:
            self._planner.make_due(FeedKey(FeedKind.EVENTS, track.job_id), now)
        if (
            phase is RunPhase.ACTIVE
            and phase_of(old_status) is not RunPhase.ACTIVE
            and attention.on_screen
            and not first_sight
        ):
            self._planner.make_due(FeedKey(FeedKind.METRICS, track.job_id), now)
        for state in self._run_feeds(track.job_id):
            if not state.in_flight:
                self._planner.plan(state, now, keep_earlier=True)

    def _mark_gone(self, job_id: str) -> None:
        track = self._runs.get(job_id)
        if track is not None:
            track.gone = True
        self._runs.changed()
        self.store.mark_gone(job_id)
        for kind in RUN_FEEDS:
            self._queue.cancel(FeedKey(kind, job_id))

    def _on_attention(self, job_id: str, now: float) -> None:
        if self.history is not None:
            self.history.prefetch(job_id)
        track = self._ensure_run(job_id, now)
        self._queue.cancel(FeedKey(TAIL_KIND, job_id))  # its metrics come now anyway
        attention = self._runs.attention(job_id)
        if phase_of(track.status) is RunPhase.TERMINAL:
            kinds = {
                k
                for k in RUN_FEEDS
                if wants_final_fetch(k, track.status, attention, track.seen_live)
            }
        else:
            kinds = feeds_on_attention(
                track.status, attention, self._runs.background_live(), self.policy
            )
        for kind in sorted(kinds):
            self._planner.make_due(FeedKey(kind, job_id), now)

    def _run_feeds(self, job_id: str) -> list[FeedState]:
        return [self._feeds[FeedKey(kind, job_id)] for kind in RUN_FEEDS]
