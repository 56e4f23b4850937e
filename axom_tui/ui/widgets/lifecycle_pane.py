"""The lifecycle pane's part of the chart's cursor: the phase a moment falls in, and
Enter on a phase (a preemption, a resume, a checkpoint) to put the cursor there.

:class:`LifecyclePane` is the :class:`~axom_tui.ui.widgets.timeline.Timeline` plus a
highlight (the phase containing the chart cursor's moment, in the log pane's mark
colour) and, while focused, a selected phase row (↑/↓) that ``Enter``
(``lifecycle.to_chart``) sends to the chart as :class:`PhasePicked` with the phase's
start time.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.color import Color, ColorParseError
from textual.message import Message

from axom_tui.ui.lifecycle import Phase, build_lifecycle
from axom_tui.ui.widgets.timeline import Timeline


class PhasePicked(Message):
    """Put the chart's cursor at ``ts`` (epoch s): the start of a phase."""

    def __init__(self, ts: float, status: str) -> None:
        super().__init__()
        self.ts = ts
        self.status = status


class LifecyclePane(Timeline, can_focus=True):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "select(-1)", "Phase up", id="lifecycle.up", show=False),
        Binding("down", "select(1)", "Phase down", id="lifecycle.down", show=False),
        Binding("enter", "to_chart", "Chart here", id="lifecycle.to_chart"),
    ]
    DEFAULT_CSS = """
    LifecyclePane:focus { background-tint: $foreground 5%; }
    """

    def __init__(self, *, ascii_mode: bool = False, id: str | None = None) -> None:
        super().__init__(ascii_mode=ascii_mode, id=id)
        self.moment_ts: float | None = None
        self._selected: datetime | None = None  # start of the selected phase

    # ------------------------------------------------------------------ the moment

    def show_moment(self, ts: float | None) -> None:
        """Highlight the phase that contains ``ts`` (None: no highlight)."""
        if ts == self.moment_ts:
            return
        self.moment_ts = ts
        self.set_text(self.render_timeline())

    def phase_at(self, ts: float) -> Phase | None:
        """The phase that contains ``ts`` (the last one that started before it), shown or
        folded away."""
        if self._job is None:
            return None
        found = None
        for phase in build_lifecycle(self._events, self._job).phases:
            if phase.start is not None and phase.start.timestamp() <= ts:
                found = phase
        return found

    # ------------------------------------------------------------------ drawing

    def render_timeline(self) -> Text:
        text = super().render_timeline()
        if not self.phase_rows:
            return text
        lines = text.split("\n", allow_blank=True)
        variables = self.app.theme_variables
        mark = _mix(variables.get("background"), variables.get("secondary"), 0.3)
        at = self.phase_at(self.moment_ts) if self.moment_ts is not None else None
        for line, phase in self.phase_rows:
            if line >= len(lines):
                continue
            if at is not None and phase.start == at.start and mark is not None:
                lines[line].stylize(Style(bgcolor=mark))
            if self.has_focus and phase.start is not None and phase.start == self._selected:
                lines[line].stylize(Style(reverse=True))
        return Text("\n").join(lines)

    def on_focus(self) -> None:
        if self._selected is None and self.phase_rows:
            at = self.phase_at(self.moment_ts) if self.moment_ts is not None else None
            self._selected = (at or self.phase_rows[-1][1]).start
        self.set_text(self.render_timeline())

    def on_blur(self) -> None:
        self.set_text(self.render_timeline())

    # ------------------------------------------------------------------ keys

    def action_select(self, delta: int) -> None:
        starts = [phase.start for _line, phase in self.phase_rows if phase.start is not None]
        if not starts:
            return
        k = starts.index(self._selected) if self._selected in starts else len(starts) - 1
        self._selected = starts[max(0, min(len(starts) - 1, k + delta))]
        self.set_text(self.render_timeline())

    def action_to_chart(self) -> None:
        phase = next((p for _line, p in self.phase_rows if p.start == self._selected), None)
        if phase is None or phase.start is None:
            return
        self.post_message(PhasePicked(phase.start.timestamp(), phase.status))


def _mix(base: str | None, other: str | None, amount: float) -> str | None:
    try:
        if not base or not other:
            return None
        mixed = Color.parse(base).blend(Color.parse(other), amount)
    except ColorParseError:
        return None
    return mixed.hex
