"""The dashboard's moment: one cursor, many panes, and replay (``R``).

The chart's cursor is a moment of the selected run; the log pane shows the lines logged
nearest it, the lifecycle the phase it falls in; either can move it. In replay
(:mod:`~axom_tui.ui.screens.replay_mode`) the moment is the whole dashboard's: every
pane is drawn as of it, and the same moves (the chart's cursor, Enter on a log line or a
phase, a click on the scrubber) move it.

A mixin of :class:`~axom_tui.ui.screens.dashboard.DashboardScreen`: its handlers are
named ``on_<message>`` (Textual finds those on any class of the screen's MRO).

Replay's keys are priority bindings of the screen, so ``[``/``]`` step by event wherever
focus is (the log pane's "previous/next error" and the chart's pan are theirs again
when replay ends); outside replay, and while typing in an input, they give way
(``check_action``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.binding import Binding, BindingType
from textual.widgets import Input

from axom_tui.ui.widgets.cursor_chart import CursorChart
from axom_tui.ui.widgets.job_table import JobTable
from axom_tui.ui.widgets.lifecycle_pane import LifecyclePane, PhasePicked
from axom_tui.ui.widgets.log_moment import MomentPicked
from axom_tui.ui.widgets.log_view import LogView
from axom_tui.ui.widgets.replay_bar import ReplayBar

if TYPE_CHECKING:
    from axom_tui.ui.screens.replay_mode import ReplayMode

REPLAY_ACTIONS = frozenset({"replay_event", "replay_time", "replay_leave"})

REPLAY_BINDINGS: list[BindingType] = [
    Binding(
        "R",
        "replay",
        "Replay",
        id="replay",
        show=False,
        tooltip="Replay the selected finished run, every pane as of a moment (R again: back)",
    ),
    Binding(
        "left_square_bracket",
        "replay_event(-1)",
        "Event",
        id="replay.event.prev",
        key_display="[/]",
        priority=True,
        tooltip="Event before (status change, checkpoint, preemption, error; ] the next)",
    ),
    Binding(
        "right_square_bracket",
        "replay_event(1)",
        "Next event",
        id="replay.event.next",
        show=False,
        priority=True,
        tooltip="Next event",
    ),
    Binding(
        "comma",
        "replay_time(-1)",
        "Time",
        id="replay.time.back",
        key_display=",/.",
        priority=True,
        tooltip="Time back: 1/200 of the run (. on)",
    ),
    Binding(
        "full_stop",
        "replay_time(1)",
        "Time on",
        id="replay.time.on",
        show=False,
        priority=True,
        tooltip="Time on: 1/200 of the run",
    ),
    Binding(
        "left_curly_bracket",
        "replay_time(-10)",
        "Back 1/20",
        id="replay.time.back10",
        show=False,
        priority=True,
        tooltip="Back 1/20 of the run (} on)",
    ),
    Binding(
        "right_curly_bracket",
        "replay_time(10)",
        "On 1/20",
        id="replay.time.on10",
        show=False,
        priority=True,
        tooltip="On 1/20 of the run",
    ),
    Binding(
        "escape",
        "replay_leave",
        "Exit replay",
        id="replay.leave",
        priority=True,
        tooltip="Leave replay: the whole run again (R too)",
    ),
]


class ReplayKeys:
    """Replay's keys, for the help screen's section (the dashboard binds them)."""

    BINDINGS = REPLAY_BINDINGS


class DashboardMoment:
    """The moment's handlers and replay's actions (mixed into the dashboard screen)."""

    replay: ReplayMode
    selected: str | None

    # The screen's own (this is a mixin of a Screen).
    query_one: Any
    focused: Any
    notify: Any
    refresh_bindings: Any

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in REPLAY_ACTIONS:
            return self.replay.active and not isinstance(self.focused, Input)
        return True

    # ------------------------------------------------------------ one cursor, many panes

    def on_cursor_chart_cursor_moved(self, message: CursorChart.CursorMoved) -> None:
        moment = message.moment
        ts = moment.ts if moment is not None else None
        if self.replay.active:
            if message.by_user and ts is not None:
                self.replay.move_to(ts, chart_cursor=False)  # the cursor is there already
            return
        following = message.chart.explorer.following
        self.query_one(LogView).moment.show(ts, pause=not following)
        self.query_one(LifecyclePane).show_moment(ts)

    def on_cursor_chart_left(self, _message: CursorChart.Left) -> None:
        self.query_one(JobTable).focus()

    def on_moment_picked(self, message: MomentPicked) -> None:
        self._to_moment(message.ts)

    def on_phase_picked(self, message: PhasePicked) -> None:
        self._to_moment(message.ts)

    def _to_moment(self, ts: float) -> None:
        if self.replay.active:
            self.replay.move_to(ts)
        elif self.query_one(CursorChart).cursor_to_time(ts) is None:
            self.notify("The chart has no times for this run's points.", timeout=3)

    # ------------------------------------------------------------ replay

    def action_replay(self) -> None:
        if self.replay.active:
            self.action_replay_leave()
            return
        reason = self.replay.enter(self.selected)
        if reason is not None:
            self.notify(reason, timeout=4)
            return
        self.refresh_bindings()  # the footer shows replay's keys now (and the bar says them)

    def action_replay_leave(self) -> None:
        self.replay.leave()
        self.refresh_bindings()
        self.show_whole_run()

    def action_replay_event(self, direction: int) -> None:
        note = self.replay.step_event(direction)
        if note:
            self.notify(note, timeout=1.5)

    def action_replay_time(self, shares: float) -> None:
        self.replay.step_time(shares)

    def on_replay_bar_scrubbed(self, message: ReplayBar.Scrubbed) -> None:
        self.replay.to_fraction(message.fraction)

    def show_whole_run(self) -> None:
        """The panes as the store holds the run (the screen's)."""
        raise NotImplementedError
