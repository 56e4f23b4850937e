"""The words the poll → store → UI path speaks, defined once.

A *feed* is one thing the scheduler polls (the job list, or one run's metrics); an
*aspect* is one thing the store says changed (a run's logs, the connection). Most feeds
fill the aspect of the same name; health and the connection are aspects with no feed
of their own. Both are string enums, so a member prints and compares as its value
(``FeedKind.LIST == "list"``), which keeps logs, stats keys and test literals readable.

The store is the lowest layer that needs them (its feed health is keyed by feed kind),
so they live here and the scheduler and the UI import them from the store.
"""

from __future__ import annotations

from enum import StrEnum


class FeedKind(StrEnum):
    """What the scheduler polls: three global feeds and five per run, and a run's tail
    (its last points, once: poll/tail.py)."""

    LIST = "list"  # GET /jobs, the job list
    MODELS = "models"
    OVERVIEW = "overview"
    JOB = "job"  # one run's record
    METRICS = "metrics"
    LOGS = "logs"
    EVENTS = "events"
    RESULT = "result"
    TAIL = "tail"

    @property
    def is_global(self) -> bool:
        return self in GLOBAL_FEEDS


class RunAspect(StrEnum):
    """What can change about one run."""

    JOB = "job"
    METRICS = "metrics"
    LOGS = "logs"
    EVENTS = "events"
    RESULT = "result"
    HEALTH = "health"  # one of its feeds started or stopped failing


class GlobalAspect(StrEnum):
    """What can change about the store as a whole."""

    LIST = "list"  # a run appeared, or the job list's order changed
    MODELS = "models"
    OVERVIEW = "overview"
    CONNECTION = "connection"
    HEALTH = "health"  # a global feed started or stopped failing


#: The global feeds, in the order the scheduler first polls them.
GLOBAL_FEEDS: tuple[FeedKind, ...] = (FeedKind.LIST, FeedKind.MODELS, FeedKind.OVERVIEW)
#: Feeds of one run asked once, not polled: its tail (last points, for the job list's
#: Loss; it fills the METRICS aspect).
ONCE_FEEDS: tuple[FeedKind, ...] = (FeedKind.TAIL,)
#: Feeds read by cursor: what one of their answers left out is not asked for again.
CURSOR_FEEDS: frozenset[FeedKind] = frozenset({FeedKind.METRICS, FeedKind.LOGS})
#: The feeds of one run.
RUN_FEEDS: tuple[FeedKind, ...] = (
    FeedKind.JOB,
    FeedKind.METRICS,
    FeedKind.LOGS,
    FeedKind.EVENTS,
    FeedKind.RESULT,
)
