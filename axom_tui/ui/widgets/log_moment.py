"""The log pane's part of the chart's cursor: marking the lines logged nearest a moment,
and sending a line's moment back to the chart.

:meth:`LogMoment.show` pauses following (``End``/``f`` resume it), scrolls the lines
logged nearest the moment to the middle of the pane and marks them; while the cursor
follows a live run's newest point the pane keeps following and only marks. ``Enter``
(``log.to_chart``) posts :class:`MomentPicked` with the time of the current line (where a
click, a jump or a search match landed), else of the top line on screen. The times come from
:class:`~axom_tui.logview.moments.LineTimes` (no Textual).
"""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.message import Message
from textual.strip import Strip

from axom_tui.logview.moments import LineTimes


class MomentPicked(Message):
    """Put the chart's cursor at ``ts`` (epoch s): the moment of a log line."""

    def __init__(self, ts: float) -> None:
        super().__init__()
        self.ts = ts


class LogMoment:
    def __init__(self, view: Any) -> None:  # the LogView (no import: it imports this)
        self._view = view
        self._times = LineTimes()
        self._marked: tuple[int, int] | None = None  # absolute line ids [first, end)

    @property
    def marked(self) -> tuple[int, int] | None:
        """Live indices ``[i, j)`` of the marked lines (None: none, or evicted)."""
        if self._marked is None:
            return None
        first = self._view.index.first_id
        a, b = self._marked[0] - first, self._marked[1] - first
        return (max(0, a), b) if b > 0 else None

    @property
    def active(self) -> bool:
        return self._marked is not None

    @staticmethod
    def style(strip: Strip, style: Style) -> Strip:
        """``strip`` with ``style`` laid over every segment (the mark's background)."""
        return Strip(
            [Segment(text, (st or Style()) + style, control) for text, st, control in strip],
            strip.cell_length,
        )

    def overlay(self, strip: Strip, row: int) -> Strip:
        """``strip``, drawn at ``row``, with the moment's background if its line is marked."""
        located = self._view.index.locate(row) if self._marked is not None else None
        if located is None or not self.marks(located[0]):
            return strip
        return self.style(strip, self._view.get_component_rich_style("log-view--moment"))

    def marks(self, line: int) -> bool:
        if self._marked is None:
            return False
        absolute = self._view.index.first_id + line
        return self._marked[0] <= absolute < self._marked[1]

    def show(self, ts: float | None, *, pause: bool = True) -> tuple[int, int] | None:
        """Mark the lines logged nearest ``ts`` and bring them into view; None clears."""
        view = self._view
        if ts is None:
            self.clear()
            return None
        index = view.index
        self._times.sync(index)
        found = self._times.nearest(ts)
        if found is None:
            self.clear()
            return None
        first = index.first_id
        self._marked = (first + found[0], first + found[1])
        if pause:
            view.pause()
            row = index.nearest_row(found[0])
            view.scroll_to(None, max(0, row - view.view_height // 2), animate=False, force=True)
        view.refresh()
        return found

    def clear(self) -> None:
        if self._marked is not None:
            self._marked = None
            self._view.refresh()

    def selected_time(self) -> float | None:
        """Time of the selected line: the current line (a click's, a jump's, a search
        match's), else the top line shown."""
        view = self._view
        index = view.index
        line = view.selection.current
        if line is None:
            span = index.current_span()
            line = span[0] if span is not None else view.top_line()
        if line is None:
            return None
        self._times.sync(index)
        return self._times.at(line)

    def pick(self) -> None:
        ts = self.selected_time()
        if ts is None:
            self._view.notify("This line has no time to put the chart's cursor at.", timeout=3)
            return
        self._view.post_message(MomentPicked(ts))
