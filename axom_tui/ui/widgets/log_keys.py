"""The log pane's keys: ``LogView.BINDINGS``, each with the id a ``[keymap]`` entry remaps it
by and the description the footer and the help screen (``?``) show.

The actions are ``LogView``'s (``action_<name>``, the scrolling ones
:class:`~axom_tui.ui.widgets.tail_scroll.TailScrollView`'s); which are live at a moment
is its ``check_action``. Scrolling up by any key pauses following; End resumes it.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

LOG_BINDINGS: list[BindingType] = [
    Binding("/", "search", "Search", id="log.search"),
    Binding("n", "next_match", "Next", id="log.next_match"),
    Binding("N", "prev_match", "Prev", id="log.prev_match"),
    Binding("x", "toggle_filter", "Filter", id="log.filter"),
    Binding("w", "toggle_wrap", "Wrap", id="log.wrap"),
    Binding("f", "toggle_follow", "Follow", id="log.follow"),
    Binding("end,G", "scroll_end", "Tail", id="log.end", show=False),
    Binding("j", "scroll_down", "Scroll down", id="log.down", show=False),
    Binding("k", "scroll_up", "Scroll up (pauses)", id="log.up", show=False),
    Binding("g", "scroll_home", "First line (pauses)", id="log.home", show=False),
    Binding("t", "toggle_timestamps", "Times", id="log.timestamps"),
    Binding("c", "copy", "Copy", id="log.copy"),
    Binding("]", "next_error", "Next error", id="log.next_error", show=False),
    Binding("[", "prev_error", "Previous error", id="log.prev_error", show=False),
    Binding("space", "toggle_mark", "Mark line", id="log.mark", show=False),
    Binding("U", "clear_marks", "Unmark all", id="log.clear_marks", show=False),
    Binding("W", "save_log", "Save log to file", id="log.save", show=False),
    Binding(
        "enter",
        "to_chart",
        "Chart here",
        id="log.to_chart",
        tooltip="Put the chart's cursor at the current line's moment",
    ),
    Binding("escape", "clear_search", "Clear search", id="log.clear_search", show=False),
]
