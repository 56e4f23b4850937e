"""The dashboard's side of the download engine: starts and cancels what the user asks
for (``d``, ``x``), and words the toast for a download that ended.

It is given what it needs (the store, a way to open the engine, a way to toast) rather
than the app; the app turns the engine's progress into ``DownloadProgressed`` messages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple, Protocol

from axom_tui.base.sanitize import clean_text
from axom_tui.base.units import human_bytes

if TYPE_CHECKING:
    from axom_tui.download.manager import DownloadManager
    from axom_tui.download.progress import DownloadProgress
    from axom_tui.store.run_store import RunStore


class Notify(Protocol):
    """``App.notify``'s shape."""

    def __call__(
        self,
        message: str,
        *,
        title: str = "",
        severity: str = "information",
        timeout: float | None = None,
    ) -> None: ...


class Toast(NamedTuple):
    message: str
    title: str
    severity: str
    timeout: float


class DownloadDesk:
    """Starts a run's model download and cancels one; the engine is opened on first use."""

    def __init__(
        self, store: RunStore, open_engine: Callable[[], DownloadManager], notify: Notify
    ) -> None:
        self.store = store
        self._open_engine = open_engine
        self._notify = notify

    def start(self, job_id: str) -> None:
        run = self.store.runs.get(job_id)
        if run is None or run.job is None:
            return
        name = clean_text(run.job.display_name, 60)
        if run.job.status != "completed":
            self._notify(
                f"{name} is {clean_text(run.job.status, 30)}: its model can be downloaded "
                "once it has completed.",
                severity="warning",
                timeout=5,
            )
            return
        manager = self._open_engine()  # made here, on the first download
        model = self.store.model_for_job(job_id)
        if model is not None and any(
            not t.done and t.progress.model_id == model.id for t in manager.tasks.values()
        ):
            self._notify(f"{name} is already downloading.", timeout=3)
            return
        there = manager.finished_copy(model.id) if model is not None else None
        if there is not None:
            self._notify(
                f"{name} is already downloaded: {clean_text(there.progress.dest, 120)}",
                title="Download",
                timeout=5,
            )
            return
        manager.start(model if model is not None else job_id)
        self._notify(f"Downloading the model of {name}…", title="Download", timeout=3)

    def cancel(self, task_id: str) -> None:
        if self._open_engine().cancel(task_id):
            self._notify("Download cancelled; the .part files stay so it can resume.", timeout=4)


def download_toast(snapshot: DownloadProgress) -> Toast | None:
    """What to tell the user about this progress: only a download that ended says anything."""
    if not snapshot.final:
        return None
    name = clean_text(f"{snapshot.model_name} {snapshot.version}".strip(), 60)
    if snapshot.already_present:  # every file was there and checked: nothing was fetched
        return Toast(
            f"{name} is already downloaded: {snapshot.files_total} files, "
            f"{human_bytes(snapshot.total_bytes)} in {clean_text(snapshot.dest, 120)}",
            "Already downloaded",
            "information",
            8,
        )
    if str(snapshot.state) == "done":
        return Toast(
            f"{name}: {snapshot.files_total} files, {human_bytes(snapshot.total_bytes)} "
            f"→ {clean_text(snapshot.dest, 120)}",
            "Model downloaded",
            "information",
            8,
        )
    if str(snapshot.state) == "failed":
        return Toast(f"{name}: {clean_text(snapshot.reason, 200)}", "Download failed", "error", 10)
    return None
