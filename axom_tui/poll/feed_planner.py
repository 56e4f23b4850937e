"""FeedPlanner: when each feed of the scheduler is next due, or that it is parked.

The scheduler (:mod:`axom_tui.poll.scheduler`) decides what to launch now; this decides,
after every answer, trigger or status change, when a feed should next be asked for, from
the run's status and attention (:mod:`axom_tui.poll.policy`), on the shared grid of poll
rounds, and whether the job list can stand in for a run's own record.
"""

from __future__ import annotations

from dataclasses import dataclass

from axom_tui.poll.due_queue import DueQueue
from axom_tui.poll.feeds import JOBS_KEY, FeedState
from axom_tui.poll.policy import (
    BACKGROUND,
    PollPolicy,
    aligned_due,
    next_due_delay,
    priority_of,
)
from axom_tui.poll.run_book import RunBook
from axom_tui.store.health import FeedKey
from axom_tui.store.run_store import RunStore
from axom_tui.store.vocab import FeedKind


@dataclass
class FeedPlanner:
    policy: PollPolicy
    store: RunStore
    _queue: DueQueue
    _feeds: dict[FeedKey, FeedState]
    _runs: RunBook
    #: The runs in the last job list answer.
    listed: frozenset[str] = frozenset()

    def list_stands_in(self, key: FeedKey, now: float) -> bool:
        """Whether the job list, due in this round too, can be asked in place of this
        run's periodic job poll: the list holds job objects and the store takes a run's
        record from either. Only for runs it listed last time, while the list answers; a
        triggered fetch goes."""
        state, jobs = self._feeds[key], self._feeds[JOBS_KEY]
        if key.kind != FeedKind.JOB or state.owed or state.rerun or key.job_id not in self.listed:
            return False
        due = self._queue.due_at(JOBS_KEY)
        return not jobs.in_flight and not jobs.failures and due is not None and due <= now

    def make_due(self, key: FeedKey, now: float) -> None:
        state = self._feeds.get(key)
        if state is None:
            return
        if state.in_flight:
            state.rerun = True
            return
        state.owed = True
        self.plan(state, now)

    def plan(
        self, state: FeedState, now: float, min_delay: float = 0.0, keep_earlier: bool = False
    ) -> None:
        """(Re)schedule one feed from its situation; park it when it has nothing to do."""
        key = state.key
        track = self._runs.get(key.job_id)
        if key.job_id is not None and (track is None or track.gone):
            self.park(state)
            return
        attention = self._runs.attention(key.job_id) if key.job_id is not None else BACKGROUND
        if (
            key.kind == FeedKind.RESULT
            and track is not None
            and not track.wants_result
            and not attention.on_screen
        ):
            self.park(state)  # a run of long ago nobody looked at: not worth a request
            return
        delay = next_due_delay(
            key.kind,
            track.status if track else None,
            attention,
            self._runs.background_live(),
            self.policy,
            owed=state.owed,
            finished=state.finished,
            seen_live=track.seen_live if track else False,
            min_delay=min_delay,
            models_held=len(self.store.models),
        )
        if delay is None:
            self.park(state)
            return
        due = now + delay
        if not state.owed and min_delay == 0 and delay > 0:
            due = self._with_the_list(key, aligned_due(now, delay, self.policy.poll_grid))
        self._put(key, due, priority_of(key.kind, attention), keep_earlier)

    def _with_the_list(self, key: FeedKey, due: float) -> float:
        """A listed run's job poll moves to the round the job list is asked in, when that
        comes first: the list then goes in its place (:meth:`list_stands_in`). Without
        this the two would take turns, every round a request for the same record."""
        if (
            key.kind != FeedKind.JOB
            or key.job_id not in self.listed
            or self._feeds[JOBS_KEY].failures
        ):
            return due
        list_due = self._queue.due_at(JOBS_KEY)
        return list_due if list_due is not None and list_due < due else due

    def _put(self, key: FeedKey, due_at: float, priority: int, keep_earlier: bool) -> None:
        current = self._queue.due_at(key)
        if keep_earlier and current is not None and current <= due_at:
            return
        self._queue.schedule(key, due_at, priority)

    def park(self, state: FeedState) -> None:
        state.owed = False
        self._queue.cancel(state.key)
