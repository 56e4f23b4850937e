"""Shown instead of the dashboard when no API key is configured."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Center, Middle
from textual.widgets import Footer, Static


def no_key_text(config_path: str) -> Text:
    text = Text()
    text.append("No API key\n\n", style="bold")
    text.append("axom-tui reads your Fusion key from the environment or the config file:\n\n")
    text.append("  export AXOM_KEY=axom_live_…\n", style="bold")
    text.append("  axom-tui\n\n", style="bold")
    text.append('or put  key = "axom_live_…"  in\n')
    text.append(f"  {config_path}\n", style="bold")
    text.append("(the file must be readable by you only: chmod 600).\n\n")
    text.append("Create a key with the ", style="")
    text.append("read", style="bold")
    text.append(" scope (and ")
    text.append("models", style="bold")
    text.append(" to download) in the Axom console.\n\n")
    text.append("Just looking? ", style="bold")
    text.append("axom-tui --demo", style="bold reverse")
    text.append(" runs the dashboard against the built-in simulator.")
    return text


class NoKeyApp(App):
    BINDINGS = [
        Binding("q,escape", "quit", "Quit", id="quit"),
        Binding("S", "screenshot", "Screenshot", id="screenshot", show=False),
    ]
    CSS = """
    Screen { align: center middle; }
    #box { width: 76; max-width: 100%; height: auto; border: thick $warning; padding: 1 2; }
    """

    def __init__(self, config_path: str) -> None:
        super().__init__()
        self.config_path = config_path

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        path = self.save_screenshot(filename, path or ".")
        self.notify(f"Saved {path}", title="Screenshot", markup=False)

    def get_driver_class(self):
        from axom_tui.ui.session import quiet_driver_class

        return quiet_driver_class(super().get_driver_class())

    def compose(self) -> ComposeResult:
        with Middle(), Center():
            yield Static(no_key_text(self.config_path), id="box")
        yield Footer()
