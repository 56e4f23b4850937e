"""The dashboard's downloads, the second time round: `d` on a model that is already
there, a panel that can be closed and cleared, and `q` while downloads run."""

from __future__ import annotations

from axom_tui.sim import FaultConfig
from axom_tui.ui.messages import RunChosen
from axom_tui.ui.screens.help import binding_sections
from axom_tui.ui.screens.quit_confirm import QuitConfirmScreen
from axom_tui.ui.widgets.downloads_panel import DownloadsPanel
from axom_tui.ui.widgets.job_table import JobTable
from ui_helpers import (
    app_on,
    role_id,
    wait_for,
)


async def _select_done_run(pilot, app, server) -> str:
    done = role_id(server.sim, "done-contract")
    await wait_for(
        pilot, lambda: app.services.store.model_for_job(done) is not None, what="the models list"
    )
    app.post_message(RunChosen(done))
    await wait_for(pilot, lambda: app.screen.selected == done, what="selection")
    return done


def _finished(panel: DownloadsPanel) -> list:
    return [s for s in panel.snapshots.values() if s.final]


async def _download_the_done_run(pilot, app, server) -> DownloadsPanel:
    """Select the finished run, press d, wait for its download to end; the panel."""
    await _select_done_run(pilot, app, server)
    panel = app.screen.query_one(DownloadsPanel)
    await pilot.press("d")
    await wait_for(pilot, lambda: _finished(panel), timeout=20, what="the download")
    return panel


async def test_d_on_a_model_already_downloaded_says_so(server, tmp_path) -> None:
    async with app_on(server, tmp_path) as (app, services, pilot, toasts):
        panel = await _download_the_done_run(pilot, app, server)
        dest = _finished(panel)[0].dest
        starts = len(toasts.matching("Downloading the model"))
        await pilot.press("d")
        await pilot.pause()
        already = toasts.matching("is already downloaded")
        assert already and str(dest) in str(already[-1]["message"])
        assert len(toasts.matching("Downloading the model")) == starts  # nothing started
        assert len(services.downloads.tasks) == 1
        assert panel.query_one("#download-table").row_count == 1


async def test_a_model_on_disk_from_an_earlier_session_is_checked_not_fetched(
    server, tmp_path
) -> None:
    for session in (1, 2):  # the same download folder, a new app each time
        async with app_on(server, tmp_path) as (app, _, pilot, toasts):
            panel = await _download_the_done_run(pilot, app, server)
            await pilot.pause()
            snap = _finished(panel)[0]
            assert str(snap.state) == "done"
            state = panel.query_one("#download-table").get_cell(snap.task_id, "state").plain
            if session == 1:
                assert toasts.matching("Model downloaded") and state == "done"
            else:
                assert snap.received_bytes == 0
                assert toasts.matching("Already downloaded") and state == "up to date"
                assert not toasts.matching("Model downloaded")


async def test_the_downloads_panel_closes_reopens_and_clears(server, tmp_path) -> None:
    async with app_on(server, tmp_path) as (app, _, pilot, _):
        panel = await _download_the_done_run(pilot, app, server)
        await pilot.press("D")
        assert panel.display and app.focused is panel.query_one("#download-table")
        await pilot.press("escape")
        await pilot.pause()
        assert not panel.display
        assert isinstance(app.focused, JobTable)
        await pilot.press("D")
        assert panel.display
        await pilot.press("C")
        await pilot.pause()
        assert panel.snapshots == {} and panel.query_one("#download-table").row_count == 0
        assert not panel.display and isinstance(app.focused, JobTable)
        # the keys have ids (remappable) and are listed by `?`
        sections = dict(binding_sections(type(app)))
        ids = {b.id for b in sections["Downloads"]}
        assert {"downloads.cancel", "downloads.clear", "downloads.close"} <= ids


async def test_q_while_a_download_runs_asks_first(server, tmp_path) -> None:
    async with app_on(server, tmp_path) as (app, services, pilot, _):
        await _select_done_run(pilot, app, server)
        server.sim.faults = FaultConfig(storage_bps=20_000)  # ~13 s per file: still running
        await pilot.press("d")

        def running() -> list:
            manager = services.downloads
            return [t for t in manager.tasks.values() if not t.done] if manager else []

        await wait_for(
            pilot,
            lambda: running() and running()[0].progress.done_bytes > 0,
            what="the download to be under way",
        )
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, QuitConfirmScreen)
        assert "resume" in " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert app.return_code is None
        await pilot.press("n")
        await pilot.pause()
        assert not isinstance(app.screen, QuitConfirmScreen) and app.return_code is None
        assert running()  # still going
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app.return_code == 0
    parts = list((tmp_path / "downloads").rglob("*.part"))
    assert parts, "the .part files stay for the next time"


async def test_q_with_no_download_running_quits_at_once(server, tmp_path) -> None:
    async with app_on(server, tmp_path) as (app, _, pilot, _):
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code == 0
