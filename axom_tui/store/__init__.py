"""The run store: columnar, bounded, the one truth the UI reads. Plain Python, no UI."""

from axom_tui.store.changes import GLOBAL_ASPECTS, RUN_ASPECTS, ChangeTracker, Changes
from axom_tui.store.health import (
    GLOBAL_FEEDS, RUN_FEEDS, ConnectionState, ConnectionStatus, FeedHealth, FeedKey,
)
from axom_tui.store.log_ring import DEFAULT_LOG_CAP, LogRing
from axom_tui.store.metric_series import METRIC_COLUMNS, MetricSeries
from axom_tui.store.run_state import RunState
from axom_tui.store.run_store import JobChange, RunStore
from axom_tui.store.step_labels import StepLabels

__all__ = [
    "ChangeTracker", "Changes", "ConnectionState", "ConnectionStatus", "DEFAULT_LOG_CAP",
    "FeedHealth", "FeedKey", "GLOBAL_ASPECTS", "GLOBAL_FEEDS", "JobChange", "LogRing",
    "METRIC_COLUMNS", "MetricSeries", "RUN_ASPECTS", "RUN_FEEDS", "RunState", "RunStore",
    "StepLabels",
]
