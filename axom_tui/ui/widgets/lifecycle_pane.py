"""The lifecycle pane's part of the chart's cursor: the phase a moment falls in, and
Enter on a phase (a preemption, a resume, a checkpoint) to put the cursor there.

:class:`LifecyclePane` is the scrolling :class:`~axom_tui.ui.widgets.timeline.Timeline`
(one body line per phase, in order) plus:

* a highlight on the phase containing the chart cursor's moment (in the log pane's mark
  colour), shown wherever the pane is scrolled;
* while focused, a selected phase (reverse video): the pane's own keys move it (j/k,
  ↑/↓, g/G; the view scrolls along as it did), and ``Enter`` (``lifecycle.to_chart``)
  sends its start to the chart as :class:`PhasePicked`.
"""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.color import Color, ColorParseError
from textual.message import Message

from axom_tui.ui.widgets.timeline import Timeline
from axom_tui.view.lifecycle import Phase, build_lifecycle


class PhasePicked(Message):
    """Put the chart's cursor at ``ts`` (epoch s): the start of a phase."""

    def __init__(self, ts: float, status: str) -> None:
        super().__init__()
        self.ts = ts
        self.status = status


class LifecyclePane(Timeline):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "to_chart",
            "Chart here",
            id="lifecycle.to_chart",
            tooltip="Put the chart's cursor at the selected phase's start",
        ),
    ]

    def __init__(self, *, ascii_mode: bool = False, id: str | None = None) -> None:
        super().__init__(ascii_mode=ascii_mode, id=id)
        self.moment_ts: float | None = None
        self._selected: int | None = None  # index of the selected phase (while focused)
        self._phases: list[Phase] = []

    # ------------------------------------------------------------------ the moment

    def show_moment(self, ts: float | None) -> None:
        """Highlight the phase that contains ``ts`` (None: no highlight)."""
        if ts != self.moment_ts:
            self.moment_ts = ts
            self._rebuild()

    def phase_at(self, ts: float) -> Phase | None:
        """The phase that contains ``ts``: the last one that started at or before it."""
        k = self._phase_index(ts)
        return self._phases[k] if k is not None else None

    def _phase_index(self, ts: float) -> int | None:
        found = None
        for k, phase in enumerate(self._phases):
            if phase.start is not None and phase.start.timestamp() <= ts:
                found = k
        return found

    @property
    def phases(self) -> list[Phase]:
        """The phases listed, in order (phase k starts on body line ``phase_rows[k]``)."""
        return self._phases

    @property
    def selected(self) -> Phase | None:
        k = self._selected
        return self._phases[k] if k is not None and 0 <= k < len(self._phases) else None

    # ------------------------------------------------------------------ drawing

    def _render_parts(self, width: int) -> tuple[list[Text], list[Text], int | None, int]:
        header, body, anchor, earlier = super()._render_parts(width)
        self._phases = build_lifecycle(self._events, self._job).phases if self._job else []
        rows = self.phase_rows  # phase k starts on body line rows[k]
        count = min(len(self._phases), len(rows))
        at = self._phase_index(self.moment_ts) if self.moment_ts is not None else None
        variables = self.app.theme_variables
        mark = _mix(variables.get("background"), variables.get("secondary"), 0.3)
        if at is not None and at < count and mark is not None:
            body[rows[at]] = body[rows[at]].copy()
            body[rows[at]].stylize(Style(bgcolor=mark))
        k = self._selected
        if self.has_focus and k is not None and 0 <= k < count:
            body[rows[k]] = body[rows[k]].copy()
            body[rows[k]].stylize(Style(reverse=True))
        return header, body, anchor, earlier

    def on_focus(self) -> None:
        if self._selected is None or self._selected >= len(self._phases):
            at = self._phase_index(self.moment_ts) if self.moment_ts is not None else None
            self._selected = at if at is not None else max(0, len(self._phases) - 1)
        self._rebuild()
        super().on_focus()

    def on_blur(self) -> None:
        self._rebuild()
        super().on_blur()

    # ------------------------------------------------------------------ keys
    # The pane's own keys (j/k, arrows, g/G) move the selection; the view scrolls to keep
    # it in sight, as it scrolled by a line before.

    def _select(self, k: int) -> None:
        if not self._phases:
            return
        self._selected = max(0, min(len(self._phases) - 1, k))
        row = self._row_of(self._selected)
        top = int(self.scroll_offset.y)
        rows = self._body_rows
        if row < top:
            self._user_scroll(row)
        elif row >= top + rows:
            self._user_scroll(row - rows + 1)
        self._rebuild()

    def _row_of(self, k: int) -> int:
        """The body line phase ``k`` starts on."""
        return self.phase_rows[k] if 0 <= k < len(self.phase_rows) else k

    def action_line_down(self) -> None:
        if self._selected is None:
            super().action_line_down()
        else:
            self._select(self._selected + 1)

    def action_line_up(self) -> None:
        if self._selected is None:
            super().action_line_up()
        else:
            self._select(self._selected - 1)

    def action_top(self) -> None:
        super().action_top()
        if self._phases:
            self._selected = 0
            self._rebuild()

    def action_bottom(self) -> None:
        super().action_bottom()
        if self._phases:
            self._selected = len(self._phases) - 1
            self._rebuild()

    def action_to_chart(self) -> None:
        phase = self.selected
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
