"""Replay on an opened bundle: R, then [ ] by event and , . by time move the whole
dashboard to a moment of the run; Esc back to the whole run."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta

from axom_tui.api.records import Event, LogLine, MetricPoint
from axom_tui.cli.launch import bundle_services
from axom_tui.history.bundle import make_bundle
from axom_tui.ui.app import AxomApp
from axom_tui.ui.messages import DashboardAction
from axom_tui.ui.settings import UiSettings
from axom_tui.ui.widgets.cursor_chart import CursorChart
from axom_tui.ui.widgets.job_table import JobTable
from axom_tui.ui.widgets.lifecycle_pane import LifecyclePane
from axom_tui.ui.widgets.log_view import LogView
from axom_tui.ui.widgets.replay_bar import ReplayBar
from axom_tui.ui.widgets.result_card import ResultCard
from axom_tui.ui.widgets.run_summary import RunSummary
from history_helpers import T0, job, pt, result
from sessions import new_api
from test_history_bundle import no_network, screen_text, wait_until

__all__ = ["no_network"]  # the fixture, used by name

FAILED, DONE = "e5f6a7b8-failed", "a1b2c3d4-done"


def at(hours: float):
    return T0 + timedelta(hours=hours)


def stamped(step: int) -> MetricPoint:
    """Steps 1..1000 in the first hour, 1000..1500 in the second (a point's ``ts``)."""
    seconds = step * 3.6 if step <= 1000 else 3600 + (step - 1000) * 7.2
    return dataclasses.replace(pt(step, seed=5), ts=T0 + timedelta(seconds=seconds))


def world():
    api = new_api(metrics_page=400)
    api.add_run(DONE, status="completed")
    api.runs[DONE].points = [stamped(s) for s in range(1, 1501)]
    api.runs[DONE].job = dataclasses.replace(
        job(DONE, "completed", name="falcon-done"), latest_step=1500, finished_at=at(2)
    )
    api.runs[DONE].events = [
        Event("submitted", T0),
        Event("status", T0, {"from": "queued", "to": "running"}),
        Event("completed", at(2)),
    ]
    api.runs[DONE].result = result(DONE)
    api.add_run(FAILED, status="failed")
    api.runs[FAILED].points = [stamped(s) for s in range(1, 1501)]
    api.runs[FAILED].job = dataclasses.replace(
        job(FAILED, "failed", name="broken-overnight"),
        latest_step=1500,
        error="CUDA out of memory",
        finished_at=at(2),
    )
    api.runs[FAILED].lines = [
        LogLine(k, f"minute {k}", "stdout", T0 + timedelta(minutes=k)) for k in range(1, 121)
    ]
    api.runs[FAILED].lines[29] = LogLine(30, "RuntimeError: NCCL timeout", "stderr", at(0.5))
    api.runs[FAILED].events = [
        Event("submitted", T0),
        Event("status", T0, {"from": "queued", "to": "running"}),
        Event("checkpoint", at(1), {"step": 1000}),
        Event("error", at(2), {"message": "CUDA out of memory"}),
        Event("status", at(2), {"from": "running", "to": "failed"}),
    ]
    return api


async def open_on_failed(tmp_path, pilot_size=(160, 48)):
    api = world()
    out = tmp_path / "replay.axom"
    await make_bundle(api, [DONE, FAILED], out)
    services = bundle_services(out)
    app = AxomApp(services, UiSettings(notify_desktop=False, label="bundle"))
    return app, services


def row_status(app: AxomApp, job_id: str) -> str:
    return app.screen.query_one(JobTable).get_cell(job_id, "status").plain


async def test_replay_moves_every_pane_to_a_moment_and_esc_comes_back(tmp_path, no_network):
    app, services = await open_on_failed(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(lambda: DONE in services.store.runs)
        await pilot.press("down")  # the failed run (the list is newest first: FAILED second)
        screen = app.screen
        await wait_until(lambda: screen.selected == FAILED)
        await wait_until(lambda: len(services.store.runs[FAILED].metrics) == 1500)
        log = screen.query_one(LogView)
        await wait_until(lambda: log.line_count == 120)
        await pilot.pause(0.3)
        bar = screen.query_one(ReplayBar)
        assert not bar.display

        await pilot.press("R")
        await pilot.pause(0.1)
        assert screen.replay.active and bar.display
        text = bar.content.plain
        # "≈": a bundle made before the cache kept each point's time places them by events
        assert "REPLAY" in text and "failed" in text and re.search(r"step ≈?1,500", text)

        await pilot.press("left_square_bracket")  # back one event: the checkpoint at 1 h
        await pilot.pause(0.1)
        text = bar.content.plain
        assert "ckpt @1,000" in text and re.search(r"step ≈?1,000", text) and "+1h00m" in text
        assert "running" in row_status(app, FAILED)
        chart = screen.query_one(CursorChart)
        assert chart.cut == 1000 and chart.cursor is not None and chart.cursor.step == 1000
        assert log.line_count == 60  # a line a minute, the first at minute 1
        lifecycle = "\n".join(screen.query_one(LifecyclePane).lines)
        assert "running" in lifecycle and "failed" not in lifecycle
        assert "◀ then" in lifecycle and "◀ now" not in lifecycle
        assert "CUDA" not in lifecycle
        summary = screen.query_one(RunSummary).content.plain
        assert "running" in summary and "step 1,000" in summary

        # what did it look like just before it failed?
        await pilot.press("right_square_bracket")
        await pilot.pause(0.1)
        assert "error: CUDA out of memory" in bar.content.plain
        assert "failed" in row_status(app, FAILED)
        await pilot.press("comma")
        await pilot.pause(0.1)
        text = bar.content.plain
        assert "running" in text and "failed" not in text
        assert "running" in row_status(app, FAILED)
        assert chart.cut is not None and 1450 < chart.cut < 1500
        assert 115 <= log.line_count < 120

        # , and { by time, from the start: the moment never leaves the run
        for _ in range(3):
            await pilot.press("left_curly_bracket")
        assert screen.replay.ts is not None and screen.replay.ts < at(1.9).timestamp()

        await pilot.press("escape")
        await pilot.pause(0.1)
        assert not screen.replay.active and not bar.display
        assert chart.cut is None and log.line_count == 120
        assert "failed" in row_status(app, FAILED)
        lifecycle = "\n".join(screen.query_one(LifecyclePane).lines)
        assert "CUDA out of memory" in lifecycle and "◀ then" not in lifecycle
        await pilot.press("q")


async def test_the_result_card_waits_for_the_end_of_the_run(tmp_path, no_network):
    app, services = await open_on_failed(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(lambda: DONE in services.store.runs)
        screen = app.screen
        await wait_until(lambda: screen.selected == DONE)
        await wait_until(lambda: len(services.store.runs[DONE].metrics) == 1500)
        await pilot.pause(0.3)
        card = screen.query_one(ResultCard)
        assert card.display
        await pilot.press("R")
        await pilot.pause(0.1)
        assert card.display  # the end of the run: its result
        await pilot.press("comma")
        await pilot.pause(0.1)
        assert not card.display
        assert "completed" not in row_status(app, DONE)
        assert "REPLAY" in screen_text(app)
        bar = screen.query_one(ReplayBar)
        await pilot.click(ReplayBar, offset=(1 + bar.content_region.width // 2, 1))
        await pilot.pause(0.1)
        replay = screen.replay.replay
        assert replay is not None and screen.replay.ts is not None
        assert abs(replay.fraction(screen.replay.ts) - 0.5) < 0.02  # a click: that moment
        assert "running" in row_status(app, DONE)
        await pilot.press("R")  # R again leaves too
        await pilot.pause(0.1)
        assert not screen.replay.active and card.display
        app.post_message(DashboardAction("replay"))  # the command palette's entry
        await pilot.pause(0.2)
        assert screen.replay.active
        await pilot.press("escape")
        assert not screen.replay.active
        await pilot.press("q")


async def test_brackets_are_the_log_panes_outside_replay(tmp_path, no_network):
    """Outside replay [ and ] are what they were (the log pane's errors, the chart's pan);
    R on a run that is not finished says why not."""
    app, services = await open_on_failed(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(lambda: DONE in services.store.runs)
        screen = app.screen
        await pilot.press("down")
        log = screen.query_one(LogView)
        await wait_until(lambda: log.line_count == 120)
        await pilot.press("L", "g", "right_square_bracket")  # the log pane: the next error
        await pilot.pause(0.1)
        assert not screen.replay.active
        assert log.selection.current == 29  # "RuntimeError: NCCL timeout"
        await pilot.press("J", "up")
        run = services.store.runs[DONE]
        assert run.job is not None
        run.job = dataclasses.replace(run.job, status="running")
        await pilot.press("R")
        await pilot.pause(0.1)
        assert not screen.replay.active
        assert any("finished run" in str(n.message) for n in app._notifications)
        await pilot.press("q")
