"""What the user does to the log pane (mixed into ``LogView``): follow and pause, search
and match navigation, filter / wrap / timestamp toggles, copy.

Scrolling up by any means (wheel, keys, scrollbar) pauses following; End or ``f`` resumes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import events
from textual.scrollbar import ScrollTo, ScrollUp
from textual.widgets import Input

from axom_tui.ui.widgets.log_view_chrome import LogSearchInput

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.cache import LRUCache
    from textual.scroll_view import ScrollView

    from axom_tui.logview import LogIndex
    from axom_tui.ui.widgets.log_view_render import RenderedLine

    _Host = ScrollView
else:
    _Host = object

COPY_LIMIT_BYTES = 64 * 1024
"""Largest clipboard payload (OSC 52 is size-limited by many terminals)."""


class LogViewActions(_Host):
    """Key, mouse and search-box handling of ``LogView``."""

    if TYPE_CHECKING:  # provided by LogView
        _index: LogIndex
        _cache: LRUCache[tuple[object, ...], RenderedLine]
        _new_lines: int
        _pending_evicted_rows: int
        search_open: bool
        follow: bool
        wrap: bool
        filtering: bool
        show_timestamps: bool

        @property
        def view_height(self) -> int: ...
        @property
        def search_box(self) -> LogSearchInput: ...
        def _sync(self) -> None: ...
        def _post_status(self) -> None: ...
        def _stick(self) -> None: ...
        def _scroll_rows(self, y: int, x: int | None = None) -> None: ...
        def _relayout(self, change: Callable[[], None], keep_top: bool = True) -> None: ...
        def _configure_wrap(self) -> None: ...
        def _gutter_width(self) -> int: ...
        def _top_line(self) -> int | None: ...
        def _bottom_line(self) -> int | None: ...
        moment: Any  # the LogMoment of the view (log_moment.py)

    # ------------------------------------------------------------------ follow / pause

    def watch_follow(self, following: bool) -> None:
        if following:
            self._new_lines = 0
            self._pending_evicted_rows = 0
            self._stick()
        self._post_status()

    def pause(self) -> None:
        """Stop following (what the user scrolling up does)."""
        if self.follow:
            self._pending_evicted_rows = 0
            self.follow = False

    def resume(self) -> None:
        """Follow the tail again (End / ``f``)."""
        self.follow = True
        self._stick()

    def _user_scrolls_up(self) -> None:
        if self._index.row_count > self.view_height:
            self.pause()

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        if not (event.ctrl or event.shift):
            self._user_scrolls_up()

    def on_scroll_up(self, event: ScrollUp) -> None:  # scrollbar click above the thumb
        self._user_scrolls_up()

    def on_scroll_to(self, event: ScrollTo) -> None:  # scrollbar drag
        if event.y is not None and event.y < self.max_scroll_y:
            self._user_scrolls_up()

    def action_scroll_up(self) -> None:
        self._user_scrolls_up()
        super().action_scroll_up()

    def action_page_up(self) -> None:
        self._user_scrolls_up()
        super().action_page_up()

    def action_scroll_home(self) -> None:
        self._user_scrolls_up()
        super().action_scroll_home()

    def action_scroll_end(self) -> None:
        self.resume()

    def action_toggle_follow(self) -> None:
        if self.follow:
            self.pause()
        else:
            self.resume()

    # ------------------------------------------------------------------ search

    def search(self, query: str) -> None:
        """Highlight every match of ``query`` (``re:`` prefix = regex; bad regex → status)."""
        if query == self._index.query:
            return
        self._relayout(lambda: self._index.set_query(query), keep_top=self.filtering)

    @property
    def search_query(self) -> str:
        """The active search text (``re:`` prefix for a regex); "" for none."""
        return self._index.query

    def action_search(self) -> None:
        """Open (or focus) the search box."""
        box = self.search_box
        if not self.search_open:
            self.search_open = True
            box.add_class("-open")
            self._sync()
        box.focus()

    def action_clear_search(self) -> None:
        """Clear the query and its highlights, close the search box, focus the log."""
        self.search("")
        box = self.search_box
        if box.value:
            with box.prevent(Input.Changed):
                box.value = ""
        if self.search_open:
            self.search_open = False
            box.remove_class("-open")
            self._sync()
        self.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.search(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.search(event.value)
        self.action_next_match()
        self.focus()

    def on_log_search_input_closed(self, event: LogSearchInput.Closed) -> None:
        event.stop()
        self.action_clear_search()

    def action_next_match(self) -> None:
        self._goto_match(self._index.next_match(self._top_line() or 0))

    def action_prev_match(self) -> None:
        self._goto_match(self._index.prev_match(self._bottom_line()))

    def _goto_match(self, line: int | None) -> None:
        if line is None:
            self._post_status()
            return
        self.pause()
        row = self._index.row_of_line(line)
        span = self._index.current_span()
        if row is not None and span is not None:
            sub = 0
            x: int | None = None
            if self._index.wrap_width:
                sub = span[1] // self._index.wrap_width
            else:
                body = self.scrollable_content_region.width - self._gutter_width()
                start = span[1]
                if not self.scroll_offset.x <= start < self.scroll_offset.x + body - 1:
                    x = max(0, start - body // 3)
            target = row + sub
            height = self.view_height
            top = self.scroll_offset.y
            if not top <= target < top + height:
                self._scroll_rows(target - height // 2, x)
            elif x is not None:
                self._scroll_rows(top, x)
        self.refresh()
        self._post_status()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("next_match", "prev_match"):
            return True if self._index.match_count else None
        if action == "clear_search":  # let escape through when there is nothing to clear
            return bool(self._index.query) or self.search_open
        return True

    # ------------------------------------------------------------------ filter / wrap / timestamps

    def watch_filtering(self, on: bool) -> None:
        self._relayout(lambda: self._index.set_filtering(on))

    def watch_wrap(self, on: bool) -> None:
        self.set_class(on, "-wrap")
        self._relayout(self._configure_wrap)
        # The horizontal scrollbar comes or goes with the class: re-stick after layout.
        self.call_after_refresh(self._after_wrap_layout)

    def _after_wrap_layout(self) -> None:
        self._configure_wrap()
        self._cache.clear()
        self._sync()

    def watch_show_timestamps(self, on: bool) -> None:
        self._relayout(self._configure_wrap)

    def action_toggle_filter(self) -> None:
        self.filtering = not self.filtering

    def action_toggle_wrap(self) -> None:
        self.wrap = not self.wrap

    def action_toggle_timestamps(self) -> None:
        self.show_timestamps = not self.show_timestamps

    # ------------------------------------------------------------------ the chart's moment

    def action_to_chart(self) -> None:
        """Put the chart's cursor at the moment of the selected line."""
        self.moment.pick()

    # ------------------------------------------------------------------ copy

    def selected_text(self) -> str:
        """The current match's line, else the lines on screen."""
        index = self._index
        span = index.current_span()
        if span is not None:
            return index.text(span[0])
        lines: list[int] = []
        top = self.scroll_offset.y
        for row in range(top, top + self.view_height):
            located = index.locate(row)
            if located is None:
                break
            if not lines or lines[-1] != located[0]:
                lines.append(located[0])
        return "\n".join(index.text(i) for i in lines)

    def action_copy(self) -> None:
        text = self.selected_text()
        if not text:
            return
        data = text.encode("utf-8")
        if len(data) > COPY_LIMIT_BYTES:
            text = data[:COPY_LIMIT_BYTES].decode("utf-8", errors="ignore")
        self.app.copy_to_clipboard(text)
        count = text.count("\n") + 1
        self.notify(f"Copied {count:,} line{'s' if count != 1 else ''}", timeout=2)
