"""PollStats: what the scheduler did, for benchmarks, tests and a debug panel."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from axom_tui.store.health import FeedKey
from axom_tui.store.vocab import FeedKind


@dataclass
class PollStats:
    started_at: float | None = None
    total: int = 0
    by_kind: Counter[FeedKind] = field(default_factory=Counter)
    by_job: Counter[str] = field(default_factory=Counter)
    by_feed: Counter[FeedKey] = field(default_factory=Counter)
    errors_by_kind: Counter[FeedKind] = field(default_factory=Counter)
    #: Monotonic time each feed last succeeded (per-run staleness for benchmarks).
    last_ok: dict[FeedKey, float] = field(default_factory=dict)
    #: Monotonic start time of the last request of each feed.
    last_request: dict[FeedKey, float] = field(default_factory=dict)
    max_in_flight: int = 0

    def record_request(self, key: FeedKey, now: float, in_flight: int) -> None:
        self.total += 1
        self.by_kind[key.kind] += 1
        self.by_feed[key] += 1
        self.last_request[key] = now
        if key.job_id is not None:
            self.by_job[key.job_id] += 1
        self.max_in_flight = max(self.max_in_flight, in_flight)

    def record_ok(self, key: FeedKey, now: float) -> None:
        self.last_ok[key] = now

    def record_error(self, key: FeedKey) -> None:
        self.errors_by_kind[key.kind] += 1

    def requests_per_second(self, now: float) -> float:
        if self.started_at is None or now <= self.started_at:
            return 0.0
        return self.total / (now - self.started_at)

    def staleness(self, key: FeedKey, now: float) -> float | None:
        """Seconds since ``key`` last succeeded (None: never)."""
        last = self.last_ok.get(key)
        return None if last is None else now - last
