"""`e` when the server cannot be reached: what the store holds, with cycle and phase,
and a notice that says the file has no timestamps (issue 16, CSV export)."""

from __future__ import annotations

import csv

from axom_tui.api.errors import ServerError
from axom_tui.ui.messages import ExportRequested, RunChosen
from ui_helpers import SIZE, make_app, record_notifications, role_id, started, wait_for


async def test_export_offline_writes_the_store_and_says_so(server, tmp_path) -> None:
    app, services = make_app(server, tmp_path)
    toasts = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        job_id = role_id(server.sim, "done-contract")
        truth = server.sim.ground_truth(job_id).metrics
        app.post_message(RunChosen(job_id))
        run = services.store.runs[job_id]
        await wait_for(pilot, lambda: len(run.metrics) == len(truth), what="all metrics")

        async def down(*_args, **_kwargs):
            raise ServerError("GET /jobs/{id}/metrics", 503, "unavailable")

        services.client.get_metrics = down  # type: ignore[method-assign]
        app.post_message(ExportRequested(job_id))  # what `e` does
        await wait_for(pilot, lambda: toasts.matching("points to"), what="the export")
    notice = toasts.matching("points to")[-1]
    assert "no timestamps" in str(notice["message"]) and notice["severity"] == "warning"
    path = next(app.ui_settings.export_dir.glob("*.csv"))
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["step"]) for r in rows] == sorted(truth)
    assert all(r["timestamp"] == "" for r in rows)
    assert [(int(r["cycle"]), r["phase"]) for r in rows] == [
        (truth[s]["cycle"], truth[s]["phase"]) for s in sorted(truth)
    ]
