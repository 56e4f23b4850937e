"""Chart keys (v / s / g) and the CSV export (e) of the selected run (one session)."""

from __future__ import annotations

import csv
from datetime import datetime

import pytest

from axom_tui.charting import MetricView
from axom_tui.store.csv_export import COLUMNS
from axom_tui.ui.messages import RunChosen
from axom_tui.ui.widgets.metric_chart import MetricChart
from ui_helpers import SIZE, make_app, record_notifications, role_id, started, wait_for


async def _select_finished(pilot, app, server, role: str = "done-contract") -> str:
    """Select a finished run and wait until the store holds all of its metrics."""
    job_id = role_id(server.sim, role)
    truth = server.sim.ground_truth(job_id)
    assert truth.status == "completed"
    app.post_message(RunChosen(job_id))
    run = app.services.store.runs[job_id]
    await wait_for(pilot, lambda: app.screen.selected == job_id, what="selection")
    await wait_for(pilot, lambda: len(run.metrics) == len(truth.metrics), what="all metrics")
    return job_id


async def test_chart_keys_and_csv_export(server, tmp_path):
    app, services = make_app(server, tmp_path)
    toasts = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        job_id = await _select_finished(pilot, app, server)
        chart = app.screen.query_one("#chart", MetricChart)
        await wait_for(pilot, lambda: chart.draws > 0 and not chart.placeholder, what="a chart")
        assert chart.view is MetricView.LOSS_GRAD and chart.smoothing and not chart.log_y

        # v cycles the views, s smoothing, g the log scale; each one redraws
        seen = []
        for _ in range(len(MetricView)):
            draws = chart.draws
            await pilot.press("v")
            seen.append(chart.view)
            await wait_for(pilot, lambda: chart.draws > draws, what="a redraw after v")
        assert seen == [MetricView.LR, MetricView.THROUGHPUT, MetricView.VRAM, MetricView.LOSS_GRAD]

        draws = chart.draws
        await pilot.press("s")
        assert chart.smoothing is False
        await wait_for(pilot, lambda: chart.draws > draws, what="a redraw after s")
        draws = chart.draws
        await pilot.press("l")
        assert chart.log_y is True
        await wait_for(pilot, lambda: chart.draws > draws, what="a redraw after g")
        await pilot.press("s", "l")
        assert chart.smoothing is True and chart.log_y is False

        # e writes every point of the run, with all its fields (as `axom-tui export`)
        run = services.store.runs[job_id]
        export_dir = app.ui_settings.export_dir
        assert not export_dir.exists() or not list(export_dir.iterdir())
        await pilot.press("e")
        await wait_for(pilot, lambda: toasts.matching("points to"), what="the export")
        files = list(export_dir.glob("*.csv"))
        assert len(files) == 1
        path = files[0]
        assert job_id[:8] in path.name
        with path.open(newline="") as handle:
            rows = list(csv.reader(handle))
        assert rows[0] == ["step", "timestamp", "cycle", "phase", *COLUMNS]
        assert len(rows) - 1 == len(run.metrics) > 100
        assert [int(r[0]) for r in rows[1:]] == [int(s) for s in run.metrics.steps]
        truth = server.sim.ground_truth(job_id).metrics
        assert [(int(r[2]), r[3]) for r in rows[1:]] == [
            (truth[int(r[0])]["cycle"], truth[int(r[0])]["phase"]) for r in rows[1:]
        ]
        for r in rows[1:]:  # the store's times: within its max_error of the stamps
            got, want = (
                datetime.fromisoformat(t.replace("Z", "+00:00"))
                for t in (r[1], truth[int(r[0])]["ts"])
            )
            assert abs((got - want).total_seconds()) <= run.metrics.times.max_error + 1e-6
        loss = run.metrics.column("loss")
        assert float(rows[-1][4]) == pytest.approx(float(loss[-1]))
        exported = toasts.matching("points to")
        assert exported and exported[-1]["title"] == "Export"
        assert f"{len(run.metrics):,}" in str(exported[-1]["message"])
