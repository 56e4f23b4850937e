"""Drawing the log pane, one screen row at a time: the :class:`LineRenderer` part of ``LogView``.

:meth:`LineRenderer.render_row` maps a display row to a (line, wrapped sub-row) of the
index and draws the gutter (stderr marker, optional HH:MM:SS, mark) and the visible part
of that row, with search matches highlighted and marked / current lines tinted. Lines are
rendered to segments once and kept in a small LRU cache, keyed by everything that changes
how a line looks, so the cache never needs to know why something changed.
"""

from __future__ import annotations

from typing import NamedTuple

from rich.segment import Segment
from rich.style import Style
from textual.cache import LRUCache
from textual.color import Color, ColorParseError
from textual.strip import Strip
from textual.widget import Widget

from axom_tui.logview import LogIndex
from axom_tui.logview.selection import LineSelection

STDERR_MARKER = "▌"
MARK = "•"
"""Drawn in the gutter of a marked line (``*`` with --ascii)."""

COMPONENT_CLASSES = frozenset(
    {
        "log-view--stderr",
        "log-view--timestamp",
        "log-view--match",
        "log-view--match-current",
        "log-view--marked",
        "log-view--current",
    }
)
COMPONENT_CSS = """
LogView > .log-view--stderr { color: $warning; }
LogView > .log-view--timestamp { color: $text-muted; }
LogView > .log-view--match { background: $accent 35%; }
LogView > .log-view--match-current { background: $accent; color: $background; text-style: bold; }
LogView > .log-view--marked { background: $secondary 30%; }
LogView > .log-view--current { background: $primary 25%; }
"""
"""How the lines above look in a ``LogView`` (its ``DEFAULT_CSS`` adds this)."""


class LineStyles(NamedTuple):
    base: Style
    stderr: Style
    marker: Style
    timestamp: Style
    match: Style
    current: Style
    marked: Style
    """Over the whole row of a marked line."""
    current_line: Style
    """Over the whole row of the current (selected) line."""


class RenderedLine(NamedTuple):
    """One line's segments: its gutter, one list per display row with its width, and the
    style that pads a row to the widget's width."""

    gutter: list[Segment]
    rows: list[list[Segment]]
    widths: list[int]
    pad: Style


def gutter_width(show_timestamps: bool) -> int:
    return 10 if show_timestamps else 2  # marker [+ HH:MM:SS] + space (or mark)


def _component_style(widget: Widget, name: str) -> Style:
    """Only what the component sets, with colours resolved (alpha blended)."""
    full = widget.get_component_rich_style(name)
    partial = widget.get_component_rich_style(name, partial=True)
    return partial + Style(
        color=full.color if partial.color is not None else None,
        bgcolor=full.bgcolor if partial.bgcolor is not None else None,
    )


def resolve_styles(widget: Widget) -> LineStyles:
    """The styles ``widget``'s CSS (and the theme's ``stderr`` variable) give each part."""
    base = widget.rich_style
    stderr = _component_style(widget, "log-view--stderr")
    variable = getattr(widget.app, "theme_variables", {}).get("stderr")
    if variable:
        try:
            stderr = Style(color=Color.parse(variable).rich_color)
        except ColorParseError:
            pass
    return LineStyles(
        base=base,
        stderr=base + stderr,
        marker=base + stderr + Style(bold=True),
        timestamp=base + _component_style(widget, "log-view--timestamp"),
        match=_component_style(widget, "log-view--match"),
        current=_component_style(widget, "log-view--match-current"),
        marked=_component_style(widget, "log-view--marked"),
        current_line=_component_style(widget, "log-view--current"),
    )


class LineRenderer:
    """Draws display rows of a :class:`LogIndex`; owns the per-line segment cache.

    It reads the index and the selection it is given and keeps no other state of the
    view: scroll position, wrap and timestamps come with each call.
    """

    def __init__(self, index: LogIndex, selection: LineSelection, cache_size: int = 256) -> None:
        self._index = index
        self._selection = selection
        self._cache: LRUCache[tuple[object, ...], RenderedLine] = LRUCache(cache_size)
        self._style_gen = 0
        self._styles: tuple[int, LineStyles] | None = None

    def clear(self) -> None:
        """Forget every cached line (they are re-rendered when next drawn)."""
        self._cache.clear()

    def restyle(self) -> None:
        """The widget's styles changed (theme, CSS): resolve them again on the next draw."""
        self._style_gen += 1
        self._cache.clear()

    def styles(self, widget: Widget) -> LineStyles:
        if self._styles is not None and self._styles[0] == self._style_gen:
            return self._styles[1]
        styles = resolve_styles(widget)
        self._styles = (self._style_gen, styles)
        return styles

    def _render_lines_of(
        self, i: int, styles: LineStyles, show_timestamps: bool, ascii_mode: bool
    ) -> RenderedLine:
        """Segments for line ``i`` (gutter + one list per display row), LRU-cached.

        Plain segment lists rather than Strips keep the cache small for the garbage
        collector (a Strip carries seven little caches of its own).
        """
        index = self._index
        line_id = index.line_id(i)
        current = index.current_span()
        current_start = current[1] if current is not None and current[0] == i else -1
        marked = self._selection.is_marked(line_id)
        is_current = line_id == self._selection.current_id
        key = (
            line_id,
            index.query,
            index.wrap_width,
            show_timestamps,
            current_start,
            self._style_gen,
            marked,
            is_current,
        )
        cached = self._cache.get(key)
        if cached is not None:
            return cached

        err = index.is_stderr(i)
        base = styles.base
        marker_style = styles.marker if err else base
        stamp_style = styles.timestamp
        style = styles.stderr if err else base
        if marked or is_current:
            tint = (styles.marked if marked else Style()) + (
                styles.current_line if is_current else Style()
            )
            base, marker_style, stamp_style, style = (
                base + tint,
                marker_style + tint,
                stamp_style + tint,
                style + tint,
            )
        marker = "!" if ascii_mode else STDERR_MARKER
        gutter = [Segment(marker if err else " ", marker_style)]
        if show_timestamps:
            ts = index.timestamp(i)
            if ts is None:
                stamp = "--:--:--"
            else:  # aware times are shown in the user's local zone
                stamp = (ts.astimezone() if ts.tzinfo is not None else ts).strftime("%H:%M:%S")
            gutter.append(Segment(stamp, stamp_style))
        gutter.append(Segment(("*" if ascii_mode else MARK) if marked else " ", base))

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
        rendered = RenderedLine(gutter, rows, widths, base)
        self._cache[key] = rendered
        return rendered

    def render_row(
        self,
        row: int,
        *,
        scroll_x: int,
        width: int,
        wrap: bool,
        show_timestamps: bool,
        styles: LineStyles,
        ascii_mode: bool,
    ) -> Strip:
        """Display row ``row`` of the index, ``width`` cells wide, scrolled by ``scroll_x``."""
        located = self._index.locate(row)
        if located is None:
            return Strip.blank(width, styles.base)
        line, sub = located
        rendered = self._render_lines_of(line, styles, show_timestamps, ascii_mode)
        gutter = gutter_width(show_timestamps)
        sub = min(sub, len(rendered.rows) - 1)
        cells, row_width = rendered.rows[sub], rendered.widths[sub]
        body_width = max(0, width - gutter)
        x = 0 if wrap else scroll_x
        if x == 0 and row_width <= body_width:
            body = cells
        else:  # horizontal scroll / too long: crop through a short-lived Strip
            body = list(Strip(cells, row_width).crop(x, x + body_width))
            row_width = max(0, min(row_width, x + body_width) - x)
        segments = rendered.gutter if sub == 0 else [Segment(" " * gutter, rendered.pad)]
        segments = [*segments, *body]
        if row_width < body_width:
            segments.append(Segment(" " * (body_width - row_width), rendered.pad))
        return Strip(segments, gutter + max(row_width, body_width))
