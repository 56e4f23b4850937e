"""SVG snapshots of the key screens at 160×48, compared pixel for pixel (as SVG text).

Each screen is drawn from a frozen world (snapshot_world.py): a store filled from the
simulator at a fixed moment, a scheduler that polls nothing and clocks stopped at that
moment, so a change in the SVG is a change in what the screen draws. After an intended
change, look at the report pytest-textual-snapshot writes, then accept the new pictures:

    .venv/bin/python -m pytest tests/ui/test_snapshots.py --snapshot-update

The pictures live in tests/ui/__snapshots__/test_snapshots/.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from axom_tui.ui.messages import RunChosen
from axom_tui.ui.no_key import NoKeyApp
from axom_tui.ui.widgets.job_table import JobTable
from axom_tui.ui.widgets.log_view import LogView
from axom_tui.ui.widgets.metric_chart import MetricChart
from snapshot_world import FrozenWorld, build_world, freeze_clocks, frozen_app
from ui_helpers import wait_for

SIZE = (160, 48)
SnapCompare = Callable[..., bool]


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> FrozenWorld:
    frozen = build_world()
    freeze_clocks(monkeypatch, frozen)
    return frozen


async def show(pilot: Pilot[Any], job_id: str) -> None:
    """Wait for the job list, select ``job_id`` and let every pane draw it now."""
    app: Any = pilot.app
    store = app.services.store
    table = app.screen.query_one(JobTable)
    await wait_for(
        pilot,
        lambda: table.row_count == len(store.order) and table.selected_job_id,
        what="the job table to fill",
    )
    app.post_message(RunChosen(job_id))
    await wait_for(pilot, lambda: app.screen.selected == job_id, what="the selection")
    await pilot.pause()
    await settle(pilot)


async def settle(pilot: Pilot[Any]) -> None:
    """Draw what is owed now rather than on the panes' timers."""
    for log in pilot.app.screen.query(LogView):
        log.flush()
    for chart in pilot.app.screen.query(MetricChart):
        chart.redraw()
    await pilot.pause()


def test_dashboard_with_a_twice_preempted_run(
    snap_compare: SnapCompare, world: FrozenWorld
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await show(pilot, world.role("preempt-twice"))

    assert snap_compare(frozen_app(world), terminal_size=SIZE, run_before=run_before)


def test_replay_of_a_completed_run_two_events_back(
    snap_compare: SnapCompare, world: FrozenWorld
) -> None:
    """R, then [ [: the scrubber, the row and summary as then, the chart cut there, the
    logs by then, the lifecycle up to then and no result card yet."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await show(pilot, world.role("done-train"))
        await pilot.press("R", "left_square_bracket", "left_square_bracket")
        await settle(pilot)

    assert snap_compare(frozen_app(world), terminal_size=SIZE, run_before=run_before)


def test_result_of_a_completed_run(snap_compare: SnapCompare, world: FrozenWorld) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await show(pilot, world.role("done-train"))

    assert snap_compare(frozen_app(world), terminal_size=SIZE, run_before=run_before)


def test_log_search_highlights_matches(snap_compare: SnapCompare, world: FrozenWorld) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await show(pilot, world.role("preempt-twice"))
        await pilot.press("L", "slash", *"loss", "enter")
        await settle(pilot)

    assert snap_compare(frozen_app(world), terminal_size=SIZE, run_before=run_before)


def test_compare_view_of_three_marked_runs(snap_compare: SnapCompare, world: FrozenWorld) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        for role in ("preempt-twice", "done-train", "failing"):
            await show(pilot, world.role(role))
            await pilot.press("space")
        await pilot.press("c")
        await pilot.pause()
        await settle(pilot)

    assert snap_compare(frozen_app(world), terminal_size=SIZE, run_before=run_before)


def test_help_lists_every_key(snap_compare: SnapCompare, world: FrozenWorld) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await show(pilot, world.role("preempt-twice"))
        await pilot.press("question_mark")

    assert snap_compare(frozen_app(world), terminal_size=SIZE, run_before=run_before)


def test_no_key_screen(snap_compare: SnapCompare) -> None:
    app = NoKeyApp("/home/you/.config/axom-tui/config.toml")
    assert snap_compare(app, terminal_size=(100, 30))
