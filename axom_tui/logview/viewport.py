"""Which lines a scrolled window over the log shows, and where to scroll to show a line.

Plain arithmetic over :class:`~axom_tui.logview.index.LogIndex` rows, kept out of the
widget so the log pane's geometry is testable without a terminal.
"""

from __future__ import annotations

from typing import NamedTuple

from axom_tui.logview.index import LogIndex


class Window(NamedTuple):
    """The part of the log on screen."""

    top: int
    """First display row shown."""
    height: int
    """Rows of log shown."""
    x: int
    """Horizontal scroll, in cells."""
    body: int
    """Cells of text per row (the widget's width less the gutter)."""


def top_line(index: LogIndex, window: Window) -> int | None:
    """The line whose row is at the top of the window."""
    located = index.locate(window.top)
    return None if located is None else located[0]


def bottom_line(index: LogIndex, window: Window) -> int | None:
    """The line whose row is the last one shown."""
    located = index.locate(min(window.top + window.height, index.row_count) - 1)
    return None if located is None else located[0]


def screen_lines(index: LogIndex, window: Window) -> list[int]:
    """Live indices of the lines with a row in the window, top to bottom."""
    lines: list[int] = []
    for row in range(window.top, window.top + window.height):
        located = index.locate(row)
        if located is None:
            break
        if not lines or lines[-1] != located[0]:
            lines.append(located[0])
    return lines


def reveal(
    index: LogIndex, line: int, column: int | None, window: Window
) -> tuple[int, int | None] | None:
    """Where to scroll, ``(y, x)`` (x None: leave it), so that ``line`` shows: centred if
    it is off screen; with ``column`` that column too, else the line's start. None when
    nothing needs to move (or the filter hides the line)."""
    row = index.row_of_line(line)
    if row is None:
        return None
    sub = 0
    x: int | None = None
    if column is None:
        x = 0
    elif index.wrap_width:
        sub = column // index.wrap_width
    elif not window.x <= column < window.x + window.body - 1:
        x = max(0, column - window.body // 3)
    target = row + sub
    if not window.top <= target < window.top + window.height:
        return target - window.height // 2, x
    if x is not None and x != window.x:
        return window.top, x
    return None
