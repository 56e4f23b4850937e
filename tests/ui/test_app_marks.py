"""Marking runs, the compare view, and the job filter."""

from __future__ import annotations

from textual.widgets import Input

from axom_tui.ui.screens.compare import CompareScreen, RunTile
from axom_tui.ui.widgets.job_table import JobTable
from axom_tui.ui.widgets.metric_chart import MetricChart
from axom_tui.ui.widgets.run_summary import RunSummary
from ui_helpers import (
    app_on,
    screen_text,
    wait_for,
    widget_text,
)


async def test_marks_compare_view_and_back(server, tmp_path):
    async with app_on(server, tmp_path) as (app, services, pilot, toasts):
        store = services.store
        table = app.screen.query_one(JobTable)
        dashboard = app.screen

        # fewer than 2 runs to compare: c warns and stays on the dashboard
        for presses in (("c",), ("space", "c")):
            before = len(toasts.with_severity("warning"))
            await pilot.press(*presses)
            assert app.screen is dashboard
            warnings = toasts.with_severity("warning")
            assert len(warnings) == before + 1
            assert "Mark 2" in str(warnings[-1]["message"])
        assert len(table.marked) == 1

        marked: list[str] = [table.selected_job_id]
        await pilot.press("down")
        for _ in range(5):
            marked.append(table.selected_job_id)
            await pilot.press("space", "down")
        assert table.marked == set(marked)
        assert len(marked) == 6
        for job_id in marked:
            assert table.get_cell(job_id, "mark").plain == "●"
        summary = dashboard.query_one(RunSummary)
        await wait_for(
            pilot, lambda: "● marked" not in widget_text(summary), what="summary of an unmarked row"
        )

        # a 7th mark is refused, with a warning
        seventh = table.selected_job_id
        assert seventh not in marked
        await pilot.press("space")
        assert seventh not in table.marked and len(table.marked) == 6
        assert table.get_cell(seventh, "mark").plain == " "
        warnings = toasts.with_severity("warning")
        assert warnings and "at most 6" in str(warnings[-1]["message"])

        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CompareScreen), what="compare view")
        compare = app.screen
        tiles = list(compare.query(RunTile))
        assert [t.job_id for t in tiles] == marked  # one tile per marked run, in table order
        assert services.scheduler.visible == frozenset(marked)
        overlay = compare.query_one("#overlay", MetricChart)
        await wait_for(
            pilot,
            lambda: len(overlay._overlay.series) == 6 and overlay._overlay.has_data,
            what="overlay series",
        )
        await wait_for(
            pilot, lambda: overlay.draws > 0 and not overlay.placeholder, what="overlay drawn"
        )
        text = screen_text(app)
        for job_id in marked:
            assert store.runs[job_id].job.display_name[:20] in text
        # the tiles are filled in from the store
        head = widget_text(tiles[0].query_one(".tile-head"))
        assert store.runs[marked[0]].job.display_name in head

        assert len(compare.query(MetricChart)) == 7  # the overlay and one chart per tile

        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is dashboard, what="back to the dashboard")
        assert services.scheduler.visible == frozenset()
        assert table.marked == set(marked)  # marks survive the round trip


def _unique_fragment(store) -> tuple[str, str]:
    names = {jid: store.runs[jid].job.display_name.lower() for jid in store.order}
    for job_id, name in names.items():
        for word in name.split("-"):
            if (
                len(word) >= 4
                and sum(word in n for n in names.values()) == 1
                and all(word not in store.runs[j].job.status for j in names)
            ):
                return job_id, word
    raise AssertionError(f"no unique name fragment in {names}")


def _expected(store, needle: str) -> list[str]:
    out = []
    for job_id in store.order:
        job = store.runs[job_id].job
        if any(needle in field.lower() for field in (job.display_name, job.status, job.type)):
            out.append(job_id)
    return out


async def test_job_filter_by_name_and_status(server, tmp_path):
    async with app_on(server, tmp_path) as (app, services, pilot, _):
        store = services.store
        table = app.screen.query_one(JobTable)
        box = app.screen.query_one("#job-filter", Input)
        assert not box.display
        total = table.row_count

        await pilot.press("slash")
        assert box.display and box.has_focus
        await pilot.press(*"compl")
        await wait_for(
            pilot,
            lambda: table.visible_job_ids() == _expected(store, "compl"),
            what="rows filtered by status",
        )
        ids = table.visible_job_ids()
        assert 0 < len(ids) < total
        assert all(store.runs[j].job.status == "completed" for j in ids)
        assert box.value == "compl"

        # a name fragment that only one run has
        target, fragment = _unique_fragment(store)
        box.value = ""
        await pilot.press(*fragment)
        await wait_for(
            pilot, lambda: table.visible_job_ids() == [target], what="rows filtered by name"
        )
        assert table.selected_job_id == target
        await wait_for(pilot, lambda: app.screen.selected == target, what="selection")

        # Enter applies and gives the table the keys back; the box stays while filtering
        await pilot.press("enter")
        assert table.has_focus and box.display

        # escape clears the filter and hides the box; the selection is kept
        await pilot.press("escape")
        await wait_for(pilot, lambda: table.row_count == len(store.order), what="all rows back")
        assert not box.display and box.value == ""
        assert table.filter_text == ""
        assert table.has_focus
        assert table.selected_job_id == target
