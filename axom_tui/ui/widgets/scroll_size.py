"""Growing a line-API widget's scrollable area without a whole-screen layout.

:func:`scrollbars_for` restates Textual's scrollbar rules and :func:`set_virtual_size`
does by hand what the layout would do with the scrollbars. This follows Textual 8.2.8;
``tests/test_upstream_copies.py`` fails when the installed Textual's version of either
differs.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.scroll_view import ScrollView

UPSTREAM_VERSION = "textual 8.2.8"
#: What this module restates or bypasses, by digest of its source.
UPSTREAM: dict[str, tuple[str, str]] = {
    "textual.widget:Widget._refresh_scrollbars": (
        "fdade1c0d65ead74",
        "scrollbars_for restates these rules: port the change",
    ),
    "textual.widget:Widget._arrange_scrollbars": (
        "8962339d16e7ca5c",
        "set_virtual_size sets window_virtual_size as this does",
    ),
    "textual.scroll_view:ScrollView._size_updated": (
        "e8627feeeef443a8",
        "what a layout pass does with a new virtual size",
    ),
}


def scrollbars_for(widget: ScrollView, size: Size) -> tuple[bool, bool] | None:
    """(horizontal, vertical) scrollbars Textual would show for a virtual ``size``, by the
    rules of ``Widget._refresh_scrollbars``; None when both axes are ``auto`` (those rules
    then depend on the widget's history)."""
    styles = widget.styles
    overflow_x, overflow_y = styles.overflow_x, styles.overflow_y
    if overflow_x == "auto" and overflow_y == "auto":
        return None
    width, height = widget.container_size
    show_x = overflow_x == "scroll" or (overflow_x == "auto" and size.width > width)
    show_y = overflow_y == "scroll" or (overflow_y == "auto" and size.height > height)
    if overflow_x == "auto" and show_y and not show_x:
        show_x = size.width > width - styles.scrollbar_size_vertical
    if overflow_y == "auto" and show_x and not show_y:
        show_y = size.height > height - styles.scrollbar_size_horizontal
    return show_x, show_y


def set_virtual_size(widget: ScrollView, size: Size) -> None:
    """Set ``widget.virtual_size``; quietly when neither scrollbar appears or goes.

    The reactive lays out the whole screen on every change (about 30 ms on a dashboard),
    though nothing outside the widget moves unless a scrollbar is shown or hidden. So
    when both stay as they are, only the scrollbars' extents (and a scroll position now
    past the end) are updated.
    """
    if size == widget.virtual_size:
        return
    shown = scrollbars_for(widget, size) if widget.is_mounted and widget.container_size else None
    if shown != (widget.show_horizontal_scrollbar, widget.show_vertical_scrollbar):
        widget.virtual_size = size  # a layout pass, as Textual would do
        return
    widget.set_reactive(ScrollView.virtual_size, size)
    if widget.show_vertical_scrollbar:
        widget.vertical_scrollbar.window_virtual_size = size.height
    if widget.show_horizontal_scrollbar:
        widget.horizontal_scrollbar.window_virtual_size = size.width
    if widget.scroll_y > widget.max_scroll_y or widget.scroll_x > widget.max_scroll_x:
        widget.scroll_to(
            min(widget.scroll_x, widget.max_scroll_x),
            min(widget.scroll_y, widget.max_scroll_y),
            animate=False,
            force=True,
        )
