"""The footer with ``? Help`` and ``q Quit`` first, so a narrow terminal never cuts them.

Textual's footer lists the focused widget's keys, then the screen's, then the app's, and
cuts whatever passes the right edge: at 120 columns ``q Quit  ? Help`` were the first to
go. The keys that explain everything else (help) and end the app come first here; the
rest keep their order.
"""

from __future__ import annotations

from collections.abc import Iterator

from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

FIRST = ("help", "quit")  # actions that are never cut off
PALETTE_LABEL = "palette"


class AxomFooter(Footer):
    def compose(self) -> Iterator[Widget]:
        if not self._bindings_ready:
            return
        active = self.screen.active_bindings
        by_action: dict[str, tuple[Binding, bool, str]] = {}
        for _node, binding, enabled, tooltip in active.values():
            if binding.show:
                by_action.setdefault(binding.action, (binding, enabled, tooltip))
        ordered = sorted(by_action.values(),
                         key=lambda item: FIRST.index(item[0].action)
                         if item[0].action in FIRST else len(FIRST))
        self.styles.grid_size_columns = len(ordered)
        for binding, enabled, tooltip in ordered:
            yield FooterKey(binding.key, self.app.get_key_display(binding), binding.description,
                            binding.action, disabled=not enabled,
                            tooltip=tooltip).data_bind(compact=Footer.compact)
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            palette = active.get(self.app.COMMAND_PALETTE_BINDING)
            if palette is not None:
                _node, binding, enabled, _tooltip = palette
                yield FooterKey(binding.key, self.app.get_key_display(binding), PALETTE_LABEL,
                                binding.action, classes="-command-palette",
                                disabled=not enabled,
                                tooltip=binding.tooltip or binding.description)
