"""The log pane: a lazily drawn, bounded, searchable tail of a run's worker logs.

``LogView`` is a Line-API ``ScrollView``: it draws only the rows on screen
(``render_line``), so a million-line history costs nothing to display. It is one widget
made of parts it owns and hands to each other, none of which reaches into another:

* the model, :class:`axom_tui.logview.LogIndex` (no Textual), which cleans every line once
  on the way in: server text is untrusted, so it is never parsed as markup and control
  characters are made visible before it becomes plain ``Segment``s;
* the selection, :class:`axom_tui.logview.selection.LineSelection` (no Textual): marked
  lines, the current line, what copy takes, where the error jumps land;
* the drawing, :class:`~axom_tui.ui.widgets.log_view_render.LineRenderer`, which reads the
  index and the selection and owns the line cache;
* the picks, :class:`~axom_tui.ui.widgets.log_picks.LogPicks`: marks, error jumps, copy
  and save, the work behind those keys;
* the finder, :class:`~axom_tui.ui.widgets.log_search.LogFinder`: the query, moving
  between matches, and the filter;
* the chrome, :class:`~axom_tui.ui.widgets.log_view_chrome.LogChrome`, docked at the
  bottom: a one-row status line and, while searching, a one-row search ``Input`` (the
  only child widgets; log lines are never widgets).

This module holds what only the widget can do: the keys' actions (the table is
:mod:`~axom_tui.ui.widgets.log_keys`) and the mouse, sizing and status;
following the tail (scrolling up pauses, End resumes) and the throttled sync come from
:class:`~axom_tui.ui.widgets.tail_scroll.TailScrollView`. Feed it with :meth:`LogView.append`
(batches, de-duplicated by seq) and :meth:`LogView.set_lines` (switching run).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.geometry import Size
from textual.reactive import var
from textual.strip import Strip
from textual.widgets import Input

from axom_tui.api.records import LogLine
from axom_tui.logview import AppendResult, LogIndex
from axom_tui.logview.selection import LineSelection
from axom_tui.logview.viewport import Window, bottom_line, reveal, top_line
from axom_tui.ui.widgets.log_keys import LOG_BINDINGS
from axom_tui.ui.widgets.log_moment import LogMoment
from axom_tui.ui.widgets.log_picks import LogPicks
from axom_tui.ui.widgets.log_search import LogFinder
from axom_tui.ui.widgets.log_view_chrome import (
    LogChrome,
    LogSearchInput,
    LogStatusLine,
    LogViewStatus,
    app_uses_ascii,
)
from axom_tui.ui.widgets.log_view_render import (
    COMPONENT_CLASSES,
    COMPONENT_CSS,
    LineRenderer,
    gutter_width,
)
from axom_tui.ui.widgets.scroll_size import set_virtual_size
from axom_tui.ui.widgets.tail_scroll import TailScrollView


class LogView(TailScrollView, can_focus=True):
    """A lazily rendered, bounded, follow-able log of :class:`LogLine` batches.

    Following, pausing and the throttled sync are :class:`TailScrollView`'s. The *current
    line* is the one a jump (search match, error) or a click landed on; ``space`` marks it
    (else the last line on screen) and ``c`` copies the marked lines, else the filtered
    ones, else the current one, else the screen.
    """

    ALLOW_SELECT = False

    BINDINGS: ClassVar[list[BindingType]] = LOG_BINDINGS

    COMPONENT_CLASSES: ClassVar[set[str]] = {*COMPONENT_CLASSES, "log-view--moment"}

    DEFAULT_CSS = (
        """
    LogView {
        background: $surface;
        color: $foreground;
        /* Fixed scrollbars: the viewport height never depends on the content. */
        overflow-x: scroll;
        overflow-y: scroll;
        &:focus { background-tint: $foreground 5%; }
        &.-wrap { overflow-x: hidden; }
    }
    LogView > .log-view--moment { background: $accent 25%; }
    """
        + COMPONENT_CSS
    )

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
        save_dir: Path | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(follow=follow, name=name, id=id, classes=classes, disabled=disabled)
        self._index = LogIndex(max_lines)
        self._selection = LineSelection(self._index)
        self._renderer = LineRenderer(self._index, self._selection)
        self._chrome = LogChrome()
        #: The lines logged nearest the chart's cursor (marked), and Enter's answer.
        self.moment = LogMoment(self)
        #: Marks, error jumps, copy and save (the keys' work).
        self.picks = LogPicks(self)
        #: The query, moving between its matches, and the filter.
        self.finder = LogFinder(self)
        self.save_dir = save_dir
        """Where ``W`` writes the log (None: the working directory)."""
        self.save_name = "log"
        """File-name stem ``W`` writes to (``<save_name>-log.txt``); already safe."""
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

    @property
    def search_open(self) -> bool:
        """Whether the search box is showing."""
        return self._chrome.search_open

    @property
    def view_height(self) -> int:
        """Rows of log visible (above the docked chrome)."""
        return max(0, self.scrollable_content_region.height - self._chrome.rows)

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
    def selection(self) -> LineSelection:
        """Marked lines and the current line (the last jump's or click's); read-only use."""
        return self._selection

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

    def keep_first(self, count: int) -> None:
        """Keep only the first ``count`` lines and follow the tail (replay goes back)."""
        self._index.truncate(count)
        self._reset_view()

    def clear(self) -> None:
        """Drop every line (the next append may start from any seq)."""
        self._index.clear()
        self._reset_view()

    def _reset_view(self) -> None:
        self._renderer.clear()
        self._selection.reset()
        self._reset_tail()

    def _after_change(self, result: AppendResult) -> None:
        if result.added or result.evicted:
            self._content_changed(result.added, result.evicted_rows)

    # ------------------------------------------------------------------ drawing

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._renderer.restyle()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        strip = self._renderer.render_row(
            scroll_y + y,
            scroll_x=scroll_x,
            width=self.size.width,
            wrap=self.wrap,
            show_timestamps=self.show_timestamps,
            styles=self._renderer.styles(self),
            ascii_mode=app_uses_ascii(self.app),
        )
        return self.moment.overlay(strip, scroll_y + y)

    def _gutter_width(self) -> int:
        return gutter_width(self.show_timestamps)

    @property
    def window(self) -> Window:
        """The rows and columns of log on screen."""
        x, y = self.scroll_offset
        body = self.scrollable_content_region.width - self._gutter_width()
        return Window(y, self.view_height, x, body)

    def top_line(self) -> int | None:
        return top_line(self._index, self.window)

    def bottom_line(self) -> int | None:
        return bottom_line(self._index, self.window)

    # ------------------------------------------------------------------ sync / redraw

    @property
    def content_rows(self) -> int:
        return self._index.row_count

    def _resize_content(self) -> None:
        index = self._index
        if self.wrap:
            width = self.scrollable_content_region.width
        else:
            width = self._gutter_width() + index.max_width
        # The chrome covers the bottom rows: pad the virtual height so the last line can
        # scroll clear of it.
        set_virtual_size(self, Size(width, index.row_count + self._chrome.rows))

    def _on_synced(self) -> None:
        self.post_status()

    def _configure_wrap(self) -> None:
        width = self.scrollable_content_region.width
        self._index.set_wrap(max(1, width - self._gutter_width()) if self.wrap and width else 0)

    def relayout(self, change: Callable[[], None], keep_top: bool = True) -> None:
        """Apply a change that remaps rows, keeping the top line in place when paused."""
        top = self.top_line()
        change()
        self._renderer.clear()
        if not self.is_mounted:
            return
        if not self.follow and keep_top and top is not None:
            self.virtual_size = Size(self.virtual_size.width, self._index.row_count)
            self._scroll_rows(self._index.nearest_row(top))
        self._sync()

    # ------------------------------------------------------------------ status

    def post_status(self) -> None:
        self._chrome.post_status(self.status, mounted=self.is_mounted)

    @property
    def status(self) -> LogViewStatus:
        return LogViewStatus.of(
            self._index,
            following=self.follow,
            new_lines=self.new_lines,
            filtering=self.filtering,
            wrap=self.wrap,
            feed=self._chrome.feed_problem,
        )

    def set_feed_problem(self, text: str | None) -> None:
        """What the logs feed lacks (failing, lines skipped), said in the status line."""
        if text != self._chrome.feed_problem:
            self._chrome.feed_problem = text
            self.post_status()

    # ------------------------------------------------------------------ mount / resize

    def on_mount(self) -> None:
        self._configure_wrap()
        self._sync()

    def on_resize(self, event: events.Resize) -> None:
        if self.wrap:
            self.relayout(self._configure_wrap)
        else:
            self._schedule_sync()

    # ------------------------------------------------------------------ follow

    def watch_follow(self, following: bool) -> None:
        if following:
            self._set_current(None)
        super().watch_follow(following)

    # ------------------------------------------------------------------ search

    def search(self, query: str) -> None:
        """Highlight every match of ``query`` (``re:`` prefix = regex; bad regex → status)."""
        self.finder.set_query(query)

    @property
    def search_query(self) -> str:
        """The active search text (``re:`` prefix for a regex); "" for none."""
        return self._index.query

    def action_search(self) -> None:
        """Open (or focus) the search box."""
        if self._chrome.open_search():
            self._sync()
        self.search_box.focus()

    def action_clear_search(self) -> None:
        """Clear the query and its highlights and the current line, close the search box,
        focus the log."""
        self.search("")
        self._set_current(None)
        if self._chrome.close_search():
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
        self.finder.next_match()

    def action_prev_match(self) -> None:
        self.finder.prev_match()

    def reveal(self, line: int, column: int | None) -> None:
        """Make ``line`` the current line and scroll it (and ``column``) into view; pauses."""
        self.pause()
        self._set_current(line)
        self.scroll_to_line(line, column)
        self.refresh()
        self.post_status()

    def scroll_to_line(self, line: int, column: int | None) -> None:
        """Scroll the least that brings ``line`` (and ``column``) on screen."""
        target = reveal(self._index, line, column, self.window)
        if target is not None:
            self._scroll_rows(*target)
            self.refresh()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("next_match", "prev_match"):
            return True if self._index.match_count else None
        if action == "clear_search":  # let escape through when there is nothing to clear
            selected = self._selection.current is not None
            return bool(self._index.query) or self.search_open or selected
        if action == "clear_marks":
            return self._selection.has_marks
        return True

    # ------------------------------------------------------------------ filter / wrap / timestamps

    def watch_filtering(self, on: bool) -> None:
        self.finder.set_filtering(on)

    def watch_wrap(self, on: bool) -> None:
        self.set_class(on, "-wrap")
        self.relayout(self._configure_wrap)
        # The horizontal scrollbar comes or goes with the class: re-stick after layout.
        self.call_after_refresh(self._after_wrap_layout)

    def _after_wrap_layout(self) -> None:
        self._configure_wrap()
        self._renderer.clear()
        self._sync()

    def watch_show_timestamps(self, on: bool) -> None:
        self.relayout(self._configure_wrap)

    def action_toggle_filter(self) -> None:
        self.filtering = not self.filtering

    def action_toggle_wrap(self) -> None:
        self.wrap = not self.wrap

    def action_toggle_timestamps(self) -> None:
        self.show_timestamps = not self.show_timestamps

    # ------------------------------------------------------------------ the chart's moment

    def action_to_chart(self) -> None:
        """Put the chart's cursor at the moment of the current line."""
        self.moment.pick()

    # ------------------------------------------------------------------ current line, picks

    def _set_current(self, line: int | None) -> None:
        if self._selection.set_current(line):
            self.refresh()

    def on_click(self, event: events.Click) -> None:
        """A click on a line makes it the current line (and pauses, so it stays put)."""
        offset = event.get_content_offset(self) if event.widget is self else None
        if offset is None or offset.y >= self.view_height:
            return  # the chrome's own clicks, or the scrollbars
        located = self._index.locate(self.scroll_offset.y + offset.y)
        if located is not None:
            self.pause()
            self._set_current(located[0])

    def action_toggle_mark(self) -> None:
        self.picks.toggle_mark()

    def action_clear_marks(self) -> None:
        self.picks.clear_marks()

    def action_next_error(self) -> None:
        self.picks.next_error()

    def action_prev_error(self) -> None:
        self.picks.prev_error()

    def action_copy(self) -> None:
        self.picks.copy()

    def action_save_log(self) -> None:
        self.picks.save()

    def selected_text(self) -> str:
        """What ``c`` copies (see :meth:`LogPicks.copy_pick`), as text."""
        return "\n".join(self._index.text(i) for i in self.picks.copy_pick().lines)
