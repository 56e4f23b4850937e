"""The job list's moves: the cursor (keys, clicks, a run asked for before it is listed)
and the sort (keys, header clicks). A part of :class:`~.job_table.JobTable`, which
inherits it and holds the rows and their drawing."""

from __future__ import annotations

from collections.abc import Iterator

from textual import events
from textual.scroll_view import ScrollView

from axom_tui.view.job_sort import NEWEST, SORT_COLUMN, SORTS, describe


class JobTableMoves(ScrollView):
    cursor_row: int
    sort_mode: str
    sort_reverse: bool
    _order: list[str]
    _position: dict[str, int]
    _select_when_listed: str | None

    # what the table provides
    def _refresh_row(self, job_id: str) -> None:
        raise NotImplementedError

    def _emit_highlight(self) -> None:
        raise NotImplementedError

    def _reorder(self, wanted: list[str]) -> None:
        raise NotImplementedError

    def _column_spans(self) -> Iterator[tuple[str, int, int]]:
        raise NotImplementedError

    def select(self, job_id: str | None) -> None:
        """Put the cursor on ``job_id``'s row; a run not listed yet gets it when it is."""
        if job_id is None:
            return
        if job_id not in self._position:
            self._select_when_listed = job_id
            return
        self._select_when_listed = None
        self.move_cursor(row=self._position[job_id])

    def move_cursor(self, row: int) -> None:
        """The user put the cursor somewhere: that wins over a run waiting for its row."""
        self._select_when_listed = None
        self._move_to(row)
        self._emit_highlight()

    def _move_to(self, row: int) -> None:
        row = max(0, min(row, len(self._order) - 1))
        old = self.cursor_row
        if row != old:
            self.cursor_row = row
            for index in (old, row):
                if 0 <= index < len(self._order):
                    self._refresh_row(self._order[index])
        self._scroll_to_cursor()

    def _scroll_to_cursor(self) -> None:
        visible = max(1, self.scrollable_content_region.height - 1)
        top = int(self.scroll_offset.y)
        if self.cursor_row < top:
            top = self.cursor_row
        elif self.cursor_row >= top + visible:
            top = self.cursor_row - visible + 1
        top = max(0, min(top, len(self._order) + 1 - (visible + 1)))
        if top != int(self.scroll_offset.y):
            self.scroll_to(y=top, animate=False, force=True)

    def action_move(self, delta: int) -> None:
        self.move_cursor(self.cursor_row + delta)

    def action_page(self, direction: int) -> None:
        self.move_cursor(
            self.cursor_row + direction * max(1, self.scrollable_content_region.height - 2)
        )

    def action_move_to(self, row: int) -> None:
        """Row ``row``; a negative one counts from the end (-1: the last)."""
        self.move_cursor(row if row >= 0 else len(self._order) + row)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            self._sort_by_column_at(offset.x)
            return
        row = int(self.scroll_offset.y) + offset.y - 1
        if 0 <= row < len(self._order):
            self.focus()
            self.move_cursor(row)

    def _sort_by_column_at(self, x: int) -> None:
        """A header click sorts by that column; a second click turns the order round."""
        for key, left, span in self._column_spans():
            if left <= x < left + span:
                mode = next((m for m, col in SORT_COLUMN.items() if col == key), NEWEST)
                self.sort_reverse = mode == self.sort_mode and not self.sort_reverse
                self.sort_mode = mode
                self._apply_sort()
                return

    def action_cycle_sort(self) -> None:
        self.sort_mode = SORTS[(SORTS.index(self.sort_mode) + 1) % len(SORTS)]
        self.sort_reverse = False
        self._apply_sort()
        self.app.notify(describe(self.sort_mode, self.sort_reverse), timeout=2)

    def action_reverse_sort(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self._apply_sort()
        self.app.notify(describe(self.sort_mode, self.sort_reverse), timeout=2)

    def _apply_sort(self) -> None:
        self._reorder(list(self._order))
        self._emit_highlight()
