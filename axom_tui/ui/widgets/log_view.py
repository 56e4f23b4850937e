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
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from time import monotonic
from typing import ClassVar, NamedTuple

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.color import Color, ColorParseError
from textual.containers import Vertical
from textual.geometry import Size
from textual.message import Message
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollTo, ScrollUp
from textual.strip import Strip
from textual.timer import Timer
from textual.widgets import Input, Static

from axom_tui.api.records import LogLine
from axom_tui.logview import AppendResult, LogIndex

COPY_LIMIT_BYTES = 64 * 1024
"""Largest clipboard payload (OSC 52 is size-limited by many terminals)."""
STDERR_MARKER = "▌"


def _ascii_mode(app: object) -> bool:
    """The app's --ascii setting, when the host app has one."""
    settings = getattr(app, "ui_settings", None)
    return bool(getattr(settings, "ascii", False))


@dataclass(frozen=True, slots=True)
class LogViewStatus:
    """What the status line shows; posted whenever it changes."""

    following: bool
    new_lines: int
    lines: int
    max_lines: int
    query: str
    match_current: int | None  # 1-based
    match_total: int
    error: str | None
    filtering: bool
    wrap: bool

    def render_plain(self, ascii_mode: bool = False) -> str:
        parts = ["FOLLOW" if self.following else f"PAUSED (+{self.new_lines:,} new)"]
        parts.append(f"{self.lines:,}/{self.max_lines:,} lines")
        if self.error:
            parts.append(self.error)
        elif self.query:
            if self.match_total:
                current = "-" if self.match_current is None else f"{self.match_current:,}"
                parts.append(f"{current}/{self.match_total:,}")
            else:
                parts.append("no matches")
        parts.append(f"filter {'on' if self.filtering else 'off'}")
        parts.append(f"wrap {'on' if self.wrap else 'off'}")
        return (" | " if ascii_mode else " │ ").join(parts)


class _Styles(NamedTuple):
    base: Style
    stderr: Style
    marker: Style
    timestamp: Style
    match: Style
    current: Style


class _Rendered(NamedTuple):
    gutter: list[Segment]
    rows: list[list[Segment]]
    widths: list[int]


class LogView(ScrollView, can_focus=True):
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
        Binding("escape", "clear_search", "Clear search", id="log.clear_search", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "log-view--stderr",
        "log-view--timestamp",
        "log-view--match",
        "log-view--match-current",
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
    """

    follow: var[bool] = var(True, init=False)
    """Stick to the bottom as batches arrive."""
    wrap: var[bool] = var(False, init=False)
    """Soft-wrap lines to the widget width."""
    filtering: var[bool] = var(False, init=False)
    """Show only lines matching the search query."""
    show_timestamps: var[bool] = var(False, init=False)
    """Show an HH:MM:SS gutter."""

    class StatusChanged(Message):
        """The status line content changed (snapshot; a newer one replaces an older one)."""

        def __init__(self, log_view: LogView, status: LogViewStatus) -> None:
            super().__init__()
            self.log_view = log_view
            self.status = status

        @property
        def control(self) -> LogView:
            return self.log_view

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, LogView.StatusChanged)

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
        self._cache: LRUCache[tuple[object, ...], _Rendered] = LRUCache(256)
        self._style_gen = 0
        self._styles: tuple[int, _Styles] | None = None
        self._new_lines = 0
        self._pending_evicted_rows = 0
        self._sync_timer: Timer | None = None
        self._last_sync = 0.0
        self._last_status: LogViewStatus | None = None
        self.search_open = False
        """Whether the search box is showing."""
        self._chrome = LogChrome()
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
        self._set_virtual_size(Size(width, index.row_count + self._chrome_rows()))
        if self.follow:
            self._stick()
        elif self._pending_evicted_rows:
            self._scroll_rows(self.scroll_offset.y - self._pending_evicted_rows)
        self._pending_evicted_rows = 0
        self.refresh()
        self._post_status()

    def _set_virtual_size(self, size: Size) -> None:
        """Grow (or shrink) the scrollable area. Scrollbars are fixed (``overflow: scroll``,
        or ``hidden`` across while wrapping), so nothing else moves when it changes:
        update them rather than have the reactive lay out the whole screen each batch."""
        if size == self.virtual_size:
            return
        overflow_x, overflow_y = self.styles.overflow_x, self.styles.overflow_y
        if not self.is_mounted or overflow_y != "scroll" or overflow_x not in ("scroll", "hidden"):
            self.virtual_size = size  # a layout pass, as Textual would do
            return
        self.set_reactive(LogView.virtual_size, size)
        self.vertical_scrollbar.window_virtual_size = size.height
        if overflow_x == "scroll":
            self.horizontal_scrollbar.window_virtual_size = size.width

    def _stick(self) -> None:
        if self.follow:
            self._scroll_rows(self.max_scroll_y)

    def _scroll_rows(self, y: int, x: int | None = None) -> None:
        self.scroll_to(x, max(0, y), animate=False, force=True)

    def _post_status(self) -> None:
        status = self.status
        if status != self._last_status:
            self._last_status = status
            if self.is_mounted:
                self.status_line.show_status(status)
            self.post_message(self.StatusChanged(self, status))

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

    def on_mount(self) -> None:
        self._configure_wrap()
        self._sync()

    def on_resize(self, event: events.Resize) -> None:
        if self.wrap:
            self._relayout(self._configure_wrap)
        else:
            self._schedule_sync()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._style_gen += 1
        self._cache.clear()

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

    # ------------------------------------------------------------------ search / filter / wrap

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

    def _top_line(self) -> int | None:
        located = self._index.locate(self.scroll_offset.y)
        return None if located is None else located[0]

    def _bottom_line(self) -> int | None:
        index = self._index
        row = min(self.scroll_offset.y + self.view_height, index.row_count) - 1
        located = index.locate(row)
        return None if located is None else located[0]

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

    # ------------------------------------------------------------------ rendering

    def _gutter_width(self) -> int:
        return 10 if self.show_timestamps else 2  # marker [+ HH:MM:SS] + space

    def _get_styles(self) -> _Styles:
        if self._styles is not None and self._styles[0] == self._style_gen:
            return self._styles[1]
        base = self.rich_style
        stderr = self._component_style("log-view--stderr")
        variable = getattr(self.app, "theme_variables", {}).get("stderr")
        if variable:
            try:
                stderr = Style(color=Color.parse(variable).rich_color)
            except ColorParseError:
                pass
        styles = _Styles(
            base=base,
            stderr=base + stderr,
            marker=base + stderr + Style(bold=True),
            timestamp=base + self._component_style("log-view--timestamp"),
            match=self._component_style("log-view--match"),
            current=self._component_style("log-view--match-current"),
        )
        self._styles = (self._style_gen, styles)
        return styles

    def _component_style(self, name: str) -> Style:
        """Only what the component sets, with colours resolved (alpha blended)."""
        full = self.get_component_rich_style(name)
        partial = self.get_component_rich_style(name, partial=True)
        return partial + Style(
            color=full.color if partial.color is not None else None,
            bgcolor=full.bgcolor if partial.bgcolor is not None else None,
        )

    def _render_lines_of(self, i: int, styles: _Styles) -> _Rendered:
        """Segments for line ``i`` (gutter + one list per display row), LRU-cached.

        Plain segment lists rather than Strips keep the cache small for the garbage
        collector (a Strip carries seven little caches of its own).
        """
        index = self._index
        current = index.current_span()
        current_start = current[1] if current is not None and current[0] == i else -1
        key = (
            index.line_id(i), index.query, index.wrap_width, self.show_timestamps,
            current_start, self._style_gen,
        )
        cached = self._cache.get(key)
        if cached is not None:
            return cached

        err = index.is_stderr(i)
        style = styles.stderr if err else styles.base
        marker = "!" if _ascii_mode(self.app) else STDERR_MARKER
        gutter = [Segment(marker if err else " ", styles.marker if err else styles.base)]
        if self.show_timestamps:
            ts = index.timestamp(i)
            if ts is None:
                stamp = "--:--:--"
            else:  # aware times are shown in the user's local zone
                stamp = (ts.astimezone() if ts.tzinfo is not None else ts).strftime("%H:%M:%S")
            gutter.append(Segment(stamp, styles.timestamp))
        gutter.append(Segment(" ", styles.base))

        text = index.text(i)
        segments: list[Segment] = []
        pos = 0
        for start, end in index.match_spans(i) if index.searching else ():
            if start > pos:
                segments.append(Segment(text[pos:start], style))
            highlight = styles.current if start == current_start else styles.match
            segments.append(Segment(text[start:end], style + highlight))
            pos = end
        if pos < len(text):
            segments.append(Segment(text[pos:], style))
        width = index.width(i)
        per_row = index.wrap_width
        if per_row and width > per_row:
            cuts = [*range(per_row, width, per_row), width]
            rows = list(Segment.divide(segments, cuts))
            widths = [b - a for a, b in zip([0, *cuts[:-1]], cuts, strict=True)]
        else:
            rows, widths = [segments], [width]
        rendered = _Rendered(gutter, rows, widths)
        self._cache[key] = rendered
        return rendered

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        styles = self._get_styles()
        located = self._index.locate(scroll_y + y)
        if located is None:
            return Strip.blank(width, styles.base)
        line, sub = located
        rendered = self._render_lines_of(line, styles)
        gutter_width = self._gutter_width()
        sub = min(sub, len(rendered.rows) - 1)
        row, row_width = rendered.rows[sub], rendered.widths[sub]
        body_width = max(0, width - gutter_width)
        x = 0 if self.wrap else scroll_x
        if x == 0 and row_width <= body_width:
            body = row
        else:  # horizontal scroll / too long: crop through a short-lived Strip
            body = list(Strip(row, row_width).crop(x, x + body_width))
            row_width = max(0, min(row_width, x + body_width) - x)
        segments = rendered.gutter if sub == 0 else [Segment(" " * gutter_width, styles.base)]
        segments = [*segments, *body]
        if row_width < body_width:
            segments.append(Segment(" " * (body_width - row_width), styles.base))
        return Strip(segments, gutter_width + max(row_width, body_width))


class LogSearchInput(Input):
    """The one-row search box of a :class:`LogView`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close_search", "Close search", id="log.search_close"),
    ]

    class Closed(Message):
        """Escape was pressed in the search box."""

    def action_close_search(self) -> None:
        self.post_message(self.Closed())


class LogStatusLine(Static):
    """One-row status of a :class:`LogView` (plain text, never markup)."""

    def show_status(self, status: LogViewStatus) -> None:
        # One row, always: a repaint, never a layout pass of the whole screen.
        self.update(Text(status.render_plain(_ascii_mode(self.app)), no_wrap=True, overflow="ellipsis"),
                    layout=False)


class LogChrome(Vertical):
    """The bottom of a :class:`LogView`: search box (while searching) and status line."""

    DEFAULT_CSS = """
    LogChrome {
        dock: bottom;
        height: auto;
        & > LogSearchInput {
            height: 1; border: none; padding: 0 1; display: none;
            &:focus { border: none; }
            &.-open { display: block; }
        }
        & > LogStatusLine {
            height: 1; padding: 0 1; background: $panel; color: $text-muted;
        }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.search_box = LogSearchInput(placeholder="search… (re: for regex)", compact=True)
        self.status_line = LogStatusLine()

    def compose(self) -> ComposeResult:
        yield self.search_box
        yield self.status_line
