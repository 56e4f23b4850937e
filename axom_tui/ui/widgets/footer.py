"""The footer with ``? Help`` and ``q Quit`` first, so a narrow terminal never cuts them
(and, while replaying, replay's keys next).

Textual's footer lists the focused widget's keys, then the screen's, then the app's, and
cuts whatever passes the right edge: at 120 columns ``q Quit  ? Help`` were the first to
go. The keys that explain everything else (help) and end the app come first here; the
rest keep their order, and those that do not fit are left out whole (from the end)
rather than one of them cut mid-word.
"""

from __future__ import annotations

from collections.abc import Iterator

from rich.cells import cell_len
from textual import events
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

FIRST = ("help", "quit")  # actions that are never cut off
PALETTE_LABEL = "palette"
REPLAY_PREFIX = "replay_"


def _rank(action: str) -> int:
    """Help and quit first; then replay's keys, while replaying (they show only then)."""
    if action in FIRST:
        return FIRST.index(action)
    return len(FIRST) if action.startswith(REPLAY_PREFIX) else len(FIRST) + 1


class AxomFooter(Footer):
    def compose(self) -> Iterator[Widget]:
        if not self._bindings_ready:
            return
        active = self.screen.active_bindings
        by_action: dict[str, tuple[Binding, bool, str]] = {}
        for _node, binding, enabled, tooltip in active.values():
            if binding.show:
                by_action.setdefault(binding.action, (binding, enabled, tooltip))
        ordered = sorted(by_action.values(), key=lambda item: _rank(item[0].action))
        palette = None
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        room = self.size.width
        if palette is not None:
            room -= self._entry_width(palette[1], PALETTE_LABEL) + 2  # its border and padding
        shown: list[tuple[Binding, bool, str]] = []
        for entry in ordered:
            room -= self._entry_width(entry[0], entry[0].description)
            if room < 0 and self.size.width:  # width 0: not laid out yet, resize recomposes
                break
            shown.append(entry)
        self.styles.grid_size_columns = len(shown)
        for binding, enabled, tooltip in shown:
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                disabled=not enabled,
                tooltip=tooltip,
            ).data_bind(compact=Footer.compact)
        if palette is not None:
            _node, binding, enabled, _tooltip = palette
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                PALETTE_LABEL,
                binding.action,
                classes="-command-palette",
                disabled=not enabled,
                tooltip=binding.tooltip or binding.description,
            )

    def _entry_width(self, binding: Binding, description: str) -> int:
        """Cells one FooterKey takes: its key and description with their padding (and,
        compact, the margin between keys)."""
        key = cell_len(self.app.get_key_display(binding))
        return key + cell_len(description) + (2 if self.compact else 3)

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != getattr(self, "_composed_width", None):
            self._composed_width = event.size.width
            self.call_after_refresh(self.recompose)
