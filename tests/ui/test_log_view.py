"""Pilot tests for the log pane (LogView and its docked chrome) in a tiny host app at 100×30."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from rich.style import Style
from textual import events
from textual.app import App, ComposeResult
from textual.theme import Theme
from textual.widgets import Footer

from axom_tui.api.records import LogLine
from axom_tui.ui.widgets.log_view import (
    COPY_LIMIT_BYTES,
    LogSearchInput,
    LogStatusLine,
    LogView,
)

SIZE = (100, 30)


class Host(App[None]):
    def __init__(self, max_lines: int = 10_000) -> None:
        super().__init__()
        self.max_lines = max_lines

    def compose(self) -> ComposeResult:
        yield LogView(max_lines=self.max_lines)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(LogView).focus()


def batch(start: int, stop: int, fmt: str = "line {}", stream: str = "stdout") -> list[LogLine]:
    return [LogLine(seq=i, text=fmt.format(i), stream=stream) for i in range(start, stop)]


def screen_rows(view: LogView) -> list[str]:
    """The text of every log row visible above the docked chrome (padding stripped)."""
    return [view.render_line(y).text.rstrip() for y in range(view.view_height)]


def log_rows(view: LogView) -> int:
    """Rows of log content the view scrolls over (its virtual height minus the chrome)."""
    return view.virtual_size.height - view._chrome_rows()


def status_text(app: App[None]) -> str:
    return str(app.query_one(LogStatusLine).render())


async def settle(pilot, view: LogView) -> None:  # type: ignore[no-untyped-def]
    view.flush()
    await pilot.pause()


async def test_append_batches_shows_tail() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        for start in range(0, 500, 100):
            view.append(batch(start, start + 100))
        await settle(pilot, view)
        rows = screen_rows(view)
        assert rows[-1].strip() == "line 499"
        assert rows[0].strip() == f"line {500 - len(rows)}"
        assert "FOLLOW" in status_text(app) and "500/10,000 lines" in status_text(app)


async def test_redraw_is_throttled_and_eventually_applied() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
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
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        assert view.append(batch(0, 10)) == 10
        assert view.append(batch(5, 15)) == 5
        assert view.append(batch(0, 3)) == 0
        await settle(pilot, view)
        assert view.line_count == 15
        texts = [r.strip() for r in screen_rows(view) if r.strip()]
        assert texts == [f"line {i}" for i in range(15)]


async def test_cap_evicts_oldest_and_is_settable() -> None:
    app = Host(max_lines=50)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        view.append(batch(0, 120))
        await settle(pilot, view)
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
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        view.append([LogLine(i, text) for i, text in enumerate(HOSTILE)])
        await settle(pilot, view)
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


async def test_search_highlights_counts_and_moves() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        view.append(batch(0, 100, "line {} boot"))
        await settle(pilot, view)
        await pilot.press("/")
        box = app.query_one(LogSearchInput)
        assert box.has_focus and box.display
        await pilot.press(*"line 4")
        await settle(pilot, view)
        assert view.index.match_count == 11  # 4, 40..49
        assert "-/11" in status_text(app)
        await pilot.press("enter")
        await settle(pilot, view)
        assert view.has_focus
        assert "1/11" in status_text(app)
        # current match (line 4 is below the top when following? jumped to it either way)
        line, start, end = view.index.current_span()  # type: ignore[misc]
        assert view.index.text(line) == "line 4 boot"
        await pilot.press("n")
        await settle(pilot, view)
        assert "2/11" in status_text(app) and view.index.current_span()[0] == 40  # type: ignore[index]
        await pilot.press("N", "N")
        await settle(pilot, view)
        assert "11/11" in status_text(app)  # wrapped backwards
        assert not view.follow  # navigating pauses the tail


async def test_current_match_is_styled_differently_from_other_matches() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        view.append(batch(0, 3, "xx {} xx"))
        await settle(pilot, view)
        view.search("xx")
        view.action_next_match()
        await settle(pilot, view)

        def style_of(y: int, col: int) -> Style:
            pos = 0
            for segment in view.render_line(y):
                if pos <= col < pos + len(segment.text):
                    return segment.style or Style()
                pos += len(segment.text)
            raise AssertionError("column out of range")

        current = style_of(0, 2)  # first "xx" of line 0
        other = style_of(0, 7)  # second "xx" of line 0
        plain = style_of(0, 5)  # the digit
        assert current != other and other != plain and current != plain
        assert other.bgcolor is not None and other.bgcolor != plain.bgcolor


async def test_regex_and_bad_regex_do_not_crash() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        view.append(batch(0, 100))
        await settle(pilot, view)
        await pilot.press("/", *r"re:^line 1\d$")
        await settle(pilot, view)
        assert view.index.match_count == 10
        await pilot.press("ctrl+u")  # clear the input (Input's delete-left-all)
        await pilot.press(*"re:([")
        await settle(pilot, view)
        assert "bad regex" in status_text(app)
        await pilot.press("enter", "n", "N")
        await settle(pilot, view)
        assert app.is_running
        # escape on the log closes search and clears the highlight
        await pilot.press("escape")
        await settle(pilot, view)
        assert view.search_query == "" and not app.query_one(LogSearchInput).display


async def test_escape_in_search_box_closes_it() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        view.append(batch(0, 10))
        await pilot.press("/", "l", "i")
        assert view.search_query == "li"
        await pilot.press("escape")
        await settle(pilot, view)
        assert view.search_query == "" and view.has_focus
        assert not app.query_one(LogSearchInput).display
        assert view.index.match_count == 0


async def test_filter_shows_only_matches_and_updates_on_append() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        view.append(batch(0, 200))
        view.search("7")
        await pilot.press("x")
        await settle(pilot, view)
        assert view.filtering and "filter on" in status_text(app)
        rows = [r.strip() for r in screen_rows(view) if r.strip()]
        assert rows and all("7" in r for r in rows)
        assert log_rows(view) == view.index.visible_count == 38
        view.append(batch(200, 260))
        await settle(pilot, view)
        rows = [r.strip() for r in screen_rows(view) if r.strip()]
        assert rows[-1] == "line 257" and all("7" in r for r in rows)
        await pilot.press("x")
        await settle(pilot, view)
        assert log_rows(view) == 260 and "filter off" in status_text(app)


async def test_wrap_changes_row_count() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        view.append([LogLine(0, "A" * 5000), LogLine(1, "short")])
        await settle(pilot, view)
        assert log_rows(view) == 2
        assert view.virtual_size.width > 1000  # horizontal scroll over the long line
        await pilot.press("w")
        await pilot.pause()
        await settle(pilot, view)
        body = view.scrollable_content_region.width - 2
        expected = -(-2000 // body) + 1  # the display cap is 2000 chars
        assert log_rows(view) == expected
        assert "wrap on" in status_text(app)
        rows = [r for r in screen_rows(view) if r.strip()]
        assert len(rows) == expected
        assert rows[-1].strip() == "short"
        assert rows[-2].rstrip().endswith("…")
        assert all(len(r) <= view.scrollable_content_region.width for r in rows)
        await pilot.press("w")
        await pilot.pause()
        await settle(pilot, view)
        assert log_rows(view) == 2


async def test_follow_then_pause_counts_new_lines_and_end_resumes() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        view.append(batch(0, 200))
        await settle(pilot, view)
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
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        view.append(batch(0, 200))
        await settle(pilot, view)
        # Pilot has no wheel helper; post the same event the driver would.
        await pilot._post_mouse_events([events.MouseScrollUp], LogView, offset=(10, 5))
        await settle(pilot, view)
        assert not view.follow


async def test_paused_view_stays_on_its_lines_while_the_cap_evicts() -> None:
    app = Host(max_lines=300)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        view.append(batch(0, 300))
        await settle(pilot, view)
        await pilot.press("pageup")
        await settle(pilot, view)
        before = screen_rows(view)
        view.append(batch(300, 320))  # evicts 20 from the front
        await settle(pilot, view)
        assert screen_rows(view) == before


async def test_stderr_styled_differently_with_marker() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        view.append([LogLine(0, "out", "stdout"), LogLine(1, "err", "stderr")])
        await settle(pilot, view)
        out_row, err_row = view.render_line(0), view.render_line(1)
        assert out_row.text.startswith("  out") and err_row.text.startswith("▌ err")

        def text_style(strip, word):  # type: ignore[no-untyped-def]
            return next(s.style for s in strip if word in s.text)

        assert text_style(out_row, "out").color != text_style(err_row, "err").color


async def test_stderr_uses_theme_variable_when_present() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        app.register_theme(Theme(
            name="stderr-test", primary="#4EA1FF", dark=True, variables={"stderr": "#ff00ff"},
        ))
        app.theme = "stderr-test"
        await pilot.pause()
        view = app.query_one(LogView)
        view.append([LogLine(1, "err", "stderr")])
        await settle(pilot, view)
        style = next(s.style for s in view.render_line(0) if "err" in s.text)
        assert style is not None and style.color is not None
        assert style.color.triplet is not None and style.color.triplet.hex == "#ff00ff"


async def test_timestamp_gutter_toggle() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        ts = datetime(2025, 1, 2, 13, 4, 5, tzinfo=UTC)
        view.append([LogLine(0, "hello", ts=ts), LogLine(1, "no time")])
        await settle(pilot, view)
        assert view.render_line(0).text.startswith("  hello")
        await pilot.press("t")
        await settle(pilot, view)
        local = ts.astimezone().strftime("%H:%M:%S")  # aware times shown in local time
        assert view.render_line(0).text.startswith(f" {local} hello")
        assert view.render_line(1).text.startswith(" --:--:-- no time")


async def test_copy_current_match_line_and_size_cap() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        view.append(batch(0, 50))
        view.search("line 42")
        await pilot.press("n", "c")
        assert app.clipboard == "line 42"
        view.set_lines([LogLine(i, "界" * 3000) for i in range(40)])  # 3 bytes a char
        await settle(pilot, view)
        await pilot.press("c")
        data = app.clipboard.encode("utf-8")
        assert 0 < len(data) <= COPY_LIMIT_BYTES
        assert len(data) > COPY_LIMIT_BYTES - 4


async def test_copy_visible_lines_without_match() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        view.append(batch(0, 5))
        await settle(pilot, view)
        await pilot.press("c")
        assert app.clipboard == "\n".join(f"line {i}" for i in range(5))


async def test_set_lines_replaces_and_clear_empties() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
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


async def test_bindings_have_log_ids_and_can_be_remapped() -> None:
    ids = {b.id for b in LogView.BINDINGS if not isinstance(b, tuple)}  # type: ignore[union-attr]
    assert {"log.search", "log.next_match", "log.prev_match", "log.filter", "log.wrap",
            "log.follow", "log.end", "log.copy", "log.timestamps"} <= ids
    assert all(i and i.startswith("log.") for i in ids)
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        app.set_keymap({"log.filter": "ctrl+y"})
        view = app.query_one(LogView)
        await pilot.press("ctrl+y")
        assert view.filtering


@pytest.mark.parametrize("batch_size", [10_000])
async def test_append_large_batch_is_fast(batch_size: int) -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        view.append(batch(0, 100))
        lines = batch(100, 100 + batch_size, "2025-01-01 step {} loss=0.123 lr=3e-4")
        t0 = time.perf_counter()
        view.append(lines)
        elapsed = time.perf_counter() - t0
        await settle(pilot, view)
        assert elapsed < 0.25, elapsed  # typically ~10 ms
        assert len(list(view.walk_children())) == 3  # only the chrome; no per-line widgets
        assert screen_rows(view)[-1].strip().endswith(f"step {99 + batch_size} loss=0.123 lr=3e-4")


class EscapeHost(Host):
    BINDINGS = [("escape", "mark", "Back")]
    marked = 0

    def action_mark(self) -> None:
        self.marked += 1


async def test_escape_passes_through_when_there_is_nothing_to_clear() -> None:
    app = EscapeHost()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        view.append(batch(0, 10))
        await pilot.press("escape")
        assert app.marked == 1  # nothing to clear: the screen/app gets escape
        view.search("line")
        await pilot.press("escape")
        assert app.marked == 1 and view.search_query == ""  # this one cleared the search


async def test_chrome_is_docked_inside_the_view_and_never_hides_the_last_line() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        view.append(batch(0, 200))
        await settle(pilot, view)
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


async def test_wide_characters_wrap_within_the_width() -> None:
    from rich.cells import cell_len

    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        view.append([LogLine(0, "界" * 150), LogLine(1, "end")])
        await pilot.press("w")
        await pilot.pause()
        await settle(pilot, view)
        width = view.scrollable_content_region.width
        rows = [r for r in screen_rows(view) if r.strip()]
        assert len(rows) == view.index.row_count > 2
        assert all(cell_len(r) <= view.size.width for r in rows)
        body = "".join(r[2:].strip() for r in rows[:-1])
        assert body == "界" * 150 and rows[-1].strip() == "end"
        assert all(cell_len(r.rstrip()) <= width for r in rows)


async def test_long_line_scrolls_horizontally_with_a_fixed_gutter() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        text = "".join(f"{i:05d}" for i in range(1000))  # 5000 chars
        view.append([LogLine(0, text, "stderr")])
        await settle(pilot, view)
        assert view.render_line(0).text.startswith("▌ 0000000001")
        view.scroll_to(x=1000, animate=False)
        await pilot.pause()
        row = view.render_line(0).text
        assert row.startswith("▌ " + text[1000:1010])  # gutter stays, body scrolled
        assert len(row) == view.size.width
