"""Pilot tests for the log pane's interactive modes in a tiny host app at 100×30:
search (highlight, count, next/previous, regex), filter, wrap, copy, and the key
bindings (remappable ids, escape passing through when there is nothing to clear).

Appending, rendering, follow/scroll and layout are in test_log_view.py.
"""

from __future__ import annotations

from rich.style import Style

from axom_tui.api.records import LogLine
from axom_tui.ui.widgets.log_picks import COPY_LIMIT_BYTES
from axom_tui.ui.widgets.log_view import LogView
from axom_tui.ui.widgets.log_view_chrome import LogSearchInput
from ui_helpers import (
    LOG_SIZE as SIZE,
    Host,
    batch,
    log_rows,
    log_view_holding,
    screen_rows,
    settle,
    status_text,
)


async def test_search_highlights_counts_and_moves() -> None:
    async with log_view_holding(batch(0, 100, "line {} boot")) as (app, pilot, view):
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
    async with log_view_holding(batch(0, 3, "xx {} xx")) as (app, pilot, view):
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
    async with log_view_holding(batch(0, 100)) as (app, pilot, view):
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
    async with log_view_holding() as (app, pilot, view):
        view.append(batch(0, 10))
        await pilot.press("/", "l", "i")
        assert view.search_query == "li"
        await pilot.press("escape")
        await settle(pilot, view)
        assert view.search_query == "" and view.has_focus
        assert not app.query_one(LogSearchInput).display
        assert view.index.match_count == 0


async def test_filter_shows_only_matches_and_updates_on_append() -> None:
    async with log_view_holding() as (app, pilot, view):
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
    lines = [LogLine(0, "A" * 5000), LogLine(1, "short")]
    async with log_view_holding(lines) as (app, pilot, view):
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


async def test_wide_characters_wrap_within_the_width() -> None:
    from rich.cells import cell_len

    async with log_view_holding() as (app, pilot, view):
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


async def test_copy_current_match_line_and_size_cap() -> None:
    async with log_view_holding() as (app, pilot, view):
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
    async with log_view_holding(batch(0, 5)) as (app, pilot, view):
        await pilot.press("c")
        assert app.clipboard == "\n".join(f"line {i}" for i in range(5))


async def test_bindings_have_log_ids_and_can_be_remapped() -> None:
    ids = {b.id for b in LogView.BINDINGS if not isinstance(b, tuple)}  # type: ignore[union-attr]
    assert {
        "log.search",
        "log.next_match",
        "log.prev_match",
        "log.filter",
        "log.wrap",
        "log.follow",
        "log.end",
        "log.copy",
        "log.timestamps",
    } <= ids
    assert all(i and i.startswith("log.") for i in ids)
    async with log_view_holding() as (app, pilot, view):
        app.set_keymap({"log.filter": "ctrl+y"})
        view = app.query_one(LogView)
        await pilot.press("ctrl+y")
        assert view.filtering


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


async def test_filter_toggles_keep_the_current_match_in_view() -> None:
    async with log_view_holding() as (app, pilot, view):
        lines = [
            LogLine(
                seq=i,
                text=f"step {i} loss 0.{i}" if i % 10 == 0 else f"step {i} ok",
                stream="stdout",
            )
            for i in range(2400)
        ]
        view.append(lines)
        await settle(pilot, view)

        def current_in_view() -> bool:
            current = view.index.current_span()[0]  # type: ignore[index]
            return view.index.text(current) in [r.strip() for r in screen_rows(view)]

        await pilot.press("/", *"loss", "enter", "x", "g")
        await settle(pilot, view)
        for _ in range(20):  # the current match low in the filtered view
            await pilot.press("n")
        await settle(pilot, view)
        assert view.filtering and current_in_view()
        await pilot.press("x")  # off: ten lines for each match above it
        await settle(pilot, view)
        assert not view.filtering and current_in_view(), screen_rows(view)
        await pilot.press("x")
        await settle(pilot, view)
        assert view.filtering and current_in_view(), screen_rows(view)
