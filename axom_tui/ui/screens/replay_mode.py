"""Replay on the dashboard: one moment of a finished run, every pane drawn as of then.

``R`` enters it on the selected run once that run has finished (a bundle opened with
``axom-tui open``, or any finished run whose history the store holds, from the cache or
fetched). What each pane shows comes from :class:`~axom_tui.view.replay.RunReplay` (no
Textual); this module hands it to the panes:

* the job list's row and the run summary: the run as of then (``run_as_of``);
* the chart: only the points logged by then, on the whole run's x axis, the cursor on
  the last of them (``CursorChart.cut``);
* the log pane: the lines logged by then, at their tail;
* the lifecycle: the phases the events had reached, the moment's phase highlighted;
* the result card: hidden until the run had ended.

While replaying, ``[``/``]`` step by event and ``,``/``.`` (``{``/``}``: ten times as
far) by time wherever focus is; moving the chart's cursor, Enter on a log line or on a
phase, and a click on the scrubber move the moment too. ``Esc`` or ``R`` leave it.
"""

from __future__ import annotations

from itertools import islice
from typing import TYPE_CHECKING, Any

from axom_tui.ui.widgets.cursor_chart import CursorChart
from axom_tui.ui.widgets.header_bar import HeaderBar
from axom_tui.ui.widgets.job_table import JobTable
from axom_tui.ui.widgets.lifecycle_pane import LifecyclePane
from axom_tui.ui.widgets.log_view import LogView
from axom_tui.ui.widgets.replay_bar import ReplayBar
from axom_tui.ui.widgets.result_card import ResultCard
from axom_tui.ui.widgets.run_summary import RunSummary

if TYPE_CHECKING:
    from textual.screen import Screen

    from axom_tui.store.run_state import RunState
    from axom_tui.store.run_store import RunStore
    from axom_tui.view.replay import RunReplay


def why_not(run: RunState | None) -> str | None:
    """Why the run cannot be replayed (None: it can)."""
    if run is None or run.job is None:
        return "Replay: choose a run first."
    if not run.job.terminal:
        return (
            f"Replay needs a finished run: this one is {run.job.status}. "
            "Its history so far is on the chart (C) and in the logs."
        )
    if not len(run.metrics) and not run.events and not len(run.logs):
        return "Replay: nothing is held for this run yet (its history is still loading)."
    return None


def build_replay(run: RunState) -> RunReplay:
    from axom_tui.charting.timeaxis import TimeCache
    from axom_tui.view.replay import POINT_SLACK, RunReplay

    assert run.job is not None
    series = run.metrics
    stamps: Any = series.times  # a StepTimes is the chart's Stamps (arrays, not lists)
    times = TimeCache().update(series.steps, stamps) if len(series) else None
    line_times = [line.ts.timestamp() if line.ts else None for line in run.logs]
    slack = max(POINT_SLACK, 2 * series.times.max_error)
    return RunReplay(run.job, run.events, series.steps, times, line_times, slack)


class ReplayMode:
    """The screen's replay: which run, which moment, and drawing the panes as of it."""

    def __init__(self, screen: Screen, store: RunStore) -> None:
        self.screen = screen
        self.store = store
        self.job_id: str | None = None
        self.replay: RunReplay | None = None
        self.ts: float | None = None
        self._lines_shown: int | None = None
        self._version: int | None = None

    @property
    def active(self) -> bool:
        return self.replay is not None

    def _run(self) -> RunState | None:
        return self.store.runs.get(self.job_id) if self.job_id is not None else None

    # ------------------------------------------------------------ in and out

    def enter(self, job_id: str | None) -> str | None:
        """Replay ``job_id`` from its last moment; the reason if it cannot be."""
        run = self.store.runs.get(job_id) if job_id is not None else None
        reason = why_not(run)
        if reason is not None or run is None:
            return reason
        self.job_id = run.job_id
        self.replay = build_replay(run)
        self._version = run.version
        self._lines_shown = None
        self.screen.query_one(ReplayBar).display = True
        self.move_to(self.replay.end)
        return None

    def leave(self) -> None:
        """Back to the whole run as the store holds it (the screen redraws the panes)."""
        job_id = self.job_id
        self.replay = self.job_id = self.ts = None
        screen = self.screen
        screen.query_one(ReplayBar).display = False
        table = screen.query_one(JobTable)
        table.as_of.clear()
        if job_id is not None:
            table.sync({job_id})
        chart = screen.query_one(CursorChart)
        chart.cut = None
        chart.clear_cursor(post=False)
        lifecycle = screen.query_one(LifecyclePane)
        lifecycle.now_label = "now"
        lifecycle.show_moment(None)
        run = self.store.runs.get(job_id) if job_id else None
        log = screen.query_one(LogView)
        log.status_line.show_as_of(None)
        log.set_lines(list(run.logs) if run else [])
        screen.query_one(HeaderBar).show_replay(None)

    def data_changed(self) -> None:
        """The store has more of the run (a bundle still loading): same moment, more data."""
        run = self._run()
        if run is None or run.job is None or self.ts is None:
            return
        if run.version != self._version:
            self._version = run.version
            self.replay = build_replay(run)
            self._lines_shown = None
            self.move_to(self.ts)

    # ------------------------------------------------------------ moving

    def step_event(self, direction: int) -> str | None:
        """To the next (or previous) mark; what to say when there is none."""
        replay, ts = self.replay, self.ts
        if replay is None or ts is None:
            return None
        mark = replay.next_mark(ts) if direction > 0 else replay.prev_mark(ts)
        if mark is None:
            return "The run's last event." if direction > 0 else "The run's first moment."
        self.move_to(mark.ts)
        return None

    def step_time(self, shares: float) -> None:
        from axom_tui.view.replay import TIME_STEP

        if self.replay is not None and self.ts is not None:
            self.move_to(self.replay.by_time(self.ts, shares * TIME_STEP))

    def to_fraction(self, fraction: float) -> None:
        if self.replay is not None:
            self.move_to(self.replay.at_fraction(fraction))

    def move_to(self, ts: float, *, chart_cursor: bool = True) -> None:
        """Draw every pane as of ``ts`` (clamped to the run)."""
        replay, run = self.replay, self._run()
        if replay is None or run is None:
            return
        ts = self.ts = replay.clamp(ts)
        self._draw(run, replay, ts, chart_cursor)

    def _draw(self, run: RunState, replay: RunReplay, ts: float, chart_cursor: bool) -> None:
        from axom_tui.view import format as fmt
        from axom_tui.view.replay import as_datetime
        from axom_tui.view.replay_state import run_as_of

        screen = self.screen
        then = run_as_of(run, replay, ts)
        job = then.job
        assert job is not None
        moment = as_datetime(ts)
        table = screen.query_one(JobTable)
        table.as_of = {run.job_id: (then, moment)}
        table.sync({run.job_id})
        screen.query_one(RunSummary).show(then, marked=run.job_id in table.marked)
        self._draw_chart(replay, ts, chart_cursor)
        self._draw_logs(run, replay, ts)
        lifecycle = screen.query_one(LifecyclePane)
        lifecycle.now_label = "then"
        lifecycle.show(job, then.events, lambda: moment, None)
        lifecycle.show_moment(ts)
        model = self.store.model_for_job(job.id) if then.result is not None else None
        screen.query_one(ResultCard).show(job, then.result, model.name if model else None)
        screen.query_one(ReplayBar).show(replay, ts, job.status, job.latest_step)
        clock = fmt.clock_time(moment)
        screen.query_one(HeaderBar).show_replay(clock)
        screen.query_one(LogView).status_line.show_as_of(clock)

    def _draw_chart(self, replay: RunReplay, ts: float, chart_cursor: bool) -> None:
        chart = self.screen.query_one(CursorChart)
        cut = replay.points_at(ts)
        chart.cut = cut
        if cut == 0:  # said only when the chart is empty
            chart.cut_note = (
                "no point by this moment: the steps re-sent after a preemption replaced them"
                if replay.resent_later(ts)
                else "no point logged by this moment"
            )
        step = replay.step_at(ts)
        if chart_cursor and step is not None:
            chart.cursor_to_step(step, post=False)  # redraws (the cut changed) or recomposes
        else:
            if step is None:
                chart.clear_cursor(post=False)
            chart.redraw()

    def _draw_logs(self, run: RunState, replay: RunReplay, ts: float) -> None:
        """The lines logged by then: the pane holds a prefix of the run's ring (all of it
        when replay starts), cut back or extended to the moment's count."""
        log = self.screen.query_one(LogView)
        count = replay.lines_at(ts)
        if self._lines_shown is None:
            log.set_lines(run.logs)
            self._lines_shown = log.line_count
        held = self._lines_shown
        if count < held:
            log.keep_first(count)
        elif count > held:
            log.append(islice(run.logs, held, count))
            log.flush()
        self._lines_shown = count
        log.moment.show(ts, pause=False)
