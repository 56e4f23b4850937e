"""The log pane: a lazily drawn, bounded, searchable tail of a run's worker logs.

``LogView`` is a Line-API ``ScrollView``: it draws only the rows on screen
(``render_line``), so a million-line history costs nothing to display. The model lives in
:class:`axom_tui.logview.LogIndex` (no Textual), which cleans every line once on the way
in: server text is untrusted, so it is never parsed as markup and control characters are
made visible before it becomes plain ``Segment``s.

The view carries its own chrome, docked at its bottom: a one-row status line and, while
searching, a one-row search ``Input`` (the only child widgets; log lines are never
widgets). Feed it with :meth:`LogView.append` (batches, de-duplicated by seq) and
:meth:`LogView.set_lines` (switching run).

This module holds the widget itself: its data API and the throttled sync of size, scroll
and status. Drawing is in ``log_view_render``, user actions in ``log_view_actions``, the
chrome and status snapshot in ``log_view_chrome``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from time import monotonic
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.timer import Timer

from axom_tui.api.records import LogLine
from axom_tui.logview import AppendResult, LogIndex
from axom_tui.ui.widgets.log_moment import LogMoment
from axom_tui.ui.widgets.scroll_size import set_virtual_size
from axom_tui.ui.widgets.log_view_actions import COPY_LIMIT_BYTES, LogViewActions
from axom_tui.ui.widgets.log_view_chrome import (
    LogChrome,
    LogSearchInput,
    LogStatusLine,
    LogViewStatus,
)
from axom_tui.ui.widgets.log_view_render import (
    STDERR_MARKER,
    LineStyles,
    LogViewRendering,
    RenderedLine,
)

__all__ = [
    "COPY_LIMIT_BYTES",
    "STDERR_MARKER",
    "LogChrome",
    "LogSearchInput",
    "LogStatusLine",
    "LogView",
    "LogViewStatus",
]


class LogView(LogViewActions, LogViewRendering, ScrollView, can_focus=True):
    """A lazily rendered, bounded, follow-able log of :class:`LogLine` batches."""

    ALLOW_SELECT = False
    REFRESH_INTERVAL = 0.1
    """Minimum seconds between redraws caused by appends (≈10 Hz)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("/", "search", "Search", id="log.search"),
        Binding("n", "next_match", "Next", id="log.next_match"),
        Binding("N", "prev_match", "Prev", id="log.prev_match"),
        Binding("x", "toggle_filter", "Filter", id="log.filter"),
        Binding("w", "toggle_wrap", "Wrap", id="log.wrap"),
        Binding("f", "toggle_follow", "Follow", id="log.follow"),
        Binding("end", "scroll_end", "Tail", id="log.end", show=False),
        Binding("t", "toggle_timestamps", "Times", id="log.timestamps"),
        Binding("c", "copy", "Copy", id="log.copy"),
        Binding("enter", "to_chart", "Chart here", id="log.to_chart"),
        Binding("escape", "clear_search", "Clear search", id="log.clear_search", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "log-view--stderr",
        "log-view--timestamp",
        "log-view--match",
        "log-view--match-current",
        "log-view--moment",
    }

    DEFAULT_CSS = """
    LogView {
        background: $surface;
        color: $foreground;
        /* Fixed scrollbars: the viewport height never depends on the content. */
        overflow-x: scroll;
        overflow-y: scroll;
        &:focus { background-tint: $foreground 5%; }
        &.-wrap { overflow-x: hidden; }
    }
    LogView > .log-view--stderr { color: $warning; }
    LogView > .log-view--timestamp { color: $text-muted; }
    LogView > .log-view--match { background: $accent 35%; }
    LogView > .log-view--match-current {
        background: $accent; color: $background; text-style: bold;
    }
    LogView > .log-view--moment { background: $secondary 30%; }
    """

    follow: var[bool] = var(True, init=False)
    """Stick to the bottom as batches arrive."""
    wrap: var[bool] = var(False, init=False)
    """Soft-wrap lines to the widget width."""
    filtering: var[bool] = var(False, init=False)
    """Show only lines matching the search query."""
    show_timestamps: var[bool] = var(False, init=False)
    """Show an HH:MM:SS gutter."""

    def __init__(
        self,
        *,
        max_lines: int = 10_000,
        follow: bool = True,
        wrap: bool = False,
        show_timestamps: bool = False,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._index = LogIndex(max_lines)
        self._cache: LRUCache[tuple[object, ...], RenderedLine] = LRUCache(256)
        self._style_gen = 0
        self._styles: tuple[int, LineStyles] | None = None
        self._new_lines = 0
        self._pending_evicted_rows = 0
        self._sync_timer: Timer | None = None
        self._last_sync = 0.0
        self._last_status: LogViewStatus | None = None
        self.search_open = False
        """Whether the search box is showing."""
        self._chrome = LogChrome()
        #: The lines logged nearest the chart's cursor (marked), and Enter's answer.
        self.moment = LogMoment(self)
        self.set_reactive(LogView.follow, follow)
        self.set_reactive(LogView.wrap, wrap)
        self.set_reactive(LogView.show_timestamps, show_timestamps)
        self.set_class(wrap, "-wrap")

    @property
    def is_container(self) -> bool:
        """Lines are drawn by ``render_line``; the only children are the docked chrome."""
        return True

    def compose(self) -> ComposeResult:
        yield self._chrome

    @property
    def search_box(self) -> LogSearchInput:
        return self._chrome.search_box

    @property
    def status_line(self) -> LogStatusLine:
        return self._chrome.status_line

    def _chrome_rows(self) -> int:
        """Rows the docked chrome covers at the bottom (status + open search box)."""
        return 1 + int(self.search_open)

    @property
    def view_height(self) -> int:
        """Rows of log visible (above the docked chrome)."""
        return max(0, self.scrollable_content_region.height - self._chrome_rows())

    # ------------------------------------------------------------------ data API

    @property
    def index(self) -> LogIndex:
        """The (Textual-free) model; read-only use."""
        return self._index

    @property
    def line_count(self) -> int:
        return len(self._index)

    @property
    def max_lines(self) -> int:
        return self._index.max_lines

    @max_lines.setter
    def max_lines(self, value: int) -> None:
        self._after_change(self._index.set_max_lines(value))

    @property
    def new_lines(self) -> int:
        """Lines that arrived while paused."""
        return self._new_lines

    def append(self, lines: Sequence[LogLine] | Iterable[LogLine]) -> int:
        """Add a batch (O(batch)); lines with seq ≤ the last seq held are ignored.

        Returns the number of lines accepted. The redraw is throttled to ~10 Hz.
        """
        result = self._index.append(lines)
        self._after_change(result)
        return result.added

    def set_lines(self, lines: Iterable[LogLine]) -> None:
        """Replace everything with ``lines`` (a run's ring) and follow the tail."""
        self._index.set_lines(lines)
        self._reset_view()

    def clear(self) -> None:
        """Drop every line (the next append may start from any seq)."""
        self._index.clear()
        self._reset_view()

    def _reset_view(self) -> None:
        self._cache.clear()
        self._new_lines = 0
        self._pending_evicted_rows = 0
        self.set_reactive(LogView.follow, True)
        if self.is_mounted:
            self.scroll_to(0, 0, animate=False, force=True)
        self._schedule_sync()

    def _after_change(self, result: AppendResult) -> None:
        if not (result.added or result.evicted):
            return
        if not self.follow:
            self._new_lines += result.added
            self._pending_evicted_rows += result.evicted_rows
        self._schedule_sync()

    # ------------------------------------------------------------------ sync / redraw

    def _schedule_sync(self) -> None:
        if not self.is_mounted or self._sync_timer is not None:
            return
        delay = self._last_sync + self.REFRESH_INTERVAL - monotonic()
        self._sync_timer = self.set_timer(max(0.001, delay), self._sync, name="log-sync")

    def flush(self) -> None:
        """Apply pending changes now (size, scroll, redraw, status) instead of on the timer."""
        if self._sync_timer is not None:
            self._sync_timer.stop()
        self._sync()

    def _sync(self) -> None:
        self._sync_timer = None
        self._last_sync = monotonic()
        index = self._index
        if self.wrap:
            width = self.scrollable_content_region.width
        else:
            width = self._gutter_width() + index.max_width
        # The chrome covers the bottom rows: pad the virtual height so the last line can
        # scroll clear of it.
        set_virtual_size(self, Size(width, index.row_count + self._chrome_rows()))
        if self.follow:
            self._stick()
        elif self._pending_evicted_rows:
            self._scroll_rows(self.scroll_offset.y - self._pending_evicted_rows)
        self._pending_evicted_rows = 0
        self.refresh()
        self._post_status()

    def _stick(self) -> None:
        if self.follow:
            self._scroll_rows(self.max_scroll_y)

    def _scroll_rows(self, y: int, x: int | None = None) -> None:
        self.scroll_to(x, max(0, y), animate=False, force=True)

    def _configure_wrap(self) -> None:
        width = self.scrollable_content_region.width
        self._index.set_wrap(max(1, width - self._gutter_width()) if self.wrap and width else 0)

    def _relayout(self, change: Callable[[], None], keep_top: bool = True) -> None:
        """Apply a change that remaps rows, keeping the top line in place when paused."""
        top = self._top_line()
        change()
        self._cache.clear()
        if not self.is_mounted:
            return
        if not self.follow and keep_top and top is not None:
            self.virtual_size = Size(self.virtual_size.width, self._index.row_count)
            self._scroll_rows(self._index.nearest_row(top))
        self._sync()

    # ------------------------------------------------------------------ status

    def _post_status(self) -> None:
        status = self.status
        if status != self._last_status:
            self._last_status = status
            if self.is_mounted:
                self.status_line.show_status(status)

    @property
    def status(self) -> LogViewStatus:
        index = self._index
        current = index.current_match
        return LogViewStatus(
            following=self.follow,
            new_lines=self._new_lines,
            lines=len(index),
            max_lines=index.max_lines,
            query=index.query,
            match_current=None if current is None else current + 1,
            match_total=index.match_count,
            error=index.error,
            filtering=self.filtering,
            wrap=self.wrap,
        )

    # ------------------------------------------------------------------ mount / resize

    def on_mount(self) -> None:
        self._configure_wrap()
        self._sync()

    def on_resize(self, event: events.Resize) -> None:
        if self.wrap:
            self._relayout(self._configure_wrap)
        else:
            self._schedule_sync()
