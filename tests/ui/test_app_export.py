"""`e` writes what the store holds, with each point's time as the store keeps it, and
asks the server for nothing (a 200k-point run used to cost hundreds of metrics
requests; offline, the file had no timestamps)."""

from __future__ import annotations

import csv
from datetime import datetime

from axom_tui.ui.messages import ExportRequested, RunChosen
from ui_helpers import SIZE, make_app, record_notifications, role_id, started, wait_for


def epoch(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


async def test_export_writes_the_stores_times_with_no_metrics_request(server, tmp_path) -> None:
    app, services = make_app(server, tmp_path)
    toasts = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        job_id = role_id(server.sim, "done-contract")
        truth = server.sim.ground_truth(job_id).metrics
        app.post_message(RunChosen(job_id))
        run = services.store.runs[job_id]
        await wait_for(pilot, lambda: len(run.metrics) == len(truth), what="all metrics")

        asked = []
        fetch = services.client.get_metrics

        async def counting(*args, **kwargs):
            asked.append(args)
            return await fetch(*args, **kwargs)

        services.client.get_metrics = counting  # type: ignore[method-assign]
        app.post_message(ExportRequested(job_id))  # what `e` does
        await wait_for(pilot, lambda: toasts.matching("points to"), what="the export")
        max_error = run.metrics.times.max_error
    assert asked == []
    notice = toasts.matching("points to")[-1]
    assert "timestamps within 25 ms" in str(notice["message"])
    path = next(app.ui_settings.export_dir.glob("*.csv"))
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["step"]) for r in rows] == sorted(truth)
    for r in rows:
        want = epoch(truth[int(r["step"])]["ts"])
        assert abs(epoch(r["timestamp"]) - want) <= max_error + 1e-6, r["step"]
    assert [(int(r["cycle"]), r["phase"]) for r in rows] == [
        (truth[s]["cycle"], truth[s]["phase"]) for s in sorted(truth)
    ]
