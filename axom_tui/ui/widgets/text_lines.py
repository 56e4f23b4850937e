"""TextLines: a few lines of Rich ``Text``, drawn through the line API, line by line.

A ``Static`` re-renders all of its content whenever any of it changes. The dashboard's
small panes (lifecycle, run summary, header, log status) change one line per poll
round, mostly a clock or a counter; here only the lines whose text changed are drawn
again and repainted, and a line's strip is kept until it changes.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from axom_tui.ui.widgets.job_rows import cell_segments, signature


class TextLines(Widget):
    """Shows ``lines`` (one-line ``Text`` each; cut with an ellipsis, never wrapped).

    Server text must be cleaned before it gets here (as for any widget); styles are
    Rich styles, so nothing in the text is ever parsed as markup.
    """

    DEFAULT_CSS = """
    TextLines { height: auto; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._lines: list[Text] = []
        self._signatures: list[tuple[object, ...]] = []
        self._strips: dict[int, Strip] = {}

    @property
    def content(self) -> Text:
        """What the widget shows, as one ``Text``."""
        return Text("\n").join(self._lines)

    def set_text(self, text: Text) -> None:
        self.set_lines(list(text.split("\n", allow_blank=True)) if text.plain else [])

    def set_lines(self, lines: Sequence[Text]) -> None:
        """Show ``lines``; repaint only those that differ from what is shown."""
        signatures = [signature(line) for line in lines]
        old = self._signatures
        changed = [
            y
            for y in range(max(len(old), len(signatures)))
            if y >= len(old) or y >= len(signatures) or old[y] != signatures[y]
        ]
        self._lines = list(lines)
        self._signatures = signatures
        if not changed:
            return
        for y in changed:
            self._strips.pop(y, None)
        if (
            len(old) != len(signatures)
            and self.styles.height is not None
            and self.styles.height.is_auto
        ):
            self.refresh(layout=True)
            return
        width = self.size.width  # regions are relative to the content (Textual adds the gutter)
        self.refresh(*(Region(0, y, width, 1) for y in changed))

    def get_content_height(self, container, viewport, width: int) -> int:  # noqa: ANN001
        return len(self._lines)

    def get_content_width(self, container, viewport) -> int:  # noqa: ANN001
        return max((line.cell_len for line in self._lines), default=0)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def _on_resize(self) -> None:
        self._strips.clear()

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        strip = self._strips.get(y)
        if strip is not None and strip.cell_length == width:
            return strip
        style: Style = self.rich_style
        if y >= len(self._lines) or width <= 0:
            return Strip.blank(width, style)
        strip = Strip(cell_segments(self._lines[y], width, style), width).simplify()
        self._strips[y] = strip
        return strip
