"""Model downloads from the dashboard (d) and finished-run notifications."""

from __future__ import annotations

from axom_tui.ui.messages import RunChosen
from axom_tui.ui.widgets.downloads_panel import DownloadsPanel
from axom_tui.ui.widgets.header_bar import HeaderBar
from axom_tui.ui.widgets.job_table import JobTable
from ui_helpers import (
    app_on,
    choose,
    role_id,
    wait_for,
    widget_text,
)


async def test_download_a_completed_runs_model(server, tmp_path):
    async with app_on(server, tmp_path) as (app, services, pilot, toasts):
        store = services.store
        sim = server.sim
        done = role_id(sim, "done-contract")
        await wait_for(pilot, lambda: store.model_for_job(done) is not None, what="the models list")
        model = store.model_for_job(done)
        app.post_message(RunChosen(done))
        await wait_for(pilot, lambda: app.screen.selected == done, what="selection")
        panel = app.screen.query_one(DownloadsPanel)
        assert not panel.display or not panel.has_class("-active")

        await pilot.press("d")
        assert toasts.matching("Downloading the model")
        await wait_for(
            pilot,
            lambda: any(str(s.state) == "done" for s in panel.snapshots.values()),
            timeout=20,
            what="the download to finish",
        )
        snap = next(iter(panel.snapshots.values()))
        assert snap.model_id == model.id
        assert panel.has_class("-active") and panel.display
        table = panel.query_one("#download-table")
        assert table.get_cell(snap.task_id, "state").plain == "done"
        files_cell = table.get_cell(snap.task_id, "files").plain
        assert files_cell == f"{snap.files_total}/{snap.files_total}"

        expected = {e.rel: e.size for e in sim.storage.files(sim.visible_model(model.id))}
        assert expected and snap.files_total == len(expected)
        base = app.ui_settings.download_dir
        on_disk = {
            p.relative_to(snap.dest).as_posix(): p.stat().st_size
            for p in snap.dest.rglob("*")
            if p.is_file()
        }
        assert snap.dest.is_relative_to(base)
        assert on_disk == expected
        for rel in expected:
            assert (snap.dest / rel).read_bytes() == sim.read_range(model.id, rel)

        await wait_for(pilot, lambda: toasts.matching("Model downloaded"), what="the done toast")
        toast = toasts.matching("Model downloaded")[-1]
        assert f"{len(expected)} files" in str(toast["message"])

        # a run that is still going: d only warns
        running = role_id(sim, "nan")
        assert store.runs[running].job.status in ("running", "checkpointing")
        app.post_message(RunChosen(running))
        await wait_for(
            pilot,
            lambda: app.screen.query_one(JobTable).selected_job_id == running,
            what="the running run",
        )
        tasks = len(services.downloads.tasks)
        await pilot.press("d")
        warnings = toasts.with_severity("warning")
        assert warnings and "once it" in str(warnings[-1]["message"])
        assert len(services.downloads.tasks) == tasks


async def test_watched_run_finishing_notifies(server, tmp_path):
    async with app_on(server, tmp_path) as (app, services, pilot, toasts):
        store = services.store
        near = await choose(
            pilot, app, server.sim, "near-finish"
        )  # completes 150 simulated s after start
        assert store.runs[near].job.status != "completed"
        assert app.notifier.sent == []

        await wait_for(
            pilot,
            lambda: (near, "completed") in app.notifier.sent,
            timeout=20,
            what="the completion notification",
        )
        assert store.runs[near].job.status == "completed"
        # on the dashboard the news goes to the header (a repaint), not a toast (a layout)
        header = app.screen.query_one(HeaderBar)
        name = store.runs[near].job.display_name
        assert [(n.title, n.body, n.error) for n in header.notices] == [
            ("Run completed", name, False)
        ]
        assert f"✓ Run completed  {name}" in widget_text(header)
        assert not toasts.matching("Run completed")
        # under a dialog (no header of its own) the news still goes to the header: once
        app.action_help()
        await pilot.pause()
        app.show_notice("Run failed", "other-run — out of memory", error=True)
        assert not toasts.matching("Run failed")
        assert header.notices[-1].body == "other-run — out of memory" and header.notices[-1].error
        # runs that were already finished at start-up are not news
        already = role_id(server.sim, "done-train")
        assert all(job_id != already for job_id, _ in app.notifier.sent)


async def test_a_run_nobody_looked_at_finishing_is_not_news(server, tmp_path):
    async with app_on(server, tmp_path) as (app, services, pilot, toasts):
        store = services.store
        near = role_id(server.sim, "near-finish")  # completes 150 simulated s after start
        assert app.screen.selected != near
        await wait_for(
            pilot,
            lambda: store.runs[near].job.status == "completed",
            timeout=20,
            what="the run to complete",
        )
        await pilot.pause(0.5)  # the flush that would carry the notice
        assert app.notifier.sent == []
        assert app.screen.query_one(HeaderBar).notices == [] and not toasts.matching("Run")
