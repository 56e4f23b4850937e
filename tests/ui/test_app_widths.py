"""At 120 columns and below: whole names (or their distinguishing tails), a side pane that
gives the chart room, and a footer that always keeps ``? Help``."""

from __future__ import annotations

import pytest
from rich.text import Text

from axom_tui.ui.widgets.job_columns import choose_columns, middle_ellipsis, name_need
from axom_tui.ui.widgets.job_table import JobTable
from ui_helpers import app_on, screen_text, sim_server


def test_the_name_column_gets_the_width_the_longest_name_needs_at_120():
    columns, compact = choose_columns(119, name_need(["axom-base-lora-meridian"]))
    assert not compact and [c[0] for c in columns if c[0] == "name"]
    assert {"status", "progress", "loss", "eta"} <= {c[0] for c in columns}


def test_a_name_that_does_not_fit_keeps_its_head_and_its_tail():
    cut = middle_ellipsis(Text("axom-base-x1.5-mosaic"), 13)
    assert cut.plain == "axom-b…mosaic" and len(cut.plain) == 13
    other = middle_ellipsis(Text("axom-base-x1.5-fathom"), 13)
    assert other.plain != cut.plain
    assert middle_ellipsis(Text("short"), 13).plain == "short"


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_names_are_told_apart_and_help_stays_in_the_footer(tmp_path, size):
    with sim_server() as server:
        async with app_on(server, tmp_path, size=size) as (app, services, pilot, _):
            await pilot.pause()
            text = screen_text(app)
            lines = text.splitlines()
            assert "? Help" in lines[-1] and "q Quit" in lines[-1], lines[-1]
            table = app.screen.query_one(JobTable)
            shown = [
                table.render_line(y).text
                for y in range(1, min(table.size.height, table.row_count + 1))
            ]
            names = [services.store.runs[j].job.display_name for j in table.visible_job_ids()]
            names = names[: len(shown)]
            if size[0] >= 120:  # whole names
                assert all(name in row for name, row in zip(names, shown)), shown
            # however narrow: two different names never look the same
            cells = [row.strip().lstrip("●").strip().split("  ")[0] for row in shown]
            assert len(set(cells)) == len(set(names)), cells


async def test_the_side_pane_gives_the_chart_room_at_120(tmp_path):
    with sim_server() as server:
        async with app_on(server, tmp_path, size=(120, 40)) as (app, _, pilot, _):
            await pilot.pause()
            info = app.screen.query_one("#info")
            chart = app.screen.query_one("#chart-pane")
            assert info.size.width <= 42 and chart.size.width >= 78


def test_names_that_would_read_alike_keep_the_part_that_tells_them_apart():
    from rich.text import Text

    from axom_tui.ui.widgets.job_columns import colliding, name_cut

    names = ["llama-3.2-x2-meridian", "llama-3.2-c40-meridian", "qwen3-x1.5-solstice"]
    collide = colliding(names, 18)
    assert collide == {"llama-3.2-x2-meridian", "llama-3.2-c40-meridian"}
    cuts = {name_cut(Text(n), 18, collide).plain for n in names}
    assert len(cuts) == 3 and all(len(c) <= 18 for c in cuts)
    assert "…a-3.2-x2-meridian" in cuts and "…-3.2-c40-meridian" in cuts


def test_progress_and_status_cells_fit_their_columns():
    from datetime import UTC, datetime

    from axom_tui.api.records import Job
    from axom_tui.store.run_state import RunState
    from axom_tui.ui.widgets.job_rows import COLUMNS, COMPACT_COLUMNS, row_cells
    from axom_tui.view.derive import StepRate

    def cells_of(run: RunState, compact: bool) -> dict:
        return row_cells(
            "j",
            run,
            StepRate(),
            marked=False,
            compact=compact,
            ascii_mode=False,
            variables={},
            server_now=datetime.now(UTC),
        )

    job = Job(id="j", status="completed", total_steps=12000, latest_step=12000)
    run = RunState(job_id="j", job=job)
    for columns, compact in ((COLUMNS, False), (COMPACT_COLUMNS, True)):
        cells = cells_of(run, compact)
        width = dict((key, w) for key, _, w in columns)
        assert len(cells["progress"].plain) <= width["progress"], cells["progress"].plain
    checkpointing = RunState(job_id="j", job=Job(id="j", status="checkpointing", total_steps=10))
    cells = cells_of(checkpointing, compact=True)
    assert len(cells["status"].plain) <= dict((k, w) for k, _, w in COMPACT_COLUMNS)["status"]
