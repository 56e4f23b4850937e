"""The `e` key: a run's metrics as CSV, fetched whole from the API in a worker.

The file is the one `axom-tui export` writes (see :mod:`axom_tui.store.csv_export` for why it is
fetched rather than taken from the store). Offline, the points the store holds are
written instead, without timestamps, and the notice says so.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from axom_tui.api.errors import AxomError
from axom_tui.base.sanitize import clean_text
from axom_tui.store.csv_export import export_path, fetch_points, points_from_series, write_csv_file

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
    note = ""
    try:
        points = await fetch_points(app.services.client, job_id)
    except AxomError as exc:
        run = app.services.store.runs.get(job_id)
        points = points_from_series(run.metrics) if run is not None else []
        note = (
            f" (held here: the server did not answer, {clean_text(exc.message, 80)}; no timestamps)"
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        rows = await asyncio.to_thread(write_csv_file, points, path)
    except OSError as exc:
        app.notify(f"Export failed: {clean_text(exc, 160)}", title="Export", severity="error")
        return
    app.notify(
        f"Wrote {rows:,} points to {clean_text(path, 160)}{note}",
        title="Export",
        severity="warning" if note else "information",
    )
