"""The chart marks where a run resumed, also for a run preempted before the app started."""

from __future__ import annotations

from axom_tui.sim import ManualClock, SimConfig, SimServer, Simulator
from axom_tui.ui.messages import RunChosen
from axom_tui.ui.widgets.metric_chart import MetricChart
from ui_helpers import KEY, SIZE, make_app, role_id, started, wait_for


async def test_a_run_preempted_before_start_shows_its_resume_point(tmp_path):
    sim = Simulator(
        SimConfig(seed=7, key=KEY, history_runs=0, submit_every=0.0, model_bytes=256_000),
        clock=ManualClock(),
    )
    sim.clock.advance(900.0)  # preempted at ~240 s from its checkpoint at 1000, resumed since
    job_id = role_id(sim, "preempt-twice")
    server = SimServer(sim, host="127.0.0.1", port=0)
    server.start()
    try:
        app, _services = make_app(server, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await started(pilot, app)
            app.post_message(RunChosen(job_id))
            chart = app.screen.query_one(MetricChart)
            await wait_for(
                pilot,
                lambda: chart._run_data is not None and chart._run_data.resume_points == (1000,),
                what="the resume point at the checkpoint",
            )
            run = app.services.store.runs[job_id]
            assert run.job.retries >= 1 and run.metrics.resume_points == []  # nothing seen live
    finally:
        server.stop()
