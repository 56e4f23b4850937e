"""The dashboard against the simulator: start-up, selection, layout, help, themes, palette."""

from __future__ import annotations

from textual.binding import Binding
from textual.command import CommandList, CommandPalette
from textual.widgets import Static

from axom_tui.poll import PollPolicy
from axom_tui.ui.commands import RunCommands
from axom_tui.ui.messages import RunChosen
from axom_tui.ui.no_key import NoKeyApp
from axom_tui.ui.screens.dashboard import DashboardScreen
from axom_tui.ui.screens.help import HelpScreen, display_key
from axom_tui.ui.status_style import status_colour
from axom_tui.ui.widgets.header_bar import HeaderBar
from axom_tui.ui.widgets.job_table import JobTable
from axom_tui.ui.widgets.metric_chart import MetricChart
from axom_tui.ui.widgets.run_summary import RunSummary
from axom_tui.view.job_sort import SORTS
from ui_helpers import (
    SIZE,
    make_app,
    renderable_text,
    screen_text,
    sim_server,
    started,
    wait_for,
    widget_text,
)


def _job_name(app, job_id: str) -> str:
    return app.services.store.runs[job_id].job.display_name


async def test_startup_fills_table_shows_live_and_selection_focuses_run(server, tmp_path):
    app, services = make_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        store = services.store
        table = app.screen.query_one(JobTable)
        assert isinstance(app.screen, DashboardScreen)
        assert table.has_focus
        # every run the simulator lists is a row, keyed by job id, newest first
        assert table.row_count == len(store.order) == len(server.sim.job_ids())
        assert table.visible_job_ids() == list(store.order)
        assert set(store.order) == set(server.sim.job_ids())

        header = app.screen.query_one(HeaderBar)
        await wait_for(pilot, lambda: store.connection.state == "live", what="live connection")
        await wait_for(pilot, lambda: "● live" in widget_text(header), what="header to say live")

        first = table.selected_job_id
        await wait_for(pilot, lambda: services.scheduler.focused == first, what="focus on row 1")
        await pilot.press("down")
        second = store.order[1]
        await wait_for(pilot, lambda: app.screen.selected == second, what="selection to follow")
        assert table.selected_job_id == second
        assert services.scheduler.focused == second
        summary = widget_text(app.screen.query_one(RunSummary))
        assert _job_name(app, second) in summary
        assert second[:8] in summary
        assert _job_name(app, first) not in summary.split("\n")[0]
        # and the rendered screen agrees
        assert _job_name(app, second) in screen_text(app)

    # A store flush whose timer fires while the app shuts down (no screens left) is dropped
    # instead of raising ScreenStackError into the app's last moments.
    services.store.ensure_run("one-more")  # a change: a new run
    app._flush_changes()


async def test_cursor_stays_on_the_same_run_when_rows_arrive_and_sort_changes(tmp_path):
    # Runs are submitted every ~0.2–0.6 s (real) and the job list is polled every 0.5 s.
    with sim_server(submit_every=25.0, max_live_runs=50) as srv:
        app, services = make_app(srv, tmp_path, policy=PollPolicy(jobs_list=0.5))
        async with app.run_test(size=SIZE) as pilot:
            await started(pilot, app)
            table = app.screen.query_one(JobTable)
            for _ in range(3):
                await pilot.press("down")
            chosen = table.selected_job_id
            await wait_for(pilot, lambda: app.screen.selected == chosen, what="selection")
            rows_before, index_before = table.row_count, table.get_row_index(chosen)

            await wait_for(
                pilot,
                lambda: table.row_count >= rows_before + 2,
                timeout=15,
                what="new runs to appear in the table",
            )
            # newest first: the new runs went on top, so the run moved down…
            assert table.get_row_index(chosen) >= index_before + 2
            assert table.selected_job_id == chosen  # …and the cursor went with it
            assert app.screen.selected == chosen
            assert services.scheduler.focused == chosen

            for mode in (*SORTS[1:], SORTS[0]):  # o goes through every column, then back
                await pilot.press("o")
                assert table.sort_mode == mode
                assert table.selected_job_id == chosen
                assert app.screen.selected == chosen
                if mode == "name":  # the sort really reordered the rows
                    names = [_job_name(app, jid).lower() for jid in table.visible_job_ids()]
                    assert names == sorted(names)


async def test_narrow_terminal_adapts_layout(server, tmp_path):
    app, services = make_app(server, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, app)
        await pilot.pause(0.3)
        screen = app.screen
        assert screen.has_class("-narrow") and screen.has_class("-short")
        assert not screen.query_one("#info").display
        table = screen.query_one(JobTable)
        chart = screen.query_one(MetricChart)
        assert table.display and table.region.height > 0 and table.region.width > 0
        assert chart.display and chart.region.height > 0 and chart.region.width > 0
        text = screen_text(app)
        assert _job_name(app, table.selected_job_id)[:15] in text
        await pilot.press("down")
        second = services.store.order[1]
        await wait_for(pilot, lambda: app.screen.selected == second, what="selection")
        assert app.is_running
        # widened, the info column comes back
        await pilot.resize_terminal(*SIZE)
        await wait_for(pilot, lambda: not screen.has_class("-narrow"), what="the wide layout")
        assert screen.query_one("#info").display


def _help_text(app) -> str:
    screen = app.screen
    assert isinstance(screen, HelpScreen)
    return "\n".join(renderable_text(s.content, 78) for s in screen.query(Static))


async def test_help_lists_every_dashboard_and_job_list_binding(server, tmp_path):
    keymap = {"refresh": "f5", "jobs.mark": "m"}  # remapped keys show as remapped
    app, _ = make_app(server, tmp_path, keymap=keymap)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help screen")
        text = _help_text(app)
        for cls in (DashboardScreen, JobTable, app.__class__):
            bindings = [b for b in Binding.make_bindings(cls.BINDINGS) if b.description]
            assert bindings
            for binding in bindings:
                assert binding.description in text, binding
                lines = [ln for ln in text.splitlines() if ln.split()[-1:] == [binding.id]]
                assert len(lines) == 1, (binding, lines)
                assert binding.description in lines[0]
                shown_keys = lines[0].split()[0].split(",")  # one row per id: "up,k"
                assert set(display_key(binding, keymap).split(",")) <= set(shown_keys), lines[0]
        rows = {ln.split()[-1]: ln.split() for ln in text.splitlines() if ln.split()}
        assert "f5" in rows["refresh"] and "r" not in rows["refresh"]
        assert "m" in rows["jobs.mark"] and "space" not in rows["jobs.mark"]
        # the help screen is on the glass, not just composed
        assert "keys (esc to close)" in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen), what="help closed")


async def test_no_key_screen_explains_what_to_do(tmp_path):
    config = tmp_path / "config.toml"
    app = NoKeyApp(str(config))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "AXOM_KEY" in text
        assert "--demo" in text
        assert str(config) in widget_text(app.query_one("#box"), 200)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_theme_switch_cycles_axom_themes_and_recolours_status_cells(server, tmp_path):
    app, services = make_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        table = app.screen.query_one(JobTable)
        job_id = table.selected_job_id
        seen = [app.theme]
        assert app.theme == "axom-dark"
        axom_themes = sorted(n for n in app.available_themes if n.startswith("axom"))
        assert len(axom_themes) >= 2
        for _ in range(len(axom_themes)):
            await pilot.press("T")
            assert app.theme.startswith("axom-")
            assert app.theme != seen[-1]
            seen.append(app.theme)
            cell = table.get_cell(job_id, "status")
            status = cell.plain.split(" ", 1)[1]  # "▶ running"
            wanted = status_colour(status, app.theme_variables)
            assert cell.style.color.name.lower() == wanted.lower()
        assert seen[-1] == seen[0]  # went round every axom theme once
        assert sorted(set(seen)) == axom_themes
        assert app.is_running


def _unique_word(app, job_id: str) -> str:
    names = [app.services.store.runs[j].job.display_name for j in app.services.store.order]
    word = _job_name(app, job_id).split("-")[-1]
    assert sum(word in n for n in names) == 1, (word, names)
    return word


async def test_command_palette_provider_goes_to_a_run(server, tmp_path):
    app, services = make_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        store = services.store
        table = app.screen.query_one(JobTable)
        target = store.order[-1]  # the oldest run, far from the cursor
        name = _job_name(app, target)
        assert table.selected_job_id != target

        provider = RunCommands(app.screen)
        hits = [hit async for hit in provider.search(name)]
        labels = [str(hit.text) for hit in hits]
        assert f"Go to run: {name}" in labels
        hit = hits[labels.index(f"Go to run: {name}")]
        hit.command()
        await wait_for(pilot, lambda: app.screen.selected == target, what="palette selection")
        assert table.selected_job_id == target
        assert services.scheduler.focused == target

        # and through the palette itself: ctrl+p, type, enter
        other = store.order[2]
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="the palette")
        await pilot.press(*_unique_word(app, other))
        wanted = "Go to run: " + _job_name(app, other)
        await wait_for(
            pilot,
            lambda: _palette_top(app).startswith(wanted),
            what="the run as the palette's first hit",
        )
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: app.screen.selected == other, what="palette (typed) selection"
        )
        assert isinstance(app.screen, DashboardScreen)
        assert table.selected_job_id == other


def _palette_top(app) -> str:
    if not isinstance(app.screen, CommandPalette):
        return ""
    options = app.screen.query_one(CommandList)
    if options.option_count == 0:
        return ""
    prompt = options.get_option_at_index(0).prompt
    return renderable_text(prompt, 200).strip() if not isinstance(prompt, str) else prompt


async def test_going_to_a_run_before_the_list_has_loaded_selects_it_once_listed(server, tmp_path):
    app, services = make_app(server, tmp_path)
    target = sorted(server.sim.job_ids())[-1]
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one(JobTable)
        assert table.row_count == 0  # nothing listed yet
        app.post_message(RunChosen(target))
        await started(pilot, app)
        await wait_for(pilot, lambda: table.selected_job_id == target, what="the cursor on the run")
        await wait_for(
            pilot, lambda: app.screen.selected == target, what="the run in the detail panes"
        )
        assert services.scheduler.focused == target
