"""The replay scrubber: two lines over the dashboard while it shows a finished run as of
a moment (``R``).

Line 1: ``REPLAY`` (reversed, so nobody takes it for live), the moment as clock time,
elapsed since the run's start and the last step logged by then, the run's status then
and the mark (event) the moment is on. Line 2: the run from start to end, its marks as
ticks in their status colour, the handle at the moment; a click on it moves the moment
there (:class:`ReplayBar.Scrubbed`). It is handed what to show by its screen.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual import events
from textual.message import Message

from axom_tui.base.glyphs import ascii_on
from axom_tui.ui.status_style import status_colour, status_text
from axom_tui.ui.widgets.text_lines import TextLines
from axom_tui.view import format as fmt

if TYPE_CHECKING:
    from axom_tui.view.replay import RunReplay

KEYS = "[ ] event  , . time  { } ×10  esc exit replay"


class ReplayBar(TextLines):
    DEFAULT_CSS = """
    ReplayBar { height: 2; padding: 0 1; background: $boost; display: none; }
    """

    class Scrubbed(Message):
        """A click on the bar: the moment ``fraction`` (0..1) of the way through the run."""

        def __init__(self, fraction: float) -> None:
            super().__init__()
            self.fraction = fraction

    def __init__(self, *, ascii_mode: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.ascii_mode = ascii_mode
        self.moment: float | None = None  # what is shown (tests)
        self._shown: tuple[RunReplay, float, str, int | None] | None = None

    def show(self, replay: RunReplay, ts: float, status: str, step: int | None) -> None:
        self.moment = ts
        self._shown = (replay, ts, status, step)
        width = max(20, self.content_region.width or self.app.size.width - 2)
        self.set_lines([self._info(replay, ts, status, step, width), self._bar(replay, ts, width)])

    def _info(
        self, replay: RunReplay, ts: float, status: str, step: int | None, width: int
    ) -> Text:
        variables = self.app.theme_variables
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(" REPLAY ", style=Style(reverse=True, bold=True))
        when = datetime.fromtimestamp(ts, UTC)
        text.append(f" {fmt.clock_time(when)}", style="bold")
        approx = "~" if ascii_on() else "≈"
        text.append(f"  +{fmt.duration(ts - replay.start)}")
        text.append(f" of {fmt.duration(replay.end - replay.start)}", style="dim")
        shown = "—" if step is None else f"{step:,}"
        text.append(f"  step {approx if replay.estimated and step is not None else ''}{shown}")
        text.append("  ")
        text.append_text(status_text(status, variables, self.ascii_mode))
        mark = replay.mark_at(ts)
        if mark is not None and mark.kind not in ("start", "end"):
            text.append(f"  {'>' if ascii_on() else '⚑'} {mark.label}", style="bold")
        if width - text.cell_len > len(KEYS) + 4:
            text.append(" " * (width - text.cell_len - len(KEYS)))
            text.append(KEYS, style="dim")
        return text

    def _bar(self, replay: RunReplay, ts: float, width: int) -> Text:
        variables = self.app.theme_variables
        cells = max(2, width)
        track, tick, handle = ("-", "|", "#") if ascii_on() else ("─", "┃", "█")
        row = [track] * cells
        styles: list[Style | None] = [None] * cells
        for mark in replay.marks:
            col = self._column(replay.fraction(mark.ts), cells)
            row[col] = tick
            if mark.status is not None:
                styles[col] = Style(color=status_colour(mark.status, variables))
        at = self._column(replay.fraction(ts), cells)
        text = Text(no_wrap=True)
        dim = Style(dim=True)
        for col, glyph in enumerate(row):
            if col == at:
                text.append(handle, style=Style(bold=True, color=variables.get("accent")))
            elif col < at:
                text.append(glyph, style=styles[col] or Style(color=variables.get("primary")))
            else:
                text.append(glyph, style=styles[col] or dim)
        return text

    def on_resize(self) -> None:
        if self._shown is not None and self.display:
            self.show(*self._shown)  # the track spans the width

    @staticmethod
    def _column(fraction: float, cells: int) -> int:
        return min(cells - 1, max(0, round(fraction * (cells - 1))))

    def on_click(self, event: events.Click) -> None:
        width = self.content_region.width
        offset = event.get_content_offset(self)
        if width < 2 or offset is None:
            return
        event.stop()
        self.post_message(self.Scrubbed(min(1.0, max(0.0, offset.x / (width - 1)))))
