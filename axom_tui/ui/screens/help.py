"""`?`: every key binding, generated from the BINDINGS themselves so it never drifts."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


def binding_sections(app_class: type) -> list[tuple[str, list[Binding]]]:
    """The keys of ``app_class`` ("Everywhere") and of each screen and pane, by section."""
    from axom_tui.ui.screens.compare import CompareScreen
    from axom_tui.ui.screens.dashboard import DashboardScreen
    from axom_tui.ui.widgets.cursor_chart import CursorChart
    from axom_tui.ui.widgets.job_table import JobTable
    from axom_tui.ui.widgets.lifecycle_pane import LifecyclePane
    from axom_tui.ui.widgets.log_view import LogView

    sections: list[tuple[str, type]] = [
        ("Everywhere", app_class), ("Dashboard", DashboardScreen), ("Job list", JobTable),
        ("Chart (C to focus)", CursorChart), ("Lifecycle pane", LifecyclePane),
        ("Log pane", LogView), ("Compare view", CompareScreen)]
    out = []
    for title, cls in sections:
        bindings = [b for b in Binding.make_bindings(cls.BINDINGS) if b.description]
        out.append((title, bindings))
    return out


def display_key(binding: Binding, keymap: dict[str, str]) -> str:
    keys = keymap.get(binding.id, binding.key) if binding.id else binding.key
    names = {"question_mark": "?", "slash": "/", "space": "space", "escape": "esc",
             "left": "←", "right": "→", "up": "↑", "down": "↓", "shift+left": "shift+←",
             "shift+right": "shift+→", "plus": "+", "equals_sign": "=", "minus": "-",
             "left_square_bracket": "[", "right_square_bracket": "]"}
    return ", ".join(names.get(k.strip(), k.strip()) for k in keys.split(","))


class HelpScreen(ModalScreen):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 80; max-width: 95%; height: 90%; border: thick $primary;
                                  background: $surface; padding: 0 1; }
    """

    def __init__(self, sections: Sequence[tuple[str, list[Binding]]], keymap: dict[str, str]) -> None:
        super().__init__()
        self.sections = sections
        self.keymap = keymap

    def compose(self) -> ComposeResult:
        keymap = self.keymap
        with VerticalScroll():
            yield Static(Text("axom-tui — keys (esc to close)", style="bold"))
            for title, bindings in self.sections:
                table = Table(title=title, title_justify="left", show_header=False, box=None,
                              padding=(0, 2), expand=True)
                table.add_column(style="bold", width=14, no_wrap=True)
                table.add_column()
                table.add_column(style="dim", no_wrap=True)
                for b in bindings:
                    table.add_row(display_key(b, keymap), b.tooltip or b.description, b.id or "")
                yield Static(table)
            yield Static(Text(
                "Command palette: ctrl+p (go to run …, compare, download, export, themes).\n"
                "Remap any key by id in the config file: [keymap] refresh = \"f5\"",
                style="dim"))

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.app.pop_screen()
