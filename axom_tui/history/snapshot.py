"""What the event loop hands the writer thread: copies, never live store objects.

A snapshot is taken on the event loop in one go (no await in between), so the data and
the cursors in it belong together: the cursors were set by the very fetches whose
points and lines the snapshot carries. Records (``Job``, ``Event``, ...) are frozen and
shared as they are; arrays and lists are copied.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from axom_tui.api.records import Event, Job, LogLine, Model, Result
from axom_tui.history.codec import LabelRuns, MetricRows


@dataclass(frozen=True, slots=True)
class Progress:
    """Where each feed of a run stands: the cursors to resume from and the feeds a
    terminal run needs no more of."""

    metrics_cursor: int | None = None
    logs_cursor: int | None = None
    finished: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class RunSnapshot:
    job_id: str
    #: The ``runs.gen`` this process's view of the run is based on (None: it has not
    #: seen the run in the cache).
    gen: int | None = None
    #: Each is None when unchanged since the last snapshot.
    job: Job | None = None
    events: tuple[Event, ...] | None = None
    result: Result | None = None
    labels: LabelRuns | None = None
    #: Points held from some index of the store's series to its end.
    metrics: MetricRows | None = None
    #: ``metrics`` starts at the series' first point and the series holds everything
    #: the cache held (its cached points were loaded): together with complete logs,
    #: the cursors may be written whatever the file holds.
    complete: bool = False
    logs: tuple[LogLine, ...] = ()
    #: None: leave the cursors in the file as they are.
    progress: Progress | None = None
    #: The user looked at the run (wall-clock seconds): least recently viewed runs go
    #: first when the cache is over its size cap.
    viewed_at: float | None = None

    @property
    def has_data(self) -> bool:
        return (
            self.job is not None
            or self.events is not None
            or self.result is not None
            or self.labels is not None
            or self.metrics is not None
            or bool(self.logs)
            or self.progress is not None
        )


@dataclass(frozen=True, slots=True)
class Batch:
    runs: tuple[RunSnapshot, ...] = ()
    order: tuple[str, ...] | None = None
    models: tuple[Model, ...] | None = None
    #: Runs this process holds in memory: evicted last.
    held: frozenset[str] = frozenset()
    #: Sequence number, so the loop can match the writer's answer to what it sent.
    number: int = 0


@dataclass(frozen=True, slots=True)
class RunWritten:
    job_id: str
    gen: int
    #: The file had a different ``gen`` and this snapshot was partial: the cursors were
    #: not written; send everything next time.
    needs_full: bool = False


@dataclass(frozen=True, slots=True)
class BatchResult:
    number: int
    runs: tuple[RunWritten, ...] = ()
    error: BaseException | None = None
    evicted: tuple[str, ...] = field(default_factory=tuple)
