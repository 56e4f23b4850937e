"""Growing a line-API widget's scrollable area without a whole-screen layout."""

from __future__ import annotations

from textual.geometry import Size
from textual.scroll_view import ScrollView


def _shown(overflow: str, virtual: int, viewport: int) -> bool:
    return overflow == "scroll" or (overflow == "auto" and virtual > viewport)


def set_virtual_size(widget: ScrollView, size: Size) -> None:
    """Set ``widget.virtual_size``; quietly when neither scrollbar appears or goes.

    The reactive lays out the whole screen on every change (about 30 ms on a dashboard),
    though nothing outside the widget moves unless a scrollbar is shown or hidden. So
    when both stay as they are, only the scrollbars' extents are updated.
    """
    if size == widget.virtual_size:
        return
    styles = widget.styles
    overflow_x, overflow_y = styles.overflow_x, styles.overflow_y
    viewport = widget.container_size
    if (not widget.is_mounted or not viewport or (overflow_x == "auto" and overflow_y == "auto")
            or _shown(overflow_x, size.width, viewport.width) != widget.show_horizontal_scrollbar
            or _shown(overflow_y, size.height, viewport.height) != widget.show_vertical_scrollbar):
        widget.virtual_size = size  # a layout pass, as Textual would do
        return
    widget.set_reactive(ScrollView.virtual_size, size)
    if widget.show_vertical_scrollbar:
        widget.vertical_scrollbar.window_virtual_size = size.height
    if widget.show_horizontal_scrollbar:
        widget.horizontal_scrollbar.window_virtual_size = size.width
