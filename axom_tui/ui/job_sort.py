"""How the job list orders runs: newest first, or by name, status or progress."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from axom_tui.ui.derive import progress_of

if TYPE_CHECKING:
    from axom_tui.store import RunStore

SORTS = ("newest", "name", "status", "progress")
SORT_COLUMN = {"name": "name", "status": "status", "progress": "progress"}  # sort -> column key
STATUS_ORDER = {s: i for i, s in enumerate(
    ("running", "checkpointing", "uploading", "preempted", "staging", "provisioning", "queued",
     "failed", "completed"))}


def sort_key(store: RunStore, mode: str) -> Callable[[str], tuple[object, ...]]:
    """A key for ``sorted`` over job ids; ties (and "newest") keep the job list's order."""
    order = {jid: i for i, jid in enumerate(store.order)}
    runs = store.runs

    def key(job_id: str) -> tuple[object, ...]:
        run = runs.get(job_id)
        job = run.job if run else None
        newest = order.get(job_id, len(order))
        if mode == "name":
            return (job.display_name.lower() if job else "", newest)
        if mode == "status":
            return (STATUS_ORDER.get(job.status if job else "", 99), newest)
        if mode == "progress":
            last = run.metrics.last_step if run and len(run.metrics) else None
            return (-(progress_of(job, last).fraction or 0.0), newest)
        return (newest,)

    return key
