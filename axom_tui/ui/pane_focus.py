"""Focus keys that never send keys to a pane the user cannot see.

At 80 columns the lifecycle pane is hidden (the chart gets its room) and at 15 rows the
log pane falls below the screen. A focus key for such a pane maximizes it instead, so
the keys that follow act on something visible; ``z`` or Esc puts it back. When a resize
hides the focused pane, focus moves to the job list, which every layout shows.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widget import Widget


def is_shown(widget: Widget) -> bool:
    """Whether any cell of ``widget`` was on screen in the last layout."""
    try:
        visible = widget.screen._compositor.visible_widgets
    except Exception:  # not mounted, or the screen is going away
        return False
    entry = visible.get(widget)
    if entry is None:
        return False
    region, clip = entry
    return region.intersection(clip).area > 0


def focus_pane(screen: Screen, widget: Widget) -> bool:
    """Focus ``widget``; if it is hidden, maximize it first. True if it was maximized."""
    if is_shown(widget):
        widget.focus()
        return False
    screen.maximized = widget
    widget.focus()
    return True
