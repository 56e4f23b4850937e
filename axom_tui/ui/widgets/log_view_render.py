"""Drawing the log pane, one screen row at a time (mixed into ``LogView``).

``render_line`` maps a screen row to a (line, wrapped sub-row) of the index and draws the
gutter (stderr marker, optional HH:MM:SS) and the visible part of that row, with search
matches highlighted. Lines are rendered to segments once and kept in a small LRU cache.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from rich.segment import Segment
from rich.style import Style
from textual.color import Color, ColorParseError
from textual.strip import Strip

from axom_tui.ui.widgets.log_view_chrome import app_uses_ascii

if TYPE_CHECKING:
    from textual.cache import LRUCache
    from textual.scroll_view import ScrollView

    from axom_tui.logview import LogIndex

    _Host = ScrollView
else:
    _Host = object

STDERR_MARKER = "▌"


class LineStyles(NamedTuple):
    base: Style
    stderr: Style
    marker: Style
    timestamp: Style
    match: Style
    current: Style
    moment: Style


class RenderedLine(NamedTuple):
    """One line's segments: its gutter, and one list per display row with its width."""

    gutter: list[Segment]
    rows: list[list[Segment]]
    widths: list[int]


class LogViewRendering(_Host):
    """The drawing half of ``LogView``: gutter, styles, line cache, screen row → line."""

    if TYPE_CHECKING:  # owned by LogView
        _index: LogIndex
        _cache: LRUCache[tuple[object, ...], RenderedLine]
        _style_gen: int
        _styles: tuple[int, LineStyles] | None

        @property
        def wrap(self) -> bool: ...
        @property
        def show_timestamps(self) -> bool: ...
        @property
        def view_height(self) -> int: ...
        moment: Any  # the LogMoment of the view (log_moment.py)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._style_gen += 1
        self._cache.clear()

    def _gutter_width(self) -> int:
        return 10 if self.show_timestamps else 2  # marker [+ HH:MM:SS] + space

    def _top_line(self) -> int | None:
        located = self._index.locate(self.scroll_offset.y)
        return None if located is None else located[0]

    def _bottom_line(self) -> int | None:
        index = self._index
        row = min(self.scroll_offset.y + self.view_height, index.row_count) - 1
        located = index.locate(row)
        return None if located is None else located[0]

    def _get_styles(self) -> LineStyles:
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
        styles = LineStyles(
            base=base,
            stderr=base + stderr,
            marker=base + stderr + Style(bold=True),
            timestamp=base + self._component_style("log-view--timestamp"),
            match=self._component_style("log-view--match"),
            current=self._component_style("log-view--match-current"),
            moment=self._component_style("log-view--moment"),
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

    def _render_lines_of(self, i: int, styles: LineStyles) -> RenderedLine:
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
        marker = "!" if app_uses_ascii(self.app) else STDERR_MARKER
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
        rendered = RenderedLine(gutter, rows, widths)
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
        if self.moment.marks(line):  # logged nearest the chart's cursor
            segments = [Segment(t, (st or styles.base) + styles.moment, c) for t, st, c in segments]
        return Strip(segments, gutter_width + max(row_width, body_width))
