"""The run store: columnar, bounded, the one truth the UI reads. Plain Python, no UI."""

from axom_tui.store.changes import ChangeSet, ChangeTracker
from axom_tui.store.health import ConnectionState, ConnectionStatus, FeedHealth, FeedKey
from axom_tui.store.log_ring import DEFAULT_LOG_CAP, LogRing
from axom_tui.store.metric_series import METRIC_COLUMNS, MetricSeries
from axom_tui.store.run_state import RunState
from axom_tui.store.run_store import JobChange, RunStore
from axom_tui.store.step_labels import StepLabels
from axom_tui.store.vocab import GLOBAL_FEEDS, RUN_FEEDS, FeedKind, GlobalAspect, RunAspect

__all__ = [
    "ChangeSet",
    "ChangeTracker",
    "ConnectionState",
    "ConnectionStatus",
    "DEFAULT_LOG_CAP",
    "FeedHealth",
    "FeedKey",
    "FeedKind",
    "GLOBAL_FEEDS",
    "GlobalAspect",
    "JobChange",
    "LogRing",
    "METRIC_COLUMNS",
    "MetricSeries",
    "RUN_FEEDS",
    "RunAspect",
    "RunState",
    "RunStore",
    "StepLabels",
]
