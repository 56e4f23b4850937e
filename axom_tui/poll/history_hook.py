"""How the scheduler meets the local run cache (``axom_tui.history``), without knowing it.

The cache seeds a run's cursors when the scheduler first tracks it (so only what comes
after the cached history is fetched, and a terminal run whose history is complete is
not fetched at all), loads a run's cached history when it comes on screen, and is
awaited before a run's metrics, logs or events are fetched (so fetched points land on
top of cached ones, never under them). No cache: ``history=None``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class FeedSeed:
    """Where a run's feeds stood when it was last written to the cache."""

    metrics_cursor: int | None = None
    logs_cursor: int | None = None
    #: Feeds of a terminal run whose final fetch was done: never fetched again.
    finished: frozenset[str] = frozenset()
    #: The cached record may be stale (the run was live when cached): ask for it once.
    recheck_job: bool = False


class RunHistory(Protocol):
    def seed(self, job_id: str) -> FeedSeed | None:
        """The cached cursors of a run the scheduler starts tracking (None: none)."""

    def prefetch(self, job_id: str) -> None:
        """The run came on screen: start loading its cached history now."""

    async def ready(self, job_id: str) -> None:
        """Return once the run's cached history (if any) is in the store."""

    def feed_finished(self, job_id: str, kind: str) -> None:
        """A terminal run's feed got its final fetch."""
