"""The job list's render caches (cells and whole row lines kept across update_cell) must
never show anything but what DataTable itself would draw."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from axom_tui.ui.widgets.job_table import JobTable
from ui_helpers import SIZE, make_app, sim_server, started


def _lines(table: JobTable) -> list:
    return [table.render_line(y) for y in range(table.size.height)]


async def test_cached_rows_match_datatable_and_only_changed_rows_are_redrawn(tmp_path):
    with sim_server() as server:
        app, _ = make_app(server, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await started(pilot, app)
            app.services.scheduler.stop()  # hold the data still
            await pilot.pause(0.3)
            table = app.screen.query_one(JobTable)
            before = _lines(table)
            again = _lines(table)
            assert [a is b for a, b in zip(before, again)] == [True] * len(before)

            rows = table.visible_job_ids()
            target = rows[2]
            table.update_cell(target, "retries", Text("77", justify="right"))
            after = _lines(table)
            changed = [y for y, (a, b) in enumerate(zip(before, after)) if a is not b]
            assert len(changed) == 1 and "77" in after[changed[0]].text

            table.move_cursor(row=3)  # the cursor's highlight moves from row 0 to row 3
            await pilot.pause(0.1)
            moved = _lines(table)
            header = table.header_height
            redrawn = {y for y, (a, b) in enumerate(zip(moved, after)) if a is not b}
            assert redrawn == {header + 0, header + 3}
            # and what the caches gave is exactly what DataTable draws without them
            assert _styles(moved) == _styles_uncached(table)


def _styles(strips) -> list:
    return [[(seg.text, seg.style) for seg in strip] for strip in strips]


def _styles_uncached(table: JobTable) -> list:
    table._clear_caches()
    saved = table._render_line
    table._render_line = lambda y, x1, x2, style: DataTable._render_line(table, y, x1, x2, style)
    try:
        return _styles(_lines(table))
    finally:
        table._render_line = saved
        table._clear_caches()
