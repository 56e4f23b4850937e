"""Focus keys at sizes that hide a pane: the keys that follow act on what the user sees."""

from __future__ import annotations

from axom_tui.ui.pane_focus import is_shown
from axom_tui.ui.widgets.job_table import JobTable
from axom_tui.ui.widgets.log_view import LogView
from axom_tui.ui.widgets.timeline import Timeline
from ui_helpers import app_on, sim_server, wait_for


async def test_p_at_80_columns_opens_the_lifecycle_pane_maximized_and_z_restores(tmp_path):
    with sim_server() as server:
        async with app_on(server, tmp_path, size=(80, 24)) as (app, _, pilot, _):
            await pilot.pause()
            timeline = app.screen.query_one(Timeline)
            assert not is_shown(timeline)
            await pilot.press("P")
            await pilot.pause()
            assert app.screen.focused is timeline and app.screen.maximized is timeline
            assert is_shown(timeline)
            await pilot.press("z")
            await pilot.pause()
            assert app.screen.maximized is None


async def test_a_resize_that_hides_the_focused_pane_moves_focus_to_the_job_list(tmp_path):
    with sim_server() as server:
        async with app_on(server, tmp_path, size=(160, 48)) as (app, _, pilot, _):
            await pilot.press("L")
            await pilot.pause()
            assert isinstance(app.screen.focused, LogView)
            await pilot.resize_terminal(50, 15)
            await wait_for(
                pilot,
                lambda: isinstance(app.screen.focused, JobTable),
                what="focus to leave the hidden log pane",
            )
            assert is_shown(app.screen.focused)
