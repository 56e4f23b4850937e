"""The job list's lines as strips: the header and each row, kept until they change.

A row's strip is built from its cells (:mod:`job_rows`; the name cut in the middle to
its width), its parity and whether the cursor is on it, and kept until one of those or
the columns change; styles come from the table's component classes, read once per
theme or focus change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from axom_tui.ui.widgets.job_columns import TableStyles
from axom_tui.ui.widgets.job_row_cache import Row
from axom_tui.ui.widgets.job_rows import Column, row_segments


class RowPainter:
    def __init__(self, read_styles: Callable[[], TableStyles]) -> None:
        self._read_styles = read_styles
        self._styles: TableStyles | None = None
        self._strips: dict[str, tuple[tuple[object, ...], Strip]] = {}
        self._header: tuple[tuple[object, ...], Strip] | None = None

    @property
    def styles(self) -> TableStyles:
        if self._styles is None:
            self._styles = self._read_styles()
        return self._styles

    def forget(self, job_id: str) -> None:
        """The row's cells changed: its strip is built again."""
        self._strips.pop(job_id, None)

    def forget_rows(self) -> None:
        self._strips.clear()
        self._header = None

    def drop_all(self) -> None:
        """Styles changed (theme, focus): every line is drawn again."""
        self._styles = None
        self.forget_rows()

    def header(
        self, key: tuple[object, ...], labels: Sequence[Text], widths: Sequence[int], width: int
    ) -> Strip:
        if self._header is not None and self._header[0] == key:
            return self._header[1]
        strip = Strip(row_segments(labels, widths, width, self.styles.header), width).simplify()
        self._header = (key, strip)
        return strip

    def row(
        self,
        job_id: str,
        row: Row,
        columns: tuple[Column, ...],
        widths: Sequence[int],
        width: int,
        odd: bool,
        cursor: bool,
        collide: frozenset[str] = frozenset(),
    ) -> Strip:
        key = (width, odd, cursor, columns)
        hit = self._strips.get(job_id)
        if hit is not None and hit[0] == key:
            return hit[1]
        styles = self.styles
        style = styles.odd if odd else styles.even
        post = None
        if cursor:
            style = style + styles.cursor
            post = Style(
                color=styles.cursor.color
            )  # the cursor's text colour wins, as in DataTable
        shown = [
            row.ellipsized(w, collide) if column == "name" else row.cells[column]
            for (column, _, _), w in zip(columns, widths)
        ]
        strip = Strip(
            row_segments(shown, widths, width, style, post, row.segments), width
        ).simplify()
        self._strips[job_id] = (key, strip)
        return strip
