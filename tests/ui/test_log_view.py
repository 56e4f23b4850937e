"""Pilot tests for the log pane (LogView and its docked chrome) in a tiny host app at 100×30:
appending, dedupe and the line cap, inert rendering of hostile text, follow/pause and
scrolling, stderr and timestamp styling, the docked chrome's layout, and append speed.

Search, filter, wrap, copy and key bindings are in test_log_view_search.py.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from textual import events
from textual.theme import Theme

from axom_tui.api.records import LogLine
from axom_tui.ui.widgets.log_view import LogView
from axom_tui.ui.widgets.log_view_chrome import LogSearchInput, LogStatusLine
from ui_helpers import batch, log_rows, log_view_holding, screen_rows, settle, status_text


async def test_append_batches_shows_tail() -> None:
    async with log_view_holding() as (app, pilot, view):
        for start in range(0, 500, 100):
            view.append(batch(start, start + 100))
        await settle(pilot, view)
        rows = screen_rows(view)
        assert rows[-1].strip() == "line 499"
        assert rows[0].strip() == f"line {500 - len(rows)}"
        assert "FOLLOW" in status_text(app) and "500/10,000 lines" in status_text(app)


async def test_redraw_is_throttled_and_eventually_applied() -> None:
    async with log_view_holding() as (app, pilot, view):
        calls = 0
        original = view._sync

        def counting_sync() -> None:
            nonlocal calls
            calls += 1
            original()

        view._sync = counting_sync  # type: ignore[method-assign]
        t0 = time.perf_counter()
        for start in range(0, 5000, 50):
            view.append(batch(start, start + 50))
            await pilot.pause(0.005)
        elapsed = time.perf_counter() - t0
        await pilot.pause(0.25)
        assert screen_rows(view)[-1].strip() == "line 4999"  # the timer applied it
        # ~10 Hz, not one redraw per batch (100 batches)
        assert 1 <= calls <= elapsed / LogView.REFRESH_INTERVAL + 3, (calls, elapsed)


async def test_dedupe_by_seq() -> None:
    async with log_view_holding() as (app, pilot, view):
        assert view.append(batch(0, 10)) == 10
        assert view.append(batch(5, 15)) == 5
        assert view.append(batch(0, 3)) == 0
        await settle(pilot, view)
        assert view.line_count == 15
        texts = [r.strip() for r in screen_rows(view) if r.strip()]
        assert texts == [f"line {i}" for i in range(15)]


async def test_cap_evicts_oldest_and_is_settable() -> None:
    async with log_view_holding(batch(0, 120), max_lines=50) as (app, pilot, view):
        assert view.line_count == 50
        assert view.index.text(0) == "line 70"
        assert log_rows(view) == 50
        view.max_lines = 20
        await settle(pilot, view)
        assert view.line_count == 20 and view.index.text(0) == "line 100"
        assert "20/20 lines" in status_text(app)


HOSTILE = [
    "\x1b]0;pwned\x07",
    "\x1b[31mred",
    "[bold red]x[/]",
    "[@click=app.quit]click[/]",
    "\x9b2J",
    "a\rb",
    "left\u202eright",
]


async def test_hostile_text_is_literal_inert_and_never_raw() -> None:
    lines = [LogLine(i, text) for i, text in enumerate(HOSTILE)]
    async with log_view_holding(lines) as (app, pilot, view):
        rows = [r[2:] for r in screen_rows(view)[: len(HOSTILE)]]
        assert rows == [
            "␛]0;pwned",
            "␛[31mred",
            "[bold red]x[/]",
            "[@click=app.quit]click[/]",
            "<U+009B>2J",
            "a␍b",
            "left<U+202E>right",
        ]
        for y in range(len(HOSTILE)):
            strip = view.render_line(y)
            for segment in strip:
                assert segment.style is None or not segment.style.meta  # no @click etc.
                assert segment.style is None or not segment.style.bold or segment.text == " "
        # Click every hostile line: nothing fires, the app keeps running.
        for y in range(len(HOSTILE)):
            await pilot.click(LogView, offset=(5, y))
            await pilot.click(LogView, offset=(5, y), times=2)
        await pilot.pause()
        assert app.is_running and app.return_code is None
        svg = app.export_screenshot()
        for raw in ("\x1b", "\x9b", "\x07", "\r", "\u202e"):
            assert raw not in svg


async def test_follow_then_pause_counts_new_lines_and_end_resumes() -> None:
    async with log_view_holding(batch(0, 200)) as (app, pilot, view):
        assert view.follow and screen_rows(view)[-1].strip() == "line 199"
        await pilot.press("pageup")
        await settle(pilot, view)
        assert not view.follow
        before = screen_rows(view)
        view.append(batch(200, 250))
        await settle(pilot, view)
        assert screen_rows(view) == before  # paused: the viewport does not move
        assert "PAUSED (+50 new)" in status_text(app)
        await pilot.press("end")
        await settle(pilot, view)
        assert view.follow and "FOLLOW" in status_text(app)
        assert screen_rows(view)[-1].strip() == "line 249"
        await pilot.press("f")
        assert not view.follow
        await pilot.press("f")
        assert view.follow


async def test_mouse_wheel_up_pauses() -> None:
    async with log_view_holding(batch(0, 200)) as (app, pilot, view):
        # Pilot has no wheel helper; post the same event the driver would.
        await pilot._post_mouse_events([events.MouseScrollUp], LogView, offset=(10, 5))
        await settle(pilot, view)
        assert not view.follow


async def test_paused_view_stays_on_its_lines_while_the_cap_evicts() -> None:
    async with log_view_holding(batch(0, 300), max_lines=300) as (app, pilot, view):
        await pilot.press("pageup")
        await settle(pilot, view)
        before = screen_rows(view)
        view.append(batch(300, 320))  # evicts 20 from the front
        await settle(pilot, view)
        assert screen_rows(view) == before


async def test_stderr_styled_differently_with_marker() -> None:
    lines = [LogLine(0, "out", "stdout"), LogLine(1, "err", "stderr")]
    async with log_view_holding(lines) as (app, pilot, view):
        out_row, err_row = view.render_line(0), view.render_line(1)
        assert out_row.text.startswith("  out") and err_row.text.startswith("▌ err")

        def text_style(strip, word):  # type: ignore[no-untyped-def]
            return next(s.style for s in strip if word in s.text)

        assert text_style(out_row, "out").color != text_style(err_row, "err").color


async def test_stderr_uses_theme_variable_when_present() -> None:
    async with log_view_holding() as (app, pilot, view):
        app.register_theme(
            Theme(
                name="stderr-test",
                primary="#4EA1FF",
                dark=True,
                variables={"stderr": "#ff00ff"},
            )
        )
        app.theme = "stderr-test"
        await pilot.pause()
        view = app.query_one(LogView)
        view.append([LogLine(1, "err", "stderr")])
        await settle(pilot, view)
        style = next(s.style for s in view.render_line(0) if "err" in s.text)
        assert style is not None and style.color is not None
        assert style.color.triplet is not None and style.color.triplet.hex == "#ff00ff"


async def test_timestamp_gutter_toggle() -> None:
    async with log_view_holding() as (app, pilot, view):
        ts = datetime(2025, 1, 2, 13, 4, 5, tzinfo=UTC)
        view.append([LogLine(0, "hello", ts=ts), LogLine(1, "no time")])
        await settle(pilot, view)
        assert view.render_line(0).text.startswith("  hello")
        await pilot.press("t")
        await settle(pilot, view)
        local = ts.astimezone().strftime("%H:%M:%S")  # aware times shown in local time
        assert view.render_line(0).text.startswith(f" {local} hello")
        assert view.render_line(1).text.startswith(" --:--:-- no time")


async def test_set_lines_replaces_and_clear_empties() -> None:
    async with log_view_holding() as (app, pilot, view):
        view.append(batch(100, 200))
        await pilot.press("pageup")
        view.set_lines(batch(0, 10, "run2 {}"))  # lower seqs: a different run
        await settle(pilot, view)
        assert view.line_count == 10 and view.follow
        assert screen_rows(view)[0].strip() == "run2 0"
        view.clear()
        await settle(pilot, view)
        assert view.line_count == 0 and log_rows(view) == 0
        assert all(not r.strip() for r in screen_rows(view))


@pytest.mark.parametrize("batch_size", [10_000])
async def test_append_large_batch_is_fast(batch_size: int) -> None:
    async with log_view_holding() as (app, pilot, view):
        view.append(batch(0, 100))
        lines = batch(100, 100 + batch_size, "2025-01-01 step {} loss=0.123 lr=3e-4")
        t0 = time.perf_counter()
        view.append(lines)
        elapsed = time.perf_counter() - t0
        await settle(pilot, view)
        assert elapsed < 0.25, elapsed  # typically ~10 ms
        assert len(list(view.walk_children())) == 3  # only the chrome; no per-line widgets
        assert screen_rows(view)[-1].strip().endswith(f"step {99 + batch_size} loss=0.123 lr=3e-4")


async def test_chrome_is_docked_inside_the_view_and_never_hides_the_last_line() -> None:
    async with log_view_holding(batch(0, 200)) as (app, pilot, view):
        status = app.query_one(LogStatusLine)
        assert status.parent is not None and status.parent.parent is view
        content = view.content_region
        # status line: the last row of the view above the horizontal scrollbar
        assert status.region.bottom == content.bottom - view.scrollbar_size_horizontal
        last_row_y = status.region.y - 1
        widget, _ = app.screen.get_widget_at(content.x + 5, last_row_y)
        assert widget is view
        assert view.render_line(last_row_y - content.y).text.strip() == "line 199"
        # opening the search box adds a row; the tail is still visible above it
        await pilot.press("/")
        await settle(pilot, view)
        box = app.query_one(LogSearchInput)
        assert box.display and box.region.bottom == status.region.y
        assert screen_rows(view)[-1].strip() == "line 199"
        assert box.region.y == content.y + view.view_height


async def test_long_line_scrolls_horizontally_with_a_fixed_gutter() -> None:
    async with log_view_holding() as (app, pilot, view):
        text = "".join(f"{i:05d}" for i in range(1000))  # 5000 chars
        view.append([LogLine(0, text, "stderr")])
        await settle(pilot, view)
        assert view.render_line(0).text.startswith("▌ 0000000001")
        view.scroll_to(x=1000, animate=False)
        await pilot.pause()
        row = view.render_line(0).text
        assert row.startswith("▌ " + text[1000:1010])  # gutter stays, body scrolled
        assert len(row) == view.size.width
