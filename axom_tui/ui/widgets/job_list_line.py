"""One line under the job list: how many runs the account holds, and what its feed lacks.

The list once stopped at 200 of 5,000 runs with no sign, and a job list frozen by one
bad answer looked like any other. Here: "5,000 runs · 38 not finished", "1,400 runs so
far, loading…", "12 of 5,000 match “lora”", and, when ``GET /jobs`` fails or leaves
runs out, the one-line reason (:mod:`axom_tui.ui.feed_problems`). Always one row: a
repaint, never a layout pass.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from axom_tui.base.sanitize import clean_text
from axom_tui.store.vocab import FeedKind
from axom_tui.ui.feed_problems import problem_text
from axom_tui.ui.widgets.text_lines import TextLines

if TYPE_CHECKING:
    from axom_tui.store import RunStore


class JobListLine(TextLines):
    DEFAULT_CSS = """
    JobListLine { height: 1; padding: 0 1; background: $panel; color: $text-muted; }
    """

    def __init__(self, store: RunStore, *, ascii_mode: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.store = store
        self.ascii_mode = ascii_mode
        self.filter_text = ""
        self.shown = 0

    def show(self, shown: int, filter_text: str) -> None:
        self.shown, self.filter_text = shown, filter_text
        self.redraw()

    def redraw(self) -> None:
        if self.is_attached:
            self.set_lines([self.compose_text()])

    def compose_text(self) -> Text:
        store = self.store
        listing = store.listing
        total = len(store.order)
        sep = " | " if self.ascii_mode else " · "
        text = Text(no_wrap=True, overflow="ellipsis")
        if self.filter_text:
            text.append(f"{self.shown:,} of {total:,} match ", style="bold")
            text.append(f"“{clean_text(self.filter_text, 40)}”")
        else:
            text.append(f"{total:,} run{'' if total == 1 else 's'}", style="bold")
        if listing.loading and not listing.complete:
            text.append(" so far, loading…")
        elif listing.truncated:
            text.append(" (a full page, and the server offered no next one)")
        text.append(f"{sep}{len(store.unfinished):,} not finished")
        problem = problem_text(store.global_feeds.get(FeedKind.LIST), FeedKind.LIST)
        if problem is not None:
            variables = self.app.theme_variables
            mark = "! " if self.ascii_mode else "⚠ "
            text.append(sep)
            text.append(mark + problem, style=variables.get("warning", "yellow"))
        return text
