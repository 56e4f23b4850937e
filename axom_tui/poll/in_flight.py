"""InFlight: the polls under way, by feed, and cancelling them when they take too long.

httpx's read timeout restarts on every byte, so one ``GET /jobs`` whose body dripped a
byte a second held its feed for 110 s (and ``r`` waited behind it). The client has a
total deadline of its own; this is the scheduler's, for any client: a poll in flight
past ``request_deadline`` is cancelled (and counts as a failure of its feed), and a
refresh cancels one that has been in flight a while to ask again at once.
"""

from __future__ import annotations

import asyncio

from axom_tui.poll.feeds import FeedState
from axom_tui.store.health import FeedKey

DEADLINE = "deadline"
RESTART = "restart"


class InFlight:
    def __init__(self) -> None:
        self._states: dict[FeedKey, FeedState] = {}

    def launched(self, state: FeedState, task: asyncio.Task[None], now: float) -> None:
        state.in_flight = True
        state.launched_at = now
        state.cancelled_for = None
        state.task = task
        self._states[state.key] = state

    def landed(self, state: FeedState) -> None:
        state.in_flight = False
        state.task = None
        self._states.pop(state.key, None)

    @staticmethod
    def cancel(state: FeedState, reason: str) -> None:
        """Cancel the feed's poll for ``reason`` (once; the poll sees why)."""
        if state.task is not None and not state.task.done() and state.cancelled_for is None:
            state.cancelled_for = reason
            state.task.cancel()

    def past_deadline(self, now: float, deadline: float) -> float | None:
        """Cancel the polls in flight longer than ``deadline``; return when the next one
        would be (None: nothing in flight, or no deadline)."""
        if deadline <= 0 or not self._states:
            return None
        soonest: float | None = None
        for state in list(self._states.values()):
            due = state.launched_at + deadline
            if due <= now:
                self.cancel(state, DEADLINE)
            elif soonest is None or due < soonest:
                soonest = due
        return soonest
