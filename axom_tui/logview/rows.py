"""What the log pane shows: the filtered subset of lines and their soft-wrapped rows.

:class:`VisibleRows` is the half of :class:`~axom_tui.logview.index.LogIndex` that maps
display rows to lines. It keeps two incremental tables next to the line buffer:

* the *visible sequence*: every live line, or (while a filter is active) the absolute
  ids of the lines with a search match;
* while wrapping, the cumulative row ends of the visible sequence, so a row maps to a
  line by bisection in O(log n).

Both tables have a dead prefix (dropped by eviction) that is compacted in chunks, like
the line buffer itself.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from axom_tui.logview.query import Matcher


class VisibleRows:
    """Filter and soft-wrap bookkeeping; mixed into :class:`LogIndex`, which owns the lines."""

    if TYPE_CHECKING:
        # Provided by LogIndex: the line buffer and the search matches.
        version: int
        _base: int
        _head: int
        _width: array[int]
        _matcher: Matcher | None
        _m_line: array[int]
        _m_head: int

        def __len__(self) -> int: ...
        @property
        def first_id(self) -> int: ...
        def line_id(self, i: int) -> int: ...
        def width(self, i: int) -> int: ...

    def _init_view(self) -> None:
        self._filtering = False
        self._wrap_width = 0  # 0 = no wrapping; else body cells per row

    def _reset_rows(self) -> None:
        # Filtered subset (absolute ids), only kept while a filter is active.
        self._vis = array("q")
        self._vis_head = 0
        # Cumulative row ends, parallel to the visible sequence, only kept while wrapping.
        self._cum = array("q")
        self._cum_head = 0
        self._cum_zero = 0

    def _append_rows(self, start_id: int, widths: list[int], hit_ids: list[int]) -> None:
        """Extend the tables for appended lines ``start_id, start_id + 1, ...``.

        ``widths`` are the new lines' widths; ``hit_ids`` the ids of those with a match.
        """
        if self.filter_active:
            self._vis.extend(hit_ids)
            self._extend_rows([widths[a - start_id] for a in hit_ids])
        else:
            self._extend_rows(widths)

    def _extend_rows(self, widths: Iterable[int]) -> None:
        if not self._wrap_width:
            return
        cum = self._cum
        total = cum[-1] if len(cum) > self._cum_head else self._cum_zero
        per_row = self._wrap_width
        for w in widths:
            total += max(1, -(-w // per_row))
            cum.append(total)

    def _evict_rows(self, first_id: int, evicted: int) -> int:
        """Drop the visible lines before absolute id ``first_id``; return the rows dropped."""
        if self.filter_active:
            k = bisect_left(self._vis, first_id, self._vis_head)
            gone_visible = k - self._vis_head
            self._vis_head = k
        else:
            gone_visible = evicted
        if not self._wrap_width:
            return gone_visible
        if not gone_visible:
            return 0
        new_zero = self._cum[self._cum_head + gone_visible - 1]
        gone_rows = new_zero - self._cum_zero
        self._cum_zero = new_zero
        self._cum_head += gone_visible
        return gone_rows

    def _truncate_rows(self, end_id: int, kept: int) -> None:
        """Drop the visible lines from absolute id ``end_id`` on (``kept`` live lines stay)."""
        if self.filter_active:
            k = bisect_left(self._vis, end_id, self._vis_head)
            del self._vis[k:]
            kept = k - self._vis_head
        if self._wrap_width:
            del self._cum[self._cum_head + kept :]

    def _compact_rows(self, slack: int) -> None:
        if self._vis_head > slack:
            del self._vis[: self._vis_head]
            self._vis_head = 0
        if self._cum_head > slack:
            del self._cum[: self._cum_head]
            self._cum_head = 0

    # ------------------------------------------------------------------ filter

    @property
    def filtering(self) -> bool:
        """The filter toggle (it only narrows the view while a valid query is set)."""
        return self._filtering

    @property
    def filter_active(self) -> bool:
        return self._filtering and self._matcher is not None

    def set_filtering(self, on: bool) -> None:
        if on == self._filtering:
            return
        self._filtering = on
        self._rebuild_visible()
        self.version += 1

    def _rebuild_visible(self) -> None:
        self._vis = array("q")
        self._vis_head = 0
        if self.filter_active:
            ids = self._m_line[self._m_head :]
            last = -1
            vis = self._vis
            for line_id in ids:
                if line_id != last:
                    vis.append(line_id)
                    last = line_id
        self._rebuild_rows()

    # ------------------------------------------------------------------ wrap / rows

    @property
    def wrap_width(self) -> int:
        return self._wrap_width

    def set_wrap(self, width: int) -> None:
        """Soft-wrap every line at ``width`` body cells; 0 turns wrapping off. O(buffer)."""
        width = max(0, width)
        if width == self._wrap_width:
            return
        self._wrap_width = width
        self._rebuild_rows()
        self.version += 1

    def _rebuild_rows(self) -> None:
        self._cum = array("q")
        self._cum_head = 0
        self._cum_zero = 0
        if not self._wrap_width:
            return
        if self.filter_active:
            base = self._base
            widths = self._width
            self._extend_rows(widths[line_id - base] for line_id in self._vis[self._vis_head :])
        else:
            self._extend_rows(self._width[self._head :])

    @property
    def visible_count(self) -> int:
        """Lines shown (all live lines, or the filtered subset)."""
        if self.filter_active:
            return len(self._vis) - self._vis_head
        return len(self)

    def visible_lines(self) -> list[int]:
        """Live indices of the lines shown, in order (every line, or the filtered subset)."""
        if not self.filter_active:
            return list(range(len(self)))
        first = self.first_id
        return [line_id - first for line_id in self._vis[self._vis_head :]]

    def _visible_line(self, p: int) -> int:
        if self.filter_active:
            return self._vis[self._vis_head + p] - self.first_id
        return p

    @property
    def row_count(self) -> int:
        if self._wrap_width:
            if len(self._cum) > self._cum_head:
                return self._cum[-1] - self._cum_zero
            return 0
        return self.visible_count

    def locate(self, row: int) -> tuple[int, int] | None:
        """``(line index, row within the line)`` for display ``row``, or None if past the end."""
        if row < 0 or row >= self.row_count:
            return None
        if not self._wrap_width:
            return self._visible_line(row), 0
        target = row + self._cum_zero
        k = bisect_right(self._cum, target, self._cum_head)
        before = self._cum[k - 1] if k > self._cum_head else self._cum_zero
        return self._visible_line(k - self._cum_head), target - before

    def _visible_position(self, i: int) -> tuple[int, bool]:
        """Position of line ``i`` in the visible sequence, and whether it is shown there."""
        if not self.filter_active:
            return i, True
        line_id = self.line_id(i)
        k = bisect_left(self._vis, line_id, self._vis_head)
        shown = k < len(self._vis) and self._vis[k] == line_id
        return k - self._vis_head, shown

    def row_of_line(self, i: int) -> int | None:
        """First display row of line ``i``, or None if the filter hides it."""
        if not 0 <= i < len(self):
            return None
        p, shown = self._visible_position(i)
        if not shown:
            return None
        return self._row_of_position(p)

    def nearest_row(self, i: int) -> int:
        """First row of the first shown line at or after ``i`` (else the last row)."""
        p, _ = self._visible_position(max(0, min(i, len(self))))
        if p >= self.visible_count:
            return max(0, self.row_count - 1)
        return self._row_of_position(p)

    def _row_of_position(self, p: int) -> int:
        if not self._wrap_width:
            return p
        if p == 0:
            return 0
        return self._cum[self._cum_head + p - 1] - self._cum_zero
