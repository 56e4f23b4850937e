"""DueQueue: which feed to poll next.

Each feed has at most one pending entry ``(due_at, priority)``; scheduling a feed again
replaces its entry. Entries wait on a timeline (by due time); once due they move to a
ready heap ordered by priority, then due time, so when the budget is short the
focused run goes before background work. Stale heap entries are skipped lazily.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from enum import Enum

from axom_tui.store.health import FeedKey


class Verdict(Enum):
    LAUNCH = "launch"  # take this entry now
    DEFER = "defer"  # leave it ready, look at the next one
    DROP = "drop"  # discard this entry


class DueQueue:
    def __init__(self) -> None:
        self._entries: dict[
            FeedKey, tuple[float, int, int]
        ] = {}  # key -> (due_at, priority, token)
        self._timeline: list[tuple[float, int, FeedKey]] = []  # (due_at, token, key)
        self._ready: list[tuple[int, float, int, FeedKey]] = []  # (priority, due_at, token, key)
        self._tokens = itertools.count()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def due_at(self, key: FeedKey) -> float | None:
        entry = self._entries.get(key)
        return entry[0] if entry is not None else None

    def schedule(self, key: FeedKey, due_at: float, priority: int) -> None:
        token = next(self._tokens)
        self._entries[key] = (due_at, priority, token)
        heapq.heappush(self._timeline, (due_at, token, key))

    def cancel(self, key: FeedKey) -> None:
        self._entries.pop(key, None)

    def _current(self, key: FeedKey, token: int) -> bool:
        entry = self._entries.get(key)
        return entry is not None and entry[2] == token

    def _promote(self, now: float) -> None:
        timeline = self._timeline
        while timeline and timeline[0][0] <= now:
            due_at, token, key = heapq.heappop(timeline)
            if self._current(key, token):
                heapq.heappush(self._ready, (self._entries[key][1], due_at, token, key))

    def next_future_due(self) -> float | None:
        """Earliest due time still on the timeline (entries already ready excluded)."""
        timeline = self._timeline
        while timeline and not self._current(timeline[0][2], timeline[0][1]):
            heapq.heappop(timeline)
        return timeline[0][0] if timeline else None

    def take(
        self, now: float, admit: Callable[[FeedKey, int], Verdict]
    ) -> tuple[FeedKey, int] | None:
        """Remove and return the best due entry ``admit`` accepts, as ``(key, priority)``."""
        self._promote(now)
        deferred: list[tuple[int, float, int, FeedKey]] = []
        chosen: tuple[FeedKey, int] | None = None
        while self._ready:
            entry = heapq.heappop(self._ready)
            priority, _, token, key = entry
            if not self._current(key, token):
                continue
            verdict = admit(key, priority)
            if verdict is Verdict.DEFER:
                deferred.append(entry)
                continue
            del self._entries[key]
            if verdict is Verdict.LAUNCH:
                chosen = (key, priority)
                break
        for entry in deferred:
            heapq.heappush(self._ready, entry)
        return chosen
