"""The lifecycle pane on the dashboard: a finished run's final phase stays in view with the
downloads panel open, and the pane can be focused and scrolled back to its first phase."""

from __future__ import annotations

from axom_tui.ui.messages import RunChosen
from axom_tui.ui.widgets.downloads_panel import DownloadsPanel
from axom_tui.ui.widgets.timeline import Timeline
from ui_helpers import app_on, role_id, screen_text, sim_server, wait_for


def info_column(app) -> str:
    """The left column of the detail area (result card and lifecycle), as text."""
    info = app.screen.query_one("#info")
    region = info.region
    rows = screen_text(app).splitlines()[region.y : region.bottom]
    return "\n".join(row[region.x : region.right] for row in rows)


async def test_the_final_phase_stays_in_view_with_the_downloads_panel_open(tmp_path):
    with sim_server() as server:
        async with app_on(server, tmp_path, size=(120, 40)) as (app, services, pilot, _):
            done = role_id(server.sim, "done-contract")
            store = services.store
            await wait_for(pilot, lambda: store.model_for_job(done) is not None, what="models")
            app.post_message(RunChosen(done))
            await wait_for(
                pilot,
                lambda: store.runs[done].events and store.runs[done].result,
                what="the run's events and result",
            )
            await pilot.pause()
            assert "✓ completed" in info_column(app)
            await pilot.press("d")
            panel = app.screen.query_one(DownloadsPanel)
            await wait_for(
                pilot,
                lambda: any(str(s.state) == "done" for s in panel.snapshots.values()),
                timeout=20,
                what="the download",
            )
            await pilot.pause()
            column = info_column(app)
            assert "Result" in column and "✓ completed" in column, column


async def test_the_lifecycle_pane_takes_focus_and_scrolls_to_the_first_phase(tmp_path):
    with sim_server() as server:
        async with app_on(server, tmp_path, size=(160, 30)) as (app, services, pilot, _):
            done = role_id(server.sim, "done-big")
            app.post_message(RunChosen(done))
            timeline = app.screen.query_one(Timeline)
            await wait_for(
                pilot,
                lambda: (
                    timeline.job_id == done  # its phases, not "no events"
                    and any("uploading" in line for line in timeline.lines)
                ),
                what="the run's lifecycle",
            )
            await pilot.press("P")
            await wait_for(pilot, lambda: app.focused is timeline, what="the pane's focus")
            await pilot.press("g")
            await pilot.pause()
            assert "queued" in info_column(app) or "provisioning" in info_column(app)
            await pilot.press("G")
            await pilot.pause()
            assert "✓ completed" in info_column(app)
