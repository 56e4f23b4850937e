"""Keys people already know: j/k and g/G in every list and pane, sort by any column
either way, a pane maximized, smoothing by degrees; help that lines up and lists every
key (with its id, so it can be remapped), a palette without twins, S everywhere."""

from __future__ import annotations

import re

import pytest
from textual.app import App
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from axom_tui.ui.app import AxomApp
from axom_tui.ui.commands import RunCommands
from axom_tui.ui.messages import CompareRequested
from axom_tui.ui.no_key import NoKeyApp
from axom_tui.ui.screens.compare import CompareScreen
from axom_tui.ui.screens.dashboard import DashboardScreen
from axom_tui.ui.screens.help import HelpScreen, binding_sections
from axom_tui.ui.widgets.downloads_panel import DownloadsPanel
from axom_tui.ui.widgets.job_table import JobTable
from axom_tui.ui.widgets.log_view import LogView
from axom_tui.ui.widgets.log_view_chrome import LogSearchInput
from axom_tui.ui.widgets.metric_chart import MetricChart
from axom_tui.ui.widgets.timeline import Timeline
from axom_tui.view.job_sort import SORTS
from ui_helpers import (
    SIZE,
    app_on,
    make_app,
    record_notifications,
    renderable_text,
    sim_server,
    started,
    wait_for,
)

ALL_BINDING_CLASSES = (
    AxomApp,
    DashboardScreen,
    CompareScreen,
    HelpScreen,
    JobTable,
    Timeline,
    LogView,
    LogSearchInput,
    DownloadsPanel,
)


def test_every_key_has_an_id_and_a_row_in_help():
    listed = {b.id for _, bindings in binding_sections(AxomApp) for b in bindings}
    for cls in (*ALL_BINDING_CLASSES, NoKeyApp):
        for binding in Binding.make_bindings(cls.BINDINGS):
            assert binding.id and binding.description, (cls.__name__, binding)
            if cls is not NoKeyApp:
                assert binding.id in listed, (cls.__name__, binding.id)
    # and an id names one thing: remapping it cannot move two keys of different meaning
    actions: dict[str, set[str]] = {}
    for cls in ALL_BINDING_CLASSES:
        for binding in Binding.make_bindings(cls.BINDINGS):
            owner = "app" if cls is AxomApp or binding.action.startswith("app.") else cls.__name__
            actions.setdefault(binding.id, set()).add(
                f"{owner}.{binding.action.removeprefix('app.')}"
            )
    assert all(len(a) == 1 for a in actions.values()), {
        i: a for i, a in actions.items() if len(a) > 1
    }


async def test_help_columns_line_up_across_sections():
    sections = binding_sections(AxomApp)

    class Host(App):
        def on_mount(self) -> None:
            self.push_screen(HelpScreen(sections, {}))

    app = Host()
    async with app.run_test(size=(100, 60)) as pilot:
        await pilot.pause()
        text = "\n".join(renderable_text(s.content, 78) for s in app.screen.query(Static))
    ids = {b.id for _, bindings in sections for b in bindings}
    rows = [ln for ln in text.splitlines() if ln.split() and ln.split()[-1] in ids]
    assert len(rows) == len(ids)
    descriptions = {re.match(r"\s*\S+\s+", ln).end() for ln in rows}
    id_column = {ln.rindex(ln.split()[-1]) for ln in rows}
    assert len(descriptions) == 1 and len(id_column) == 1, (descriptions, id_column)


async def test_the_palette_has_one_entry_per_thing(tmp_path):
    with sim_server() as server:
        async with app_on(server, tmp_path) as (app, _, pilot, _):
            await pilot.pause()
            system = [c.title for c in app.get_system_commands(app.screen)]
            ours = [label for label, _, _ in RunCommands(app.screen)._entries()]
    assert "Quit" in system and "Help: all keys" in ours and "Save a screenshot (SVG)" in ours
    assert "Keys" not in system and "Screenshot" not in system
    assert len(set(system + ours)) == len(system + ours)


async def test_j_k_g_g_move_in_the_job_list_and_l_is_log_y(tmp_path):
    with sim_server() as server:
        async with app_on(server, tmp_path) as (app, _, pilot, _):
            table = app.screen.query_one(JobTable)
            chart = app.screen.query_one(MetricChart)
            log_y = chart.log_y
            await pilot.press("j", "j")
            assert table.cursor_row == 2
            await pilot.press("k")
            assert table.cursor_row == 1
            await pilot.press("G")
            assert table.cursor_row == table.row_count - 1
            await pilot.press("g")
            assert table.cursor_row == 0 and chart.log_y == log_y  # g no longer log y
            await pilot.press("l")
            assert chart.log_y != log_y


async def test_o_goes_through_every_column_and_o_shift_reverses(tmp_path):
    with sim_server() as server:
        async with app_on(server, tmp_path) as (app, services, pilot, _):
            table = app.screen.query_one(JobTable)
            seen = []
            for _ in SORTS:
                await pilot.press("o")
                seen.append(table.sort_mode)
            assert set(seen) == set(SORTS) and len(SORTS) >= 10
            while table.sort_mode != "name":
                await pilot.press("o")
            names = [
                services.store.runs[j].job.display_name.lower() for j in table.visible_job_ids()
            ]
            await pilot.press("O")
            assert table.sort_reverse
            again = [
                services.store.runs[j].job.display_name.lower() for j in table.visible_job_ids()
            ]
            assert again == sorted(names, reverse=True) and names == sorted(names)


async def test_z_maximizes_the_focused_pane_and_back(tmp_path):
    with sim_server() as server:
        async with app_on(server, tmp_path) as (app, _, pilot, _):
            await pilot.press("L")
            await wait_for(pilot, lambda: isinstance(app.focused, LogView), what="the log's focus")
            await pilot.press("z")
            assert app.screen.maximized is app.screen.query_one(LogView)
            await pilot.press("z")
            assert app.screen.maximized is None
            await pilot.press("J")
            await wait_for(
                pilot, lambda: isinstance(app.focused, JobTable), what="the list's focus"
            )
            await pilot.press("z")
            assert app.screen.maximized is app.screen.query_one(JobTable)
            await pilot.press("escape")
            assert app.screen.maximized is None


async def test_smoothing_weight_goes_up_and_down_and_shows(tmp_path):
    with sim_server() as server:
        async with app_on(server, tmp_path) as (app, _, pilot, _):
            chart = app.screen.query_one(MetricChart)
            start = chart.weight
            await pilot.press("greater_than_sign")
            assert chart.weight > start and chart.smoothing
            await pilot.press("less_than_sign", "less_than_sign")
            assert chart.weight < start
            await wait_for(pilot, lambda: not chart.placeholder, timeout=20, what="a chart")
            chart.redraw()
            assert f"EMA {chart.weight:g}" in chart.text


async def test_j_k_in_the_log_pane_and_the_help(tmp_path):
    with sim_server() as server:
        async with app_on(server, tmp_path) as (app, _, pilot, _):
            log = app.screen.query_one(LogView)
            await wait_for(pilot, lambda: log.line_count > 40, timeout=20, what="log lines")
            log.focus()
            await pilot.pause()
            await pilot.press("k")
            assert not log.follow  # scrolled up one line: paused
            await pilot.press("G")
            assert log.follow
            await pilot.press("question_mark")
            await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
            from textual.containers import VerticalScroll

            scroll = app.screen.query_one(VerticalScroll)
            await pilot.press("j", "j", "j")
            assert scroll.scroll_y == 3
            await pilot.press("k")
            assert scroll.scroll_y == 2


async def test_s_saves_a_screenshot_on_every_screen(tmp_path):
    with sim_server() as server:
        app, services = make_app(server, tmp_path)
        shots = tmp_path / "shots"
        async with app.run_test(size=SIZE) as pilot:
            await started(pilot, app)
            await pilot.press("S")
            await pilot.press("question_mark")
            await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
            await pilot.press("S")
            await pilot.press("escape")
            app.post_message(CompareRequested(services.store.order[:2]))
            await wait_for(pilot, lambda: isinstance(app.screen, CompareScreen), what="compare")
            await pilot.press("S")
            await wait_for(pilot, lambda: len(list(shots.glob("*.svg"))) == 3, what="3 shots")


async def test_s_saves_a_screenshot_on_the_no_key_screen(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = NoKeyApp(str(tmp_path / "config.toml"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("S")
        await pilot.pause()
        assert list(tmp_path.glob("*.svg"))


@pytest.mark.parametrize("size", [(50, 15), (160, 48)])
async def test_help_never_cuts_a_heading_or_a_description(size):
    sections = binding_sections(AxomApp)

    class Host(App):
        def on_mount(self) -> None:
            self.push_screen(HelpScreen(sections, {}))

    app = Host()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        width = app.screen.query_one(VerticalScroll).content_region.width
        keys = list(app.screen.query(Static))[1]  # between the title and the palette's note
        text = renderable_text(keys.content, width)
    assert "…" not in text
    for title, bindings in sections:
        assert title in text
        for binding in bindings:
            assert binding.description.split()[0] in text.split(), binding


async def test_less_smoothing_never_reaches_zero_and_off_means_off(tmp_path):
    with sim_server() as server:
        async with app_on(server, tmp_path) as (app, _, pilot, _):
            toasts = record_notifications(app)
            chart = app.screen.query_one(MetricChart)
            assert chart.smoothing
            await pilot.press(*["less_than_sign"] * 12)
            assert 0 < chart.weight < 1 and chart.smoothing
            await pilot.press("s")
            assert not chart.smoothing
            weight = chart.weight
            await pilot.press("greater_than_sign", "less_than_sign")
            assert not chart.smoothing and chart.weight == weight
            assert toasts.matching("s turns it on")
