"""The poll scheduler: the only thing that fetches. Plain asyncio, no UI."""

from axom_tui.poll.clock import Clock, MonotonicClock, VirtualClock
from axom_tui.poll.connection_monitor import ConnectionMonitor
from axom_tui.poll.feeds import FeedState, RunTrack
from axom_tui.poll.fetch import FeedFetcher, FetchOutcome, PollClient
from axom_tui.poll.pacing import TokenBucket, backoff_delay
from axom_tui.poll.policy import (
    BACKGROUND,
    FOCUSED,
    VISIBLE,
    Attention,
    PollPolicy,
    Priority,
    RunPhase,
    background_interval,
    feeds_on_attention,
    next_interval,
    phase_of,
    wants_final_fetch,
)
from axom_tui.poll.scheduler import PollScheduler
from axom_tui.poll.stats import PollStats

__all__ = [
    "Attention",
    "BACKGROUND",
    "Clock",
    "ConnectionMonitor",
    "FOCUSED",
    "VirtualClock",
    "FeedFetcher",
    "FeedState",
    "FetchOutcome",
    "MonotonicClock",
    "PollClient",
    "PollPolicy",
    "PollScheduler",
    "PollStats",
    "Priority",
    "RunPhase",
    "RunTrack",
    "TokenBucket",
    "VISIBLE",
    "background_interval",
    "backoff_delay",
    "feeds_on_attention",
    "next_interval",
    "phase_of",
    "wants_final_fetch",
]
