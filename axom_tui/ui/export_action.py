"""The `e` key: a run's metrics as CSV, from what the store holds (no request).

The file has the columns `axom-tui export` writes; the times are the store's (within
its ``max_error`` of the stamps: see :mod:`axom_tui.store.csv_export`), so an opened
bundle and a cached run export with timestamps too.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from axom_tui.base.sanitize import clean_text
from axom_tui.store.csv_export import export_path, points_from_series, times_note, write_csv_file

if TYPE_CHECKING:
    from axom_tui.ui.app import AxomApp


def start_export(app: AxomApp, job_id: str) -> None:
    run = app.services.store.runs.get(job_id)
    if run is None:
        return
    folder = app.ui_settings.export_dir or Path.cwd()
    name = run.job.display_name if run.job else None
    app.run_worker(
        _export(app, job_id, export_path(folder, name, job_id)),
        name=f"export-{job_id}",
        group=f"export-{job_id}",
        exclusive=True,
        exit_on_error=False,
    )


async def _export(app: AxomApp, job_id: str, path: Path) -> None:
    run = app.services.store.runs.get(job_id)
    if run is None:
        return
    points = points_from_series(run.metrics)
    note = times_note(run.metrics)
    latest = run.job.latest_step if run.job is not None else None
    last = run.metrics.last_step
    if latest is not None and (last is None or last < latest):
        note += f"; the run's steps up to {last or 0:,} of {latest:,} (fetched so far)"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        rows = await asyncio.to_thread(write_csv_file, points, path)
    except OSError as exc:
        app.notify(f"Export failed: {clean_text(exc, 160)}", title="Export", severity="error")
        return
    app.notify(
        f"Wrote {rows:,} points to {clean_text(path, 160)} ({note})",
        title="Export",
        severity="information",
    )
