"""The job list draws each row once and repaints only what changed: a row whose run
changed, the two rows the cursor moved between. And what it draws lines up with the
header, fits the width exactly, and carries no escape from server text."""

from __future__ import annotations

import dataclasses
from contextlib import asynccontextmanager

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.geometry import Region

from axom_tui.ui.widgets.job_rows import COLUMNS, cell_segments, column_widths, row_segments
from axom_tui.ui.widgets.job_table import JobTable
from ui_helpers import SIZE, app_on, sim_server


@asynccontextmanager
async def _held_list(tmp_path, size=SIZE):
    """The dashboard on the simulator's runs, polling stopped so the data holds still."""
    with sim_server() as server:
        async with app_on(server, tmp_path, size=size) as (app, services, pilot, _):
            services.scheduler.stop()
            yield app, services, pilot, app.screen.query_one(JobTable)


def _lines(table: JobTable) -> list:
    return [table.render_line(y) for y in range(table.size.height)]


async def test_rows_are_drawn_once_and_only_changed_rows_are_repainted(tmp_path):
    async with _held_list(tmp_path) as (app, services, pilot, table):
        await pilot.pause(0.3)
        before = _lines(table)
        again = _lines(table)
        assert [a is b for a, b in zip(before, again)] == [True] * len(before)

        repainted: list[Region] = []
        real_refresh = table.refresh
        table.refresh = lambda *regions, **kw: (
            repainted.extend(regions),
            real_refresh(*regions, **kw),
        )[1]

        target = table.visible_job_ids()[2]
        run = services.store.runs[target]
        run.job = dataclasses.replace(run.job, retries=77)
        table.sync({target})
        after = _lines(table)
        changed = [y for y, (a, b) in enumerate(zip(before, after)) if a is not b]
        assert changed == [1 + 2] and " 77 " in after[3].text
        # only the changed cell's part of that line goes to the terminal
        [region] = repainted
        assert (region.y, region.height) == (3, 1) and region.width < 10
        assert after[3].text[region.x : region.right].strip() == "77"

        repainted.clear()
        table.move_cursor(row=3)  # the cursor's highlight moves from row 0 to row 3
        moved = _lines(table)
        redrawn = {y for y, (a, b) in enumerate(zip(moved, after)) if a is not b}
        assert redrawn == {1 + 0, 1 + 3}
        assert {r.y for r in repainted} == {1, 4} and all(r.height == 1 for r in repainted)


async def test_rows_line_up_with_the_header_and_fill_the_width(tmp_path):
    with sim_server() as server:
        async with app_on(server, tmp_path) as (app, services, pilot, _):
            table = app.screen.query_one(JobTable)
            width = table.scrollable_content_region.width
            lines = _lines(table)
            assert {line.cell_length for line in lines} == {width}
            header = lines[0].text
            status_at = header.index("Status")
            for y, job_id in enumerate(table.visible_job_ids()[: table.size.height - 1], start=1):
                job = services.store.runs[job_id].job
                text = lines[y].text
                assert text[status_at:].startswith(table.get_cell(job_id, "status").plain)
                assert job.display_name[:20] in text


def test_cells_fit_their_width_with_an_ellipsis_and_keep_their_justification():
    base = Style(bgcolor="black")
    long = cell_segments(Text("a-very-long-run-name-indeed"), 10, base)
    assert "".join(s.text for s in long) == "a-very-lo…"
    right = cell_segments(Text("1.5", justify="right"), 6, base)
    assert "".join(s.text for s in right) == "   1.5"
    wide = cell_segments(Text("模型训练运行"), 7, base)  # two cells per character
    assert sum(cell_len(s.text) for s in wide) == 7


def test_spans_keep_their_colour_and_the_cursor_colour_wins():
    cell = Text()
    cell.append("██", style="#ff0000")
    cell.append(" 2/4")
    plain = cell_segments(cell, 6, Style(bgcolor="black"))
    assert [(s.text, s.style.color.name if s.style.color else None) for s in plain] == [
        ("██", "#ff0000"),
        (" 2/4", None),
    ]
    assert all(s.style.bgcolor.name == "black" for s in plain)
    cursor = cell_segments(cell, 6, Style(bgcolor="blue"), post=Style(color="white"))
    assert {s.style.color.name for s in cursor} == {"white"}


def test_a_row_is_exactly_as_wide_as_asked_even_when_the_columns_are_wider():
    cells = [Text("x" * 40) for _ in COLUMNS]
    for width in (40, 80, 131, 160, 200):
        widths = column_widths(COLUMNS, width)
        segments = row_segments(cells, widths, width, Style())
        assert sum(cell_len(s.text) for s in segments) == width


async def test_server_text_in_a_run_name_reaches_the_row_only_as_plain_text(tmp_path):
    async with _held_list(tmp_path) as (app, services, pilot, table):
        target = table.visible_job_ids()[0]
        run = services.store.runs[target]
        run.job = dataclasses.replace(run.job, name="evil\x1b]52;c;aGk=\x07[bold]x[/bold]\x1b[2J")
        table.sync({target})
        line = table.render_line(1)
        assert "\x1b" not in line.text and "\x07" not in line.text
        assert "[bold]x[/bold]" in line.text  # shown, never parsed as markup


async def test_clicks_select_a_row_and_sort_by_a_header(tmp_path):
    async with _held_list(tmp_path) as (app, services, pilot, table):
        third = table.visible_job_ids()[2]
        await pilot.click(JobTable, offset=(10, 1 + 2))
        assert table.selected_job_id == third
        await pilot.pause(0.1)
        assert app.screen.selected == third

        header = table.render_line(0).text
        await pilot.click(JobTable, offset=(header.index("Name"), 0))
        assert table.sort_mode == "name"
        assert "Name ▲" in table.render_line(0).text  # A→Z: ascending
        names = [services.store.runs[j].job.display_name.lower() for j in table.visible_job_ids()]
        assert names == sorted(names)
        assert table.selected_job_id == third  # the cursor stayed on its run
        await pilot.click(JobTable, offset=(header.index("Name"), 0))  # again: the other way
        assert table.sort_mode == "name" and table.sort_reverse
        assert "Name ▼" in table.render_line(0).text
        names = [services.store.runs[j].job.display_name.lower() for j in table.visible_job_ids()]
        assert names == sorted(names, reverse=True)
        await pilot.click(JobTable, offset=(header.index("Type"), 0))  # any column sorts
        assert table.sort_mode == "type" and not table.sort_reverse
        types = [services.store.runs[j].job.type for j in table.visible_job_ids()]
        assert types == sorted(types)


async def test_no_width_cuts_a_figure_in_half(tmp_path):
    # 110-116 columns once showed "$0.8" for $0.85: the full column set did not fit and
    # the row was cut mid-cell. Now the list drops to its narrow set (or leaves whole
    # columns out), never part of one.
    import re

    async with _held_list(tmp_path, size=(160, 40)) as (app, services, pilot, table):
        for width in (70, 100, 110, 113, 116, 118, 130):
            await pilot.resize_terminal(width, 40)
            await pilot.pause(0.1)
            lines = [table.render_line(y).text for y in range(table.size.height)]
            for line in lines[1:]:
                for money in re.findall(r"\$[0-9.,]*", line):
                    assert re.fullmatch(r"\$[0-9,]+\.[0-9]{2}", money), (width, line)
                assert "…" not in line[-3:], (width, line)  # no cell cut at the edge
            header = lines[0].split()
            assert header[-1] in ("ETA", "Cost", "Loss"), (width, lines[0])


async def test_a_run_hidden_by_the_filter_gets_the_cursor_back(tmp_path):
    async with _held_list(tmp_path) as (app, services, pilot, table):
        await pilot.press("down", "down", "down")
        chosen = table.selected_job_id
        await pilot.press("slash", "z", "z", "z")  # matches nothing
        await pilot.pause(0.1)
        assert table.row_count == 0 and table.selected_job_id is None
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert table.selected_job_id == chosen
        assert app.screen.selected == chosen

        # but a run the user picks while filtered is the one that stays
        await pilot.press("slash", *"run")
        await pilot.pause(0.1)
        assert len(table.visible_job_ids()) > 1  # the demo has several running runs
        await pilot.press("down")
        picked = table.selected_job_id
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert table.selected_job_id == picked


async def test_while_filtered_the_cursor_follows_its_run_as_new_runs_arrive(tmp_path):
    from axom_tui.poll.policy import PollPolicy
    from ui_helpers import wait_for

    # runs are submitted every ~0.2-0.6 s (real) and arrive at the top; most are "train"
    with sim_server(submit_every=25.0, max_live_runs=50) as srv:
        async with app_on(srv, tmp_path, policy=PollPolicy(jobs_list=0.5)) as (
            app,
            services,
            pilot,
            _,
        ):
            table = app.screen.query_one(JobTable)
            await pilot.press("slash", *"train")
            await wait_for(pilot, lambda: table.row_count >= 2, timeout=15, what="two train runs")
            chosen = table.selected_job_id  # the filter put the cursor here; the user did not move
            before = table.get_row_index(chosen)
            await wait_for(
                pilot,
                lambda: chosen in table.visible_job_ids() and table.get_row_index(chosen) > before,
                timeout=15,
                what="a newer train run above it",
            )
            assert table.selected_job_id == chosen


async def test_a_clock_step_moves_the_live_rows_time_cells_in_one_repaint(tmp_path):
    from datetime import timedelta

    from axom_tui.view import format as fmt

    async with _held_list(tmp_path) as (app, services, pilot, table):
        await pilot.pause(0.3)
        runs = services.store.runs
        live = [
            j
            for j in table.visible_job_ids()
            if runs[j].job and not runs[j].job.terminal and runs[j].job.started_at
        ]
        done = [j for j in table.visible_job_ids() if runs[j].job and runs[j].job.terminal]
        assert len(live) >= 2 and done
        base = max(runs[j].job.started_at for j in live) + timedelta(seconds=30)
        now = [base]
        table.server_clock = type("Clock", (), {"now": lambda self: now[0]})()
        table.refresh_time_cells()
        done_cells = {j: table.get_cell(j, "elapsed").plain for j in done}

        calls: list[tuple[Region, ...]] = []
        real_refresh = table.refresh
        table.refresh = lambda *regions, **kw: (
            calls.append(regions),
            real_refresh(*regions, **kw),
        )[1]
        now[0] = base + timedelta(seconds=75)
        table.refresh_time_cells()
        for job_id in live:
            expected = fmt.duration((now[0] - runs[job_id].job.started_at).total_seconds())
            assert table.get_cell(job_id, "elapsed").plain == expected
        assert {j: table.get_cell(j, "elapsed").plain for j in done} == done_cells
        # one refresh for the whole step, covering only the time columns of the live rows
        [regions] = calls
        spans = {key: (x, x + span) for key, x, span in table._column_spans()}
        assert {r.y for r in regions} == {
            1 + table.get_row_index(j)
            for j in live
            if 1 + table.get_row_index(j) < table.size.height
        }
        assert all((r.x, r.right) in (spans["elapsed"], spans["eta"]) for r in regions)


def test_sort_arrows_say_ascending_or_descending():
    from axom_tui.ui.widgets.job_columns import header_labels
    from axom_tui.ui.widgets.job_rows import COLUMNS

    def label(column: str, reverse: bool, ascii_mode: bool = False) -> str:
        labels = header_labels(COLUMNS, column, reverse, ascii_mode)
        return next(t.plain for (key, _, _), t in zip(COLUMNS, labels) if key == column)

    assert label("name", False) == "Name ▲" and label("name", True) == "Name ▼"
    assert label("progress", False) == "Progress ▼"  # furthest along first: descending
    assert label("name", False, ascii_mode=True) == "Name ^"
    assert label("cost", False, ascii_mode=True) == "Cost v"
