"""The log pane's selection: marked lines, the current line, and what copy takes.

The *current line* is where the last jump (search match, error) or click landed; marks
are lines the user picked with ``space``. Both are kept by absolute line id
(:meth:`LogIndex.line_id`), which does not change while a line is held, so they survive
appends and evictions; ids older than the buffer simply stop being reported.

Also the next/previous error jumps, which start from the current line when there is one.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import NamedTuple

from axom_tui.logview.errors import next_error, prev_error
from axom_tui.logview.index import LogIndex


class CopyKind(Enum):
    """What the copy key took, in order of preference."""

    MARKED = "marked"
    FILTERED = "filtered"
    CURRENT = "current"
    SCREEN = "on screen"


class CopyPick(NamedTuple):
    kind: CopyKind
    lines: Sequence[int]
    """Live line indices, in log order."""


class LineSelection:
    """Marks and the current line of one :class:`LogIndex`."""

    def __init__(self, index: LogIndex) -> None:
        self._index = index
        self._marks: set[int] = set()
        self.current_id: int | None = None
        """Absolute id of the current line, or None."""

    def reset(self) -> None:
        """Forget the marks and the current line (the log was replaced)."""
        self._marks.clear()
        self.current_id = None

    # ------------------------------------------------------------------ current line

    @property
    def current(self) -> int | None:
        """Live index of the current line, or None (also once it was evicted)."""
        if self.current_id is None:
            return None
        i = self.current_id - self._index.first_id
        return i if 0 <= i < len(self._index) else None

    def set_current(self, line: int | None) -> bool:
        """Make live line ``line`` (or nothing) current; returns whether that changed."""
        current = None if line is None else self._index.line_id(line)
        changed = current != self.current_id
        self.current_id = current
        return changed

    # ------------------------------------------------------------------ marks

    def is_marked(self, line_id: int) -> bool:
        return line_id in self._marks

    @property
    def has_marks(self) -> bool:
        return bool(self._marks)

    def toggle_mark(self, line: int) -> bool:
        """Mark or unmark live line ``line``; returns whether it is now marked."""
        line_id = self._index.line_id(line)
        if line_id in self._marks:
            self._marks.discard(line_id)
            return False
        self._marks.add(line_id)
        return True

    def clear_marks(self) -> int:
        """Unmark every line; returns how many were marked."""
        count = len(self.marked())
        self._marks.clear()
        return count

    def marked(self) -> list[int]:
        """Live indices of the marked lines still held, in log order (drops the evicted)."""
        first, count = self._index.first_id, len(self._index)
        self._marks = {i for i in self._marks if i >= first}
        return sorted(i - first for i in self._marks if i - first < count)

    # ------------------------------------------------------------------ copy

    def pick(self, on_screen: Sequence[int]) -> CopyPick:
        """The lines to copy: the marked ones, else every line the filter shows, else the
        current line (or the current search match's), else ``on_screen``."""
        marked = self.marked()
        if marked:
            return CopyPick(CopyKind.MARKED, marked)
        index = self._index
        if index.filter_active:
            shown = index.visible_lines()
            if shown:
                return CopyPick(CopyKind.FILTERED, shown)
        current = self.current
        if current is None:
            span = index.current_span()
            current = None if span is None else span[0]
        if current is not None:
            return CopyPick(CopyKind.CURRENT, [current])
        return CopyPick(CopyKind.SCREEN, on_screen)

    # ------------------------------------------------------------------ errors

    def next_error(self, top: int | None) -> int | None:
        """The next error block's first line after the current line (else from ``top``)."""
        start = self.current
        return next_error(self._index, top if start is None else start)

    def prev_error(self, bottom: int | None) -> int | None:
        """The previous error block's first line before the current line (else at or above
        ``bottom``; None: from the end)."""
        start = self.current
        if start is None:
            start = None if bottom is None else bottom + 1
        return prev_error(self._index, start)


def clipboard_text(texts: Sequence[str], limit: int) -> tuple[str, bool]:
    """``texts`` joined by newlines, cut to at most ``limit`` UTF-8 bytes (whole characters);
    and whether it was cut."""
    text = "\n".join(texts)
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text, False
    return data[:limit].decode("utf-8", errors="ignore"), True
