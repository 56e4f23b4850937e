"""The log pane's search: the query, moving between its matches, and the filter.

Matching (plain text, or a regex after ``re:``; a bad regex is said in the status line)
and filtering are :class:`~axom_tui.logview.LogIndex`'s (no Textual). :class:`LogFinder`,
a part of a ``LogView``, sets the query, moves to the next or previous match (``n``/``N``)
and keeps the line being looked at in view when the filter (``x``) hides or shows the rest.
The search box itself is the chrome's (:mod:`~axom_tui.ui.widgets.log_view_chrome`).
"""

from __future__ import annotations

from typing import Any


class LogFinder:
    def __init__(self, view: Any) -> None:  # the LogView (no import: it imports this)
        self._view = view

    def set_query(self, query: str) -> None:
        view = self._view
        if query != view.index.query:
            view.relayout(lambda: view.index.set_query(query), keep_top=view.filtering)

    def next_match(self) -> None:
        view = self._view
        self._goto_match(view.index.next_match(view.top_line() or 0))

    def prev_match(self) -> None:
        view = self._view
        self._goto_match(view.index.prev_match(view.bottom_line()))

    def _goto_match(self, line: int | None) -> None:
        view = self._view
        if line is None:
            view.post_status()
            return
        span = view.index.current_span()
        view.reveal(line, None if span is None else span[1])

    def set_filtering(self, on: bool) -> None:
        view = self._view
        view.relayout(lambda: view.index.set_filtering(on))
        current = view.selection.current
        if current is not None and view.is_mounted:  # the line being looked at stays in view
            span = view.index.current_span()
            view.scroll_to_line(current, span[1] if span and span[0] == current else None)
