"""RunState: everything held about one run."""

from __future__ import annotations

from dataclasses import dataclass, field

from axom_tui.api.records import Event, Job, Result
from axom_tui.store.health import FeedHealth
from axom_tui.store.log_ring import DEFAULT_LOG_CAP, LogRing
from axom_tui.store.metric_series import MetricSeries
from axom_tui.store.vocab import FeedKind


@dataclass
class RunState:
    job_id: str
    job: Job | None = None
    metrics: MetricSeries = field(default_factory=MetricSeries)
    logs: LogRing = field(default_factory=lambda: LogRing(DEFAULT_LOG_CAP))
    events: list[Event] = field(default_factory=list)
    result: Result | None = None
    #: Health of each of this run's feeds, by feed kind.
    feeds: dict[FeedKind, FeedHealth] = field(default_factory=dict)
    #: The last few losses of the run (and the step of the last), fetched once when it
    #: was first listed (poll/tail.py): the job list's figure until ``metrics`` reach it.
    tail_losses: list[float] = field(default_factory=list)
    tail_step: int | None = None
    #: True once the API answered 404 for this run: it was deleted; data is kept.
    gone: bool = False
    #: Monotonic time of the last change to anything above (None: never).
    last_update: float | None = None
    #: Incremented on every change, so a widget can tell whether to redraw.
    version: int = 0

    @property
    def status(self) -> str | None:
        return self.job.status if self.job is not None else None

    def feed(self, kind: FeedKind) -> FeedHealth:
        health = self.feeds.get(kind)
        if health is None:
            health = self.feeds[kind] = FeedHealth()
        return health
