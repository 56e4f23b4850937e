"""How the job list orders and filters runs: newest first, or by any of its columns,
either way round; a filter matches names, statuses and types.

Each column sorts the way its question is asked first ("which is furthest along?": most
progress first; "which ends soonest?": the shortest ETA first); ``O`` turns it round.
Runs without a figure for the column (no loss yet, no ETA) go last either way, and ties
keep the job list's own order (newest first).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from axom_tui.view.derive import elapsed_seconds, progress_of
from axom_tui.view.format import utcnow

if TYPE_CHECKING:
    from axom_tui.store import RunStore
    from axom_tui.store.run_state import RunState

NEWEST = "newest"
SORTS = (NEWEST, "name", "type", "status", "progress", "loss", "retries", "elapsed", "eta", "cost")
SORT_COLUMN = {mode: mode for mode in SORTS if mode != NEWEST}  # sort -> column key
STATUS_ORDER = {
    s: i
    for i, s in enumerate(
        (
            "running",
            "checkpointing",
            "uploading",
            "preempted",
            "staging",
            "provisioning",
            "queued",
            "failed",
            "completed",
        )
    )
}

#: Columns whose first order is the largest value first (their figures are negated).
DESCENDING_FIRST = frozenset({"progress", "retries", "elapsed", "cost"})


def ascending(column: str, reverse: bool) -> bool:
    """Whether a column sorted this way runs from its smallest value up (A→Z, lowest loss)."""
    return (column in DESCENDING_FIRST) == reverse


Figure = Callable[[str], "float | str | None"]


def _figures(store: RunStore, eta_of: Callable[[str], float | None]) -> dict[str, Figure]:
    from axom_tui.view.derive import latest_loss

    runs = store.runs
    now = utcnow()

    def run(job_id: str) -> RunState | None:
        return runs.get(job_id)

    def job_attr(name: str) -> Figure:
        def figure(job_id: str) -> str | None:
            state = run(job_id)
            job = state.job if state else None
            return None if job is None else str(getattr(job, name)).lower()

        return figure

    def progress(job_id: str) -> float | None:
        state = run(job_id)
        if state is None:
            return None
        last = state.metrics.last_step if len(state.metrics) else None
        fraction = progress_of(state.job, last).fraction
        return None if fraction is None else -fraction  # furthest along first

    def status(job_id: str) -> float | None:
        state = run(job_id)
        return STATUS_ORDER.get(state.job.status, 99) if state and state.job else None

    def loss(job_id: str) -> float | None:
        state = run(job_id)
        return None if state is None else latest_loss(state)  # lowest first

    def retries(job_id: str) -> float | None:
        state = run(job_id)
        return -state.job.retries if state and state.job else None  # most first

    def elapsed(job_id: str) -> float | None:
        state = run(job_id)
        seconds = elapsed_seconds(state.job, now) if state else None
        return None if seconds is None else -seconds  # longest first

    def cost(job_id: str) -> float | None:
        state = run(job_id)
        result = state.result if state else None
        return None if result is None or result.cost_usd is None else -result.cost_usd

    return {
        "name": lambda j: s.job.display_name.lower() if (s := run(j)) and s.job else None,
        "type": job_attr("type"),
        "status": status,
        "progress": progress,
        "loss": loss,
        "retries": retries,
        "elapsed": elapsed,
        "eta": eta_of,
        "cost": cost,
    }


def sort_runs(
    store: RunStore,
    job_ids: list[str],
    mode: str,
    reverse: bool = False,
    eta_of: Callable[[str], float | None] = lambda _job_id: None,
) -> list[str]:
    """``job_ids`` in the order of ``mode`` (``reverse``: the other way round)."""
    order = {jid: i for i, jid in enumerate(store.order)}
    newest = sorted(job_ids, key=lambda jid: order.get(jid, len(order)))
    if mode not in SORT_COLUMN:
        return newest[::-1] if reverse else newest
    figure = _figures(store, eta_of)[mode]
    values = {jid: figure(jid) for jid in newest}
    known = [jid for jid in newest if values[jid] is not None]
    unknown = [jid for jid in newest if values[jid] is None]
    # sorted() is stable with reverse too: ties keep the newest-first order
    return sorted(known, key=lambda jid: values[jid], reverse=reverse) + unknown  # type: ignore[arg-type,return-value]


def run_matches(store: RunStore, job_id: str, text: str) -> bool:
    """Whether the filter ``text`` matches the run's name, status or type."""
    if not text:
        return True
    run = store.runs.get(job_id)
    job = run.job if run else None
    if job is None:
        return False
    needle = text.lower()
    return (
        needle in job.display_name.lower()
        or needle in job.status.lower()
        or needle in job.type.lower()
    )


def describe(mode: str, reverse: bool) -> str:
    return f"Sorted by {mode}" + (", reversed" if reverse else "")
