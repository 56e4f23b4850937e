"""Replay says so in every pane, and leaves the job list as it was: the replayed run's row
keeps its place (sorted and filtered by its record now) and shows the figures the run
summary shows."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta

from axom_tui.api.records import Event
from axom_tui.cli.launch import bundle_services
from axom_tui.history.bundle import make_bundle
from axom_tui.ui.app import AxomApp
from axom_tui.ui.settings import UiSettings
from axom_tui.ui.widgets.cursor_chart import CursorChart
from axom_tui.ui.widgets.header_bar import HeaderBar
from axom_tui.ui.widgets.job_table import JobTable
from axom_tui.ui.widgets.log_view import LogView
from axom_tui.ui.widgets.replay_bar import ReplayBar
from axom_tui.ui.widgets.run_summary import RunSummary
from history_helpers import T0, job, pt
from sessions import new_api
from test_history_bundle import no_network, screen_text, wait_until
from test_history_replay import DONE, FAILED, open_on_failed

__all__ = ["no_network"]  # the fixture, used by name


def drawn_rows(table: JobTable) -> list[str]:
    return [table.render_line(y).text for y in range(1, table.row_count + 1)]


def summary_loss(summary: RunSummary) -> str:
    """The smoothed (or final) loss the summary gives beside the latest point's."""
    found = re.search(r"(?:avg|final) (\S+)", summary.content.plain) or re.search(
        r"loss (\S+)", summary.content.plain
    )
    assert found is not None, summary.content.plain
    return found.group(1)


async def on_the_failed_run(pilot, app: AxomApp, services):
    """The failed run chosen (second in the list) with its whole history held."""
    await wait_until(lambda: DONE in services.store.runs)
    screen = app.screen
    await pilot.press("down")
    await wait_until(lambda: screen.selected == FAILED)
    await wait_until(lambda: len(services.store.runs[FAILED].metrics) == 1500)
    await pilot.pause(0.3)
    return screen


async def test_replay_keeps_the_row_in_place_and_says_replay_everywhere(tmp_path, no_network):
    app, services = await open_on_failed(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(lambda: DONE in services.store.runs)
        screen = app.screen
        table = screen.query_one(JobTable)
        await pilot.press("slash", "o", "enter")  # both names hold an "o"
        for _ in range(3):  # newest → name → type → status
            await pilot.press("o")
        assert table.sort_mode == "status"
        await wait_until(lambda: table.row_count == 2)
        table.focus()
        order = table.visible_job_ids()
        await pilot.press("home" if order[0] == FAILED else "end")
        await wait_until(lambda: screen.selected == FAILED)
        await wait_until(lambda: len(services.store.runs[FAILED].metrics) == 1500)
        await pilot.pause(0.3)

        await pilot.press("R")
        await pilot.pause(0.1)
        await pilot.press("left_square_bracket", "comma")  # before it failed: running then
        await pilot.pause(0.2)
        assert "running" in table.get_cell(FAILED, "status").plain
        assert table.visible_job_ids() == order  # sorted by its status now, not then
        rows = drawn_rows(table)
        assert any("broken-overnight" in row for row in rows), rows
        assert table.get_cell(FAILED, "loss").plain == summary_loss(screen.query_one(RunSummary))

        header = screen.query_one(HeaderBar).content.plain
        assert "replay as of" in header and "feeds" in header
        log_status = screen.query_one(LogView).status.render_plain()
        assert "FOLLOW" in log_status  # the view itself follows the moment's tail…
        shown = screen_text(app)
        assert "REPLAY as of" in shown and "FOLLOW" not in shown  # …but says replay
        assert "Exit replay" in shown and "esc Live" not in shown
        assert "esc exit replay" in screen.query_one(ReplayBar).content.plain

        await pilot.press("escape")
        await pilot.pause(0.2)
        shown = screen_text(app)
        assert "replay as of" not in shown and "REPLAY" not in shown and "FOLLOW" in shown
        await pilot.press("q")


async def test_the_summary_gives_the_job_lists_loss_live_too(tmp_path, no_network):
    app, services = await open_on_failed(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await on_the_failed_run(pilot, app, services)
        summary = screen.query_one(RunSummary)
        table = screen.query_one(JobTable)
        assert table.get_cell(FAILED, "loss").plain == summary_loss(summary)
        await pilot.press("q")


async def test_the_chart_cursor_moves_the_moment_and_never_jumps_past_it(tmp_path, no_network):
    app, services = await open_on_failed(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await on_the_failed_run(pilot, app, services)
        await pilot.press("R")
        for _ in range(6):  # to the run's first moment: nothing logged yet
            await pilot.press("left_square_bracket")
        await pilot.pause(0.1)
        replay, chart = screen.replay, screen.query_one(CursorChart)
        start = replay.ts
        assert chart.cut == 0 and chart.cursor is None

        await pilot.press("C")  # the chart has no point by then: the moment stays
        await pilot.pause(0.1)
        assert replay.ts == start and chart.cursor is None and chart.cut == 0

        await pilot.press("right_square_bracket")  # the checkpoint at step 1,000
        await pilot.pause(0.1)
        assert chart.cursor is not None and chart.cursor.step == 1000
        at_checkpoint = replay.ts
        await pilot.press("left", "left")  # the cursor takes the moment back with it
        await pilot.pause(0.1)
        assert replay.ts is not None and at_checkpoint is not None
        assert replay.ts < at_checkpoint and chart.cut is not None and chart.cut < 1000
        assert chart.cursor is not None and chart.cursor.step < 1000
        await pilot.press("q")


async def test_an_empty_chart_before_a_preemption_says_the_steps_were_re_sent(tmp_path, no_network):
    """The store keeps a re-sent step's later copy: before the preemption the chart has
    nothing of the first attempt, and says why rather than "no finite values"."""
    resent = "c0ffee00-resent"
    api = new_api(metrics_page=400)
    api.add_run(resent, status="completed")
    api.runs[resent].points = [  # all logged after the resume at 1 h
        dataclasses.replace(pt(s, seed=5), ts=T0 + timedelta(hours=1, seconds=s))
        for s in range(1, 301)
    ]
    api.runs[resent].job = dataclasses.replace(
        job(resent, "completed", name="resent-run"),
        latest_step=300,
        finished_at=T0 + timedelta(hours=2),
    )
    api.runs[resent].events = [
        Event("submitted", T0),
        Event("status", T0, {"from": "queued", "to": "running"}),
        Event("preempted", T0 + timedelta(minutes=30)),
        Event("status", T0 + timedelta(minutes=30), {"from": "running", "to": "preempted"}),
        Event("status", T0 + timedelta(minutes=50), {"from": "preempted", "to": "running"}),
        Event("completed", T0 + timedelta(hours=2)),
    ]
    out = tmp_path / "resent.axom"
    await make_bundle(api, [resent], out)
    services = bundle_services(out)
    app = AxomApp(services, UiSettings(notify_desktop=False, label="bundle"))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(lambda: resent in services.store.runs)
        screen = app.screen
        await wait_until(lambda: len(services.store.runs[resent].metrics) == 300)
        await pilot.pause(0.3)
        await pilot.press("R")
        for _ in range(20):
            await pilot.press("left_square_bracket")
        await pilot.press("full_stop", "full_stop")  # into the first attempt
        await pilot.pause(0.2)
        chart = screen.query_one(CursorChart)
        assert chart.cut == 0
        assert "re-sent after a preemption" in screen_text(app)
        assert "no finite values" not in screen_text(app)
        await pilot.press("q")
