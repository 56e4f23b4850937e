"""`q` while downloads run: ask first, and say that they resume next time.

Quitting stops every transfer at once (the ``.part`` files stay, and the next download
of the same model continues from them), which is not what a stray ``q`` should do to a
multi-GB download without a word. ``y`` (or ``q`` again) quits; ``n`` or ``escape`` stays.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static


class QuitConfirmScreen(ModalScreen[bool]):
    """Dismissed with True to quit, False to stay."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,q", "answer(True)", "Quit now", id="quit.confirm"),
        Binding("n,escape", "answer(False)", "Keep running", id="quit.cancel"),
    ]
    DEFAULT_CSS = """
    QuitConfirmScreen { align: center middle; }
    QuitConfirmScreen > Vertical { width: 64; max-width: 95%; height: auto;
                                   border: thick $warning; background: $surface; padding: 1 2; }
    """

    def __init__(self, running: int) -> None:
        super().__init__()
        self.running = running

    def compose(self) -> ComposeResult:
        count = "1 download is" if self.running == 1 else f"{self.running} downloads are"
        with Vertical():
            yield Static(Text(f"{count} still running.", style="bold"))
            yield Static(
                Text(
                    "Quit anyway? They stop now and resume where they left off the "
                    "next time you download the same model (the .part files are "
                    "kept)."
                )
            )
            yield Static(Text("y  quit now      n  keep running", style="dim"))

    def action_answer(self, quit_now: bool) -> None:
        self.dismiss(quit_now)
