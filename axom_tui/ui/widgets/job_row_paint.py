"""The job list's lines as strips: the header and each row, kept until they change.

A row's strip is built from its cells (:mod:`job_rows`), its parity and whether the
cursor is on it, and kept until one of those or the width changes; styles come from the
table's component classes and are read once per theme or focus change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from axom_tui.ui.widgets.job_row_cache import Row
from axom_tui.ui.widgets.job_rows import row_segments


class Styles(NamedTuple):
    odd: Style
    even: Style
    cursor: Style
    header: Style
    empty: Style


class RowPainter:
    def __init__(self, read_styles: Callable[[], Styles]) -> None:
        self._read_styles = read_styles
        self._styles: Styles | None = None
        self._strips: dict[str, tuple[tuple[object, ...], Strip]] = {}
        self._header: tuple[tuple[object, ...], Strip] | None = None

    @property
    def styles(self) -> Styles:
        if self._styles is None:
            self._styles = self._read_styles()
        return self._styles

    def forget(self, job_id: str) -> None:
        """The row's cells changed: its strip is built again."""
        self._strips.pop(job_id, None)

    def forget_rows(self) -> None:
        self._strips.clear()

    def drop_all(self) -> None:
        """Styles changed (theme, focus): every line is drawn again."""
        self._styles = None
        self._strips.clear()
        self._header = None

    def header(self, key: tuple[object, ...], labels: Sequence[Text], widths: Sequence[int],
               width: int) -> Strip:
        if self._header is not None and self._header[0] == key:
            return self._header[1]
        strip = Strip(row_segments(labels, widths, width, self.styles.header), width).simplify()
        self._header = (key, strip)
        return strip

    def row(self, job_id: str, row: Row, columns: Sequence[str], widths: Sequence[int], width: int,
            odd: bool, cursor: bool, compact: bool) -> Strip:
        key = (width, odd, cursor, compact)
        hit = self._strips.get(job_id)
        if hit is not None and hit[0] == key:
            return hit[1]
        styles = self.styles
        style = styles.odd if odd else styles.even
        post = None
        if cursor:
            style = style + styles.cursor
            post = Style(color=styles.cursor.color)  # the cursor's text colour wins, as in DataTable
        segments = row_segments([row.cells[c] for c in columns], widths, width, style, post,
                                row.segments)
        strip = Strip(segments, width).simplify()
        self._strips[job_id] = (key, strip)
        return strip
