"""Glue between the `d` key, the DownloadManager and the downloads panel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from axom_tui.download import DownloadProgress
from axom_tui.sanitize import clean_text
from axom_tui.units import human_bytes

if TYPE_CHECKING:
    from axom_tui.ui.app import AxomApp


def start_download_for(app: AxomApp, job_id: str) -> None:
    services = app.services
    run = services.store.runs.get(job_id)
    if run is None or run.job is None:
        return
    name = clean_text(run.job.display_name, 60)
    if run.job.status != "completed":
        app.notify(f"{name} is {clean_text(run.job.status, 30)}: its model can be downloaded once it "
                   "has completed.", severity="warning", timeout=5)
        return
    manager = services.downloads  # made here, on the first download
    model = services.store.model_for_job(job_id)
    if model is not None and any(not t.done and t.progress.model_id == model.id for t in manager.tasks.values()):
        app.notify(f"{name} is already downloading.", timeout=3)
        return
    if app.ui_settings.download_dir is not None:
        manager.base_dir = app.ui_settings.download_dir
    manager.start(model if model is not None else job_id)
    app.notify(f"Downloading the model of {name}…", title="Download", timeout=3)


def on_download_progress(app: AxomApp, snapshot: object) -> None:
    if not isinstance(snapshot, DownloadProgress):
        return
    from axom_tui.ui.widgets.downloads_panel import DownloadsPanel

    for screen in app.screen_stack:
        for panel in screen.query(DownloadsPanel):
            panel.show(snapshot)
    if snapshot.final:
        name = clean_text(f"{snapshot.model_name} {snapshot.version}".strip(), 60)
        if str(snapshot.state) == "done":
            app.notify(f"{name}: {snapshot.files_total} files, {human_bytes(snapshot.total_bytes)} "
                       f"→ {clean_text(snapshot.dest, 120)}", title="Model downloaded", timeout=8)
        elif str(snapshot.state) == "failed":
            app.notify(f"{name}: {clean_text(snapshot.reason, 200)}", title="Download failed",
                       severity="error", timeout=10)
