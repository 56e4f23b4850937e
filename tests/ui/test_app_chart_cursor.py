"""Asking the chart, against the simulator: the cursor and its readout, every chart key,
the mouse, and the log and lifecycle panes following the cursor (and moving it)."""

from __future__ import annotations

import numpy as np
import pytest
from textual import events
from textual.widgets import Input

from axom_tui.charting.timeaxis import XMode
from axom_tui.ui.screens.compare import CompareScreen
from axom_tui.ui.widgets.cursor_chart import CursorChart
from axom_tui.ui.widgets.job_table import JobTable
from axom_tui.ui.widgets.lifecycle_pane import LifecyclePane
from axom_tui.ui.widgets.log_view import LogView
from ui_helpers import (
    app_on,
    role_id,
    screen_text,
    wait_for,
    widget_text,
)


async def _finished_run(pilot, app, server, role: str = "done-big") -> tuple[str, CursorChart]:
    job_id = role_id(server.sim, role)
    truth = server.sim.ground_truth(job_id)
    app.screen.query_one(JobTable).select(job_id)
    run = app.store.runs[job_id]
    await wait_for(pilot, lambda: app.screen.selected == job_id, what="selection")
    await wait_for(pilot, lambda: len(run.metrics) == len(truth.metrics), what="all metrics")
    await wait_for(pilot, lambda: len(run.logs) > 100, what="the logs")
    chart = app.screen.query_one("#chart", CursorChart)
    await wait_for(
        pilot,
        lambda: (
            chart.draws > 0
            and not chart.placeholder
            and chart._run_data is not None
            and chart._run_data.length == len(run.metrics)
        ),
        what="a chart of every point",
    )
    return job_id, chart


def _assert_reads_the_store(app, job_id: str, chart: CursorChart) -> int:
    """The readout names the store's own point at the cursor; returns its index."""
    series = app.store.runs[job_id].metrics
    assert chart.cursor is not None
    i = chart.cursor.index
    step = series.steps[i]
    assert chart.cursor.step == step
    assert f"step {step:,}" in chart.readout
    loss = series.column("loss")[i]
    if not np.isnan(loss):
        assert f"loss {float(f'{loss:.4g}'):.4g}" in chart.readout
    return i


def _marked_lines_are_nearest(log: LogView, ts: float) -> None:
    marked = log.moment.marked
    assert marked is not None
    index = log.index
    times = [
        index.timestamp(i).timestamp() for i in range(len(index)) if index.timestamp(i) is not None
    ]
    best = min(abs(t - ts) for t in times)
    for i in range(*marked):
        assert abs(index.timestamp(i).timestamp() - ts) == best


async def test_every_chart_key_moves_the_cursor_and_the_logs_follow(server, tmp_path):
    async with app_on(server, tmp_path) as (app, _, pilot, _):
        job_id, chart = await _finished_run(pilot, app, server)
        series = app.store.runs[job_id].metrics
        log = app.screen.query_one(LogView)
        n = len(series)

        # C focuses the chart: cursor on the last point, readout in the legend's place
        await pilot.press("C")
        await wait_for(pilot, lambda: chart.cursor is not None, what="the cursor")
        assert app.focused is chart
        assert chart.cursor.index == n - 1 and chart.explorer.following
        _assert_reads_the_store(app, job_id, chart)
        assert chart.text.split("\n")[0].strip().startswith(f"step {series.steps[-1]:,}")
        footer = screen_text(app).split("\n")[-2:]
        for shown in (
            "←→ Cursor",
            "n/N Flag",
            "+/- Zoom",
            "[/] Pan",
            "0 All",
            "x Axis",
            "y Outliers",
            "esc Leave",
        ):  # its keys in the footer while focused
            assert shown in "".join(footer), shown

        # ← one column, shift+← ten: real points, further left each time; logs follow
        await pilot.press("left")
        one = _assert_reads_the_store(app, job_id, chart)
        assert one < n - 1 and not log.follow
        _marked_lines_are_nearest(log, chart.cursor.ts)
        await pilot.press("shift+left")
        ten = _assert_reads_the_store(app, job_id, chart)
        assert ten < one - 5
        await pilot.press("right")
        assert chart.cursor.index > ten
        await pilot.press("shift+right")
        await pilot.press("home")
        assert chart.cursor.index == 0
        _marked_lines_are_nearest(log, chart.cursor.ts)
        await pilot.press("end")
        assert chart.cursor.index == n - 1

        # n / N: the run's flagged points, in order, and back
        flags = chart.track.flags()
        assert flags, "done-big has grad_norm explosions"
        await pilot.press("home", "n")
        assert chart.cursor.index == flags[0].index
        assert flags[0].kind.value in chart.readout
        if len(flags) > 1:
            await pilot.press("n")
            assert chart.cursor.index == flags[1].index
            await pilot.press("N")
            assert chart.cursor.index == flags[0].index

        # + / = zoom in around the cursor, - out, 0 the whole run, [ ] pan
        at = chart.cursor.index
        await pilot.press("plus")
        first = chart.explorer.view
        assert first is not None
        x = float(series.steps[at])
        assert first.lo <= x <= first.hi and chart.cursor.index == at
        await pilot.press("equals_sign")
        second = chart.explorer.view
        assert second.span < first.span
        await pilot.press("minus")
        assert chart.explorer.view.span == pytest.approx(first.span)
        await pilot.press("left_square_bracket")
        back = chart.explorer.view
        assert back.lo < first.lo and back.span == pytest.approx(first.span)
        await pilot.press("right_square_bracket")
        assert chart.explorer.view.lo > back.lo
        await pilot.press("0")
        assert chart.explorer.view is None

        # x: step → elapsed → clock → step, on the same point
        at = chart.cursor.index
        labels = []
        for expected in (XMode.ELAPSED, XMode.CLOCK, XMode.STEP):
            await pilot.press("x")
            assert chart.explorer.x_mode is expected
            assert chart.cursor.index == at
            rows = chart.text.split("\n")
            labels.append(next(rows[k + 1] for k, row in enumerate(rows) if "└" in row))
        assert "m" in labels[0] and ":" in labels[1]  # 30m … ; 14:05 …

        # y: ignore outliers, with the count of what it clips
        await pilot.press("y")
        assert chart.explorer.robust
        await wait_for(
            pilot,
            lambda: any("outliers ignored" in f for f in chart.flags),
            what="the outliers line",
        )
        await pilot.press("y")
        assert not chart.explorer.robust

        # the mouse: a click places the cursor on that column's point, the wheel zooms there
        plot = chart._plot
        col = plot.origin[0] + plot.xscale.cols // 3
        await pilot.click(chart, offset=(col, plot.origin[1] + 2))
        _assert_reads_the_store(app, job_id, chart)
        assert plot.xscale.column(float(series.steps[chart.cursor.index])) == plot.xscale.cols // 3
        await pilot.mouse_down(chart, offset=(col, 5))  # nothing but a click moves it
        await pilot.mouse_up(chart, offset=(col, 5))
        before = chart.explorer.view
        await pilot._post_mouse_events([events.MouseScrollUp], chart, offset=(col, 5))
        await wait_for(pilot, lambda: chart.explorer.view != before, what="a wheel zoom")
        zoomed = chart.explorer.view
        assert zoomed is not None and (before is None or zoomed.span < before.span)
        await pilot._post_mouse_events([events.MouseScrollDown], chart, offset=(col, 5))
        await wait_for(pilot, lambda: chart.explorer.view != zoomed, what="a wheel zoom out")
        assert chart.explorer.view is None or chart.explorer.view.span > zoomed.span

        # Esc leaves the chart: no cursor, no marks, the job list focused
        await pilot.press("escape")
        assert chart.cursor is None and log.moment.marked is None
        assert isinstance(app.focused, JobTable)

        # Tab reaches the chart too
        for _ in range(8):
            await pilot.press("tab")
            if app.focused is chart:
                break
        assert app.focused is chart and chart.cursor is not None


async def test_log_lines_and_phases_put_the_cursor_at_their_moment(server, tmp_path):
    async with app_on(server, tmp_path) as (app, _, pilot, _):
        job_id, chart = await _finished_run(pilot, app, server, "done-train")
        series = app.store.runs[job_id].metrics
        log = app.screen.query_one(LogView)

        # Enter on a log line (the search's current match) puts the cursor at its moment
        await pilot.press("L", "slash")
        box = log.search_box
        assert isinstance(app.focused, Input) and app.focused is box
        await pilot.press(*"step 1500/", "enter")
        await wait_for(pilot, lambda: log.index.current_span() is not None, what="a match")
        line = log.index.current_span()[0]
        ts = log.index.timestamp(line).timestamp()
        await pilot.press("enter")
        await wait_for(pilot, lambda: chart.cursor is not None, what="the cursor")
        assert chart.cursor.ts is not None
        times = chart.track.times()
        best = min(abs(t - ts) for t in times if not np.isnan(t))
        assert abs(chart.cursor.ts - ts) == best  # the point logged nearest that line
        assert abs(int(series.steps[chart.cursor.index]) - 1500) <= 20

        # the lifecycle pane highlights the phase containing the moment
        pane = app.screen.query_one(LifecyclePane)
        phase = pane.phase_at(chart.cursor.ts)
        assert phase is not None and phase.status == "running"

        # Enter on a phase (the run resuming after its preemption) puts the cursor there:
        # P focuses the pane, j/k select a phase
        await pilot.press("P")
        await wait_for(pilot, lambda: app.focused is pane, what="the lifecycle's focus")
        phases = pane.phases
        resumed = [
            k
            for k in range(1, len(phases))
            if phases[k - 1].status == "preempted" and phases[k].status == "running"
        ]
        target = (resumed or [k for k, p in enumerate(phases) if p.status == "running"])[-1]
        for _ in range(len(phases)):
            if pane._selected == target:
                break
            await pilot.press("k" if pane._selected > target else "j")
        assert pane.selected.start == phases[target].start
        assert pane.selected.status == "running"
        await pilot.press("enter")
        start = phases[target].start.timestamp()
        best = min(abs(t - start) for t in times if not np.isnan(t))
        await wait_for(
            pilot,
            lambda: abs(chart.cursor.ts - start) == best,
            what="the cursor at the phase's start",
        )
        assert pane.moment_ts == chart.cursor.ts


async def test_compare_view_has_one_cursor_at_one_step(server, tmp_path):
    async with app_on(server, tmp_path) as (app, _, pilot, _):
        table = app.screen.query_one(JobTable)
        a, b = role_id(server.sim, "done-big"), role_id(server.sim, "done-contract")
        for job_id in (a, b):
            table.select(job_id)
            await pilot.press("space")
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CompareScreen), what="compare")
        for job_id, role in ((a, "done-big"), (b, "done-contract")):
            truth = server.sim.ground_truth(job_id)
            await wait_for(
                pilot,
                lambda j=job_id, t=truth: len(app.store.runs[j].metrics) == len(t.metrics),
                timeout=30,
                what=f"{role}'s metrics",
            )
        overlay = app.screen.query_one("#overlay", CursorChart)
        await wait_for(
            pilot, lambda: overlay.draws > 0 and not overlay.placeholder, what="the overlay"
        )
        overlay.focus()
        await wait_for(pilot, lambda: overlay.cursor is not None, what="a cursor")
        await pilot.press("home")
        for _ in range(3):
            await pilot.press("right")
        step = overlay.cursor.step
        tiles = [c for c in app.screen.query(CursorChart) if c is not overlay]
        for tile in tiles:
            assert tile.cursor is not None
            series = tile.track
            assert abs(tile.cursor.step - step) <= max(
                1, (series.steps[-1] - series.steps[0]) / max(1, series.length - 1)
            )
        names = [app.store.runs[j].job.display_name for j in (a, b)]
        for name in names:
            assert name[:10] in overlay.readout
        # past the shorter run's last step it has no point near: "—"
        await pilot.press("end")
        assert "—" in overlay.readout
        await pilot.press("escape")
        assert all(c.cursor is None for c in app.screen.query(CursorChart))
        await pilot.press("escape")
        assert not isinstance(app.screen, CompareScreen)


@pytest.mark.parametrize("ascii_mode", [False, True])
async def test_at_80x24_the_readout_fits_on_one_line(server, tmp_path, ascii_mode):
    async with app_on(server, tmp_path, ascii=ascii_mode, size=(80, 24)) as (app, _, pilot, _):
        _job, chart = await _finished_run(pilot, app, server, "done-contract")
        await pilot.press("C")
        await wait_for(pilot, lambda: chart.cursor is not None, what="the cursor")
        await pilot.press("left", "left")
        width = chart.content_size.width
        assert chart.readout and len(chart.readout) <= width - 1
        first = chart.text.split("\n")[0]
        assert first.strip() == chart.readout  # one row: shortened, never wrapped
        assert str(chart.cursor.step) in chart.readout.replace(",", "")
        from axom_tui.charting.readout import readout_text

        full = chart.track.readout(chart.cursor.index, chart.view, chart._chart_options())
        assert len(readout_text(full, 10_000)) > width  # the long form would not fit
        if ascii_mode:
            assert chart.text.isascii()


async def test_chart_keys_are_in_help_and_the_palette_and_remap(server, tmp_path):
    async with app_on(server, tmp_path, keymap={"chart.zoom.in": "z", "focus.chart": "K"}) as (
        app,
        _,
        pilot,
        _,
    ):
        _job, chart = await _finished_run(pilot, app, server, "done-contract")
        await pilot.press("K")
        await wait_for(pilot, lambda: chart.cursor is not None, what="the cursor")
        await pilot.press("z")
        assert chart.explorer.view is not None
        await pilot.press("question_mark")
        from textual.widgets import Static

        help_text = "\n".join(widget_text(w, 220) for w in app.screen.query(Static))
        for text in (
            "Chart (C to focus)",
            "chart.cursor.left",
            "chart.flag.next",
            "chart.zoom.in",
            "chart.x_axis",
            "chart.outliers",
            "log.to_chart",
            "lifecycle.to_chart",
            "focus.chart",
        ):
            assert text in help_text, text
        await pilot.press("escape")
        from axom_tui.ui.commands import chart_entries

        labels = [label for label, _key, _cb in chart_entries(lambda _name: None)]
        from textual.binding import Binding

        ids = {b.id for b in Binding.make_bindings(CursorChart.BINDINGS) if b.id}
        assert len(labels) == len(set(labels)) == len(ids) + 1  # every key, once; and C
        # the palette runs them: ctrl+p, "whole run", Enter zooms out to the whole run
        from textual.command import CommandPalette

        assert chart.explorer.view is not None
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="the palette")
        await pilot.press(*"the whole run")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_for(pilot, lambda: chart.explorer.view is None, what="the whole run")
