"""The log pane inside the dashboard: search, wrap, filter, and hostile worker output."""

from __future__ import annotations

from axom_tui.ui.messages import RunChosen
from axom_tui.ui.widgets.log_view import LogView
from ui_helpers import (
    app_on,
    role_id,
    screen_text,
    wait_for,
    widget_text,
)

CLICK_MARKUP = "[@click=app.quit]click here to continue[/]"
RICH_MARKUP = "[bold red]x[/] user code printed Rich-style markup"


def _count(log: LogView, needle: str) -> int:
    return sum(text.lower().count(needle) for text in log.index.texts())


async def test_log_pane_search_wrap_and_filter(server, tmp_path):
    async with app_on(server, tmp_path) as (app, services, pilot, _):
        done = role_id(server.sim, "done-contract")  # finished: its log no longer grows
        app.post_message(RunChosen(done))
        log = app.screen.query_one(LogView)
        run = services.store.runs[done]
        await wait_for(pilot, lambda: app.screen.selected == done, what="selection")
        truth = server.sim.ground_truth(done)
        assert truth.status == "completed"
        await wait_for(
            pilot,
            lambda: len(run.logs) == len(truth.logs) > 50 and log.line_count == len(run.logs),
            what="all the run's logs in the pane",
        )

        await pilot.press("L")
        assert log.has_focus
        status = log.status
        assert status.query == "" and not status.wrap and not status.filtering

        await pilot.press("slash")
        assert log.search_open and log.search_box.has_focus
        await pilot.press(*"loss", "enter")
        assert log.has_focus  # enter returns to the log
        status = log.status
        expected = _count(log, "loss")
        assert expected > 0
        assert status.query == "loss"
        assert status.match_total == expected
        assert status.match_current is not None and 1 <= status.match_current <= expected
        assert not status.following  # jumping to a match pauses the tail
        await pilot.pause(0.15)
        assert f"/{expected:,}" in widget_text(log.status_line)

        await pilot.press("n")
        assert log.status.match_current is not None

        await pilot.press("x")
        assert log.status.filtering
        assert log.index.visible_count == sum(1 for t in log.index.texts() if "loss" in t.lower())
        assert log.index.visible_count < log.line_count
        await pilot.press("x")
        assert not log.status.filtering

        await pilot.press("w")
        assert log.status.wrap and log.has_class("-wrap")
        await pilot.press("w")
        assert not log.status.wrap and not log.has_class("-wrap")

        await pilot.press("escape")  # clears the search
        assert log.status.query == "" and log.status.match_total == 0
        assert not log.search_open
        await pilot.pause(0.15)
        assert "filter off" in widget_text(log.status_line)


async def test_hostile_log_lines_are_shown_inert(server, tmp_path):
    async with app_on(server, tmp_path) as (app, services, pilot, _):
        hostile = role_id(server.sim, "hostile")
        app.post_message(RunChosen(hostile))
        log = app.screen.query_one(LogView)
        await wait_for(
            pilot,
            lambda: any(CLICK_MARKUP in t for t in log.index.texts()),
            timeout=20,
            what="the hostile lines",
        )

        await pilot.press("L", "slash", *"@click", "enter")
        span = log.index.current_span()
        assert span is not None
        line = span[0]
        assert log.index.text(line) == CLICK_MARKUP  # kept verbatim, not parsed as markup
        await pilot.pause(0.2)

        text = screen_text(app)
        svg = app.export_screenshot()
        assert "\x1b" not in text and "\x1b" not in svg
        assert "\x07" not in text
        assert CLICK_MARKUP in text
        # the escape sequences are visible, inert stand-ins
        joined = "\n".join(log.index.texts())
        assert "\x1b" not in joined
        assert "␛]0;pwned" in joined
        assert RICH_MARKUP in joined
        assert "loading shards 1/4" in joined

        # clicking on the line does not run its "action"
        row = log.index.row_of_line(line)
        assert row is not None
        y = row - round(log.scroll_offset.y)
        assert 0 <= y < log.size.height
        assert CLICK_MARKUP in log.render_line(y).text  # the row under the pointer is that line
        await pilot.click(LogView, offset=(5, y))
        await pilot.pause(0.2)
        assert app.is_running and app.return_code is None
        assert not app._exit
