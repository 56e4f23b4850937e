"""The main screen: job list, the selected run's lifecycle, chart, result and logs."""

from __future__ import annotations

import math
from time import monotonic
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input

from axom_tui.charting.spec import WAITING
from axom_tui.store.changes import ChangeSet
from axom_tui.store.csv_export import safe_file_stem
from axom_tui.store.vocab import FeedKind, GlobalAspect, RunAspect
from axom_tui.ui.chart_keys import next_weight
from axom_tui.ui.connection_text import connection_problem
from axom_tui.ui.feed_problems import run_problem
from axom_tui.ui.messages import (
    CompareRequested,
    DownloadProgressed,
    DownloadRequested,
    ExportRequested,
    StoreChanged,
)
from axom_tui.ui.pane_focus import focus_pane, is_shown
from axom_tui.ui.screens.chart_feed import feed_chart
from axom_tui.ui.screens.dashboard_moment import REPLAY_BINDINGS, DashboardMoment
from axom_tui.ui.screens.replay_mode import ReplayMode
from axom_tui.ui.widgets.cursor_chart import CursorChart
from axom_tui.ui.widgets.downloads_panel import DownloadsPanel
from axom_tui.ui.widgets.footer import AxomFooter
from axom_tui.ui.widgets.header_bar import HeaderBar
from axom_tui.ui.widgets.job_list_line import JobListLine
from axom_tui.ui.widgets.job_table import JobTable
from axom_tui.ui.widgets.lifecycle_pane import LifecyclePane
from axom_tui.ui.widgets.log_view import LogView
from axom_tui.ui.widgets.metric_chart import MetricChart
from axom_tui.ui.widgets.replay_bar import ReplayBar
from axom_tui.ui.widgets.result_card import ResultCard
from axom_tui.ui.widgets.run_summary import RunSummary
from axom_tui.ui.widgets.timeline import Timeline

if TYPE_CHECKING:
    from axom_tui.poll.scheduler import PollScheduler
    from axom_tui.store.run_state import RunState
    from axom_tui.store.run_store import RunStore
    from axom_tui.ui.settings import UiSettings
    from axom_tui.view.derive import ServerClock

ALL_RUN_ASPECTS = frozenset(RunAspect)
TICK_MIN, TICK_MAX = 1.0, 2.0  # bounds of the clock step (elapsed, ETA, time in phase), s
TICK_SLACK = 0.35  # after a flush's tick, the timer waits this much longer than a period


def tick_period(poll_grid: float) -> float:
    """The clock's step, falling on the poll rounds so that it shares their frames: the
    round's period, an even share of a round longer than TICK_MAX, or a whole number of
    rounds shorter than TICK_MIN."""
    if poll_grid <= 0:
        return TICK_MAX
    if poll_grid < TICK_MIN:
        return poll_grid * math.ceil(TICK_MIN / poll_grid)
    return poll_grid / math.ceil(poll_grid / TICK_MAX)


class DashboardScreen(DashboardMoment, Screen):
    BINDINGS = [
        Binding("r", "refresh", "Refresh", id="refresh"),
        Binding("c", "compare", "Compare", id="compare"),
        Binding("d", "download", "Download", id="download"),
        Binding("v", "chart_view", "Chart", id="chart.view"),
        Binding("s", "smoothing", "Smooth", id="chart.smooth"),
        Binding(
            "greater_than_sign", "smooth_more", "More smoothing", id="chart.smooth.more", show=False
        ),
        Binding(
            "less_than_sign", "smooth_less", "Less smoothing", id="chart.smooth.less", show=False
        ),
        Binding("l", "log_scale", "Log scale", id="chart.log"),
        Binding("z", "maximize_pane", "Maximize pane", id="pane.maximize", show=False),
        Binding("e", "export_csv", "Export", id="export"),
        Binding("L", "focus_logs", "Logs", id="focus.logs", show=False),
        Binding("D", "focus_downloads", "Downloads", id="focus.downloads", show=False),
        Binding("J", "focus_jobs", "Jobs", id="focus.jobs", show=False),
        Binding("P", "focus_lifecycle", "Lifecycle", id="focus.lifecycle", show=False),
        Binding("C", "focus_chart", "Chart cursor", id="focus.chart", show=False),
        Binding("escape", "close_filter", "Close filter", id="jobs.filter.close", show=False),
        *REPLAY_BINDINGS,
    ]

    def __init__(
        self,
        store: RunStore,
        scheduler: PollScheduler,
        settings: UiSettings,
        server_clock: ServerClock,
    ) -> None:
        super().__init__(id="dashboard")
        self.store = store
        self.scheduler = scheduler
        self.settings = settings
        self.server_clock = server_clock
        self.selected: str | None = None
        self._ready = False
        self._ticked_at = float("-inf")
        self._tick_timer: Timer | None = None
        self._tick_period = TICK_MAX
        self.replay = ReplayMode(self, store)

    def compose(self) -> ComposeResult:
        settings = self.settings
        ascii_mode = settings.ascii
        yield HeaderBar(self.store, label=settings.label, ascii_mode=ascii_mode, id="header")
        yield ReplayBar(ascii_mode=ascii_mode, id="replay")
        with Vertical(id="jobs-pane"):
            yield Input(
                placeholder="filter runs by name, status or type — Enter to apply, Esc to clear",
                id="job-filter",
            )
            yield JobTable(self.store, self.server_clock, ascii_mode=ascii_mode, id="jobs")
            yield JobListLine(self.store, ascii_mode=ascii_mode, id="jobs-line")
        with Horizontal(id="detail"):
            with Vertical(id="info"):  # the timeline fills what the result card leaves, and scrolls
                yield ResultCard(id="result")
                yield LifecyclePane(ascii_mode=ascii_mode, id="timeline")
            with Vertical(id="chart-pane"):
                yield RunSummary(ascii_mode=ascii_mode, id="summary")
                yield CursorChart(id="chart")
        yield LogView(max_lines=settings.log_cap, save_dir=settings.export_dir, id="logs")
        yield DownloadsPanel(id="downloads")
        yield AxomFooter(show_command_palette=not ascii_mode)

    def on_mount(self) -> None:
        self.query_one("#job-filter", Input).display = False
        chart = self.query_one(MetricChart)
        chart.ascii_mode = self.settings.ascii
        self.query_one(JobTable).focus()
        self._tick_period = tick_period(self.scheduler.policy.poll_grid)
        self._arm_tick(self._tick_period)
        self._ready = True
        self._show_changes(
            ChangeSet(globals={GlobalAspect.LIST, GlobalAspect.CONNECTION, GlobalAspect.OVERVIEW})
        )

    def on_resize(self) -> None:
        self.set_class(self.size.width < 110, "-narrow")  # the job list picks its columns itself
        self.set_class(self.size.height < 32, "-short")
        self.call_after_refresh(self._keep_focus_shown)

    def _keep_focus_shown(self) -> None:
        """Keys never go to a pane the resize hid: focus moves to the job list."""
        focused = self.focused
        if focused is None or self.maximized is not None or is_shown(focused):
            return
        self.query_one(JobTable).focus()

    # ------------------------------------------------------------ data in

    def on_store_changed(self, message: StoreChanged) -> None:
        self._show_changes(message.changes)

    def on_download_progressed(self, message: DownloadProgressed) -> None:
        self.query_one(DownloadsPanel).show(message.snapshot)

    def _show_changes(self, changes: ChangeSet) -> None:
        if not self._ready:
            return  # on_mount catches up with everything held
        try:
            table = self.query_one(JobTable)
        except NoMatches:
            return  # the app is shutting down

        store = self.store
        globals_ = changes.globals
        run_ids = set(changes.run_ids)
        for jid in run_ids:
            run = store.runs.get(jid)
            if run is not None and run.job is not None:
                self.server_clock.observe(run.job)
        if GlobalAspect.LIST in globals_:
            table.sync(None)
        elif run_ids:
            table.sync(run_ids)  # a run joining or leaving the list makes it check all
        health = GlobalAspect.HEALTH in globals_ or any(
            RunAspect.HEALTH in changes.run(jid) for jid in run_ids
        )
        if globals_ & {GlobalAspect.CONNECTION, GlobalAspect.OVERVIEW} or health:
            self.query_one(HeaderBar).redraw()
        if GlobalAspect.CONNECTION in globals_:
            self._show_problem()
        self.query_one(JobListLine).show(table.row_count, table.filter_text)  # one line
        if self.selected is not None:
            aspects = changes.run(self.selected)
            if GlobalAspect.MODELS in globals_:
                aspects = aspects | {RunAspect.RESULT}
            if aspects:
                self._show_selected(aspects)
        self._tick(due_only=True)

    def _show_problem(self) -> None:
        """Panes that would be empty say what keeps them so, and where (ui/connection_text.py)."""
        store = self.store
        base_url = str(getattr(self.scheduler.client, "base_url", "") or "the server")
        problem = connection_problem(store.connection, base_url) if not store.order else None
        table = self.query_one(JobTable)
        if problem != table.problem:
            table.problem = problem
            table.refresh()
            self.query_one(Timeline).show_problem(problem)
            summary = self.query_one(RunSummary)
            summary.problem = problem
            if self.selected is None:
                summary.show(None)
            chart = self.query_one(MetricChart)
            chart.waiting_text = f"no data: {problem.split(': ')[0]}" if problem else WAITING
            chart.redraw()

    def _tick(self, due_only: bool = False) -> None:
        """Move the clock-driven cells (elapsed, ETA, time in phase, the header's freshness).

        The clock steps once a poll round (2 s by default), inside the flush of that
        round's answers, so the clock and the data share one frame. The timer is only the
        fallback for rounds that bring no answers: after a flush's tick it waits a little
        longer than a period, so the next round's flush comes first.
        """
        now = monotonic()
        if due_only and now - self._ticked_at < 0.5 * self._tick_period:
            return
        self._ticked_at = now
        self._arm_tick(self._tick_period + TICK_SLACK if due_only else self._tick_period)
        self.query_one(JobTable).refresh_time_cells()
        self.query_one(Timeline).tick()
        self.query_one(HeaderBar).tick()

    def _arm_tick(self, delay: float) -> None:
        if self._tick_timer is not None:
            self._tick_timer.stop()
        self._tick_timer = self.set_timer(delay, self._tick)

    def _show_selected(self, aspects: frozenset[RunAspect]) -> None:
        store = self.store
        run = store.runs.get(self.selected) if self.selected else None
        table = self.query_one(JobTable)
        if run is not None and aspects & {RunAspect.METRICS, RunAspect.EVENTS}:
            self._feed_chart(run)  # resume points come from both
        if self.replay.active:  # the panes show the moment, not the store's latest
            self.replay.data_changed()
            return
        if aspects & {RunAspect.JOB, RunAspect.METRICS, RunAspect.HEALTH}:
            self.query_one(RunSummary).show(run, marked=self.selected in table.marked)
        if run is None:
            return
        if aspects & {RunAspect.LOGS, RunAspect.HEALTH}:
            self.query_one(LogView).set_feed_problem(run_problem(run, (FeedKind.LOGS,)))
        if RunAspect.LOGS in aspects:
            log = self.query_one(LogView)
            last = log.index.last_seq
            ring = run.logs
            if last is None:
                fresh = list(ring)
            elif ring.last_seq is not None and ring.last_seq > last:
                # seqs only grow, so the new lines are among the last (ring.last_seq - last)
                fresh = [line for line in ring.tail(ring.last_seq - last) if line.seq > last]
            else:
                fresh = []
            if fresh:
                log.append(fresh)
                log.flush()  # sync now: one frame for the whole flush, not one per widget timer
        if aspects & {RunAspect.EVENTS, RunAspect.JOB, RunAspect.HEALTH}:
            self.query_one(Timeline).show(
                run.job,
                run.events,
                self.server_clock.now,
                run_problem(run, (FeedKind.EVENTS, FeedKind.RESULT)),
            )
        if aspects & {RunAspect.RESULT, RunAspect.JOB}:
            model = store.model_for_job(run.job.id) if run.job else None
            self.query_one(ResultCard).show(run.job, run.result, model.name if model else None)

    def _feed_chart(self, run: RunState) -> None:
        feed_chart(self.query_one(MetricChart), run)

    def show_whole_run(self) -> None:
        """After replay: every pane as the store holds the run."""
        self._show_selected(ALL_RUN_ASPECTS - {RunAspect.LOGS})

    def select_run(self, job_id: str | None) -> None:
        if job_id == self.selected:
            return
        if self.replay.active:
            self.replay.leave()  # a moment of another run
            self.refresh_bindings()
        self.selected = job_id
        self.scheduler.focus(job_id)
        self.query_one(CursorChart).clear_cursor()  # a moment of another run
        log = self.query_one(LogView)
        run = self.store.runs.get(job_id) if job_id else None
        log.set_lines(list(run.logs) if run else [])
        job = run.job if run else None
        log.save_name = (
            f"{safe_file_stem(job.display_name)}-{safe_file_stem(job.id[:8])}" if job else "log"
        )
        self._show_selected(ALL_RUN_ASPECTS - {RunAspect.LOGS})

    def go_to_run(self, job_id: str) -> None:
        """Put the job list's cursor on this run (clearing a filter that hides it)."""
        table = self.query_one(JobTable)
        if not table.shows(job_id):
            table.set_filter("")
        table.select(job_id)
        table.focus()

    def notice(self, title: str, body: str, *, error: bool = False) -> None:
        """A run's news, in the header."""
        self.query_one(HeaderBar).notice(title, body, error=error)

    @on(JobTable.RunHighlighted)
    def _on_run_highlighted(self, event: JobTable.RunHighlighted) -> None:
        self.select_run(event.job_id)

    @on(JobTable.RowsInView)
    def _on_rows_in_view(self, event: JobTable.RowsInView) -> None:
        self.scheduler.set_in_view(event.job_ids)

    @on(JobTable.MarksChanged)
    def _on_marks_changed(self, event: JobTable.MarksChanged) -> None:
        self._show_selected(frozenset({RunAspect.JOB}))

    # ------------------------------------------------------------ job filter

    @on(JobTable.FilterRequested)
    def _open_filter(self) -> None:
        box = self.query_one("#job-filter", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#job-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        table = self.query_one(JobTable)
        table.set_filter(event.value.strip())
        self.query_one(JobListLine).show(table.row_count, table.filter_text)

    @on(Input.Submitted, "#job-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        table = self.query_one(JobTable)
        if not event.value.strip():
            event.input.display = False
        table.focus()

    def action_close_filter(self) -> None:
        box = self.query_one("#job-filter", Input)
        if box.display:
            box.value = ""
            box.display = False
            table = self.query_one(JobTable)
            table.set_filter("")
            self.query_one(JobListLine).show(table.row_count, "")
            table.focus()

    # ------------------------------------------------------------ actions

    def action_refresh(self) -> None:
        self.scheduler.refresh_now(self.selected)
        self.notify("Refreshing…", timeout=1.5)

    def action_compare(self) -> None:
        self.post_message(CompareRequested(self.marked_or_selected()))

    def marked_or_selected(self) -> list[str]:
        table = self.query_one(JobTable)
        ids = [jid for jid in table.visible_job_ids() if jid in table.marked]
        if not ids and self.selected:
            ids = [self.selected]
        return ids

    def action_download(self) -> None:
        if self.selected:
            self.post_message(DownloadRequested(self.selected))

    def action_chart_view(self) -> None:
        self.query_one(MetricChart).next_view()

    def action_smoothing(self) -> None:
        chart = self.query_one(MetricChart)
        chart.smoothing = not chart.smoothing

    def action_smooth_more(self) -> None:
        self._set_weight(+1)

    def action_smooth_less(self) -> None:
        self._set_weight(-1)

    def _set_weight(self, step: int) -> None:
        """The EMA's weight, a notch up or down (the chart's header shows it: EMA 0.8)."""
        chart = self.query_one(MetricChart)
        if not chart.smoothing:  # a weight nobody sees: say how to see it instead
            self.notify("Smoothing is off: s turns it on.", timeout=3)
            return
        chart.weight = next_weight(chart.weight, step)
        chart.redraw()

    def action_maximize_pane(self) -> None:
        """The focused pane fills the screen (the chart when nothing else has focus);
        again, or Esc, puts it back."""
        if self.maximized is not None:
            self.minimize()
            return
        focused = self.focused
        if (
            focused is None
            or isinstance(focused, Input)
            or not self.maximize(focused, container=False)
        ):
            self.maximized = self.query_one("#chart-pane")

    def action_log_scale(self) -> None:
        chart = self.query_one(MetricChart)
        chart.log_y = not chart.log_y

    def action_export_csv(self) -> None:
        if self.selected:
            self.post_message(ExportRequested(self.selected))

    def action_focus_logs(self) -> None:
        self._focus_pane(self.query_one(LogView), "log")

    def action_focus_downloads(self) -> None:
        panel = self.query_one(DownloadsPanel)
        if panel.reopen():
            self._focus_pane(panel.query_one("#download-table"), "downloads")
        else:
            self.notify("No downloads yet: press d on a completed run.", timeout=3)

    def action_focus_lifecycle(self) -> None:
        self._focus_pane(self.query_one(Timeline), "lifecycle")

    def on_downloads_panel_closed(self, _message: DownloadsPanel.Closed) -> None:
        self.query_one(JobTable).focus()

    def action_focus_jobs(self) -> None:
        self._focus_pane(self.query_one(JobTable), "job")

    def _focus_pane(self, widget: Widget, name: str) -> None:
        """Focus a pane; one this size hides (or another pane's maximized view) opens
        maximized, so the next keys act on what the user sees."""
        if self.maximized is not None and self.maximized is not widget:
            self.minimize()
            self.refresh(layout=True)
            self.call_after_refresh(self._focus_pane, widget, name)
            return
        if focus_pane(self, widget):
            self.notify(
                f"The {name} pane, maximized (hidden at this size): z or esc puts it back.",
                timeout=3,
            )

    def action_focus_chart(self) -> None:
        self.query_one(CursorChart).focus()

    async def action_chart_key(self, action: str) -> None:
        """A chart key from elsewhere (the command palette): focus the chart, then act."""
        chart = self.query_one(CursorChart)
        chart.focus()
        await chart.run_action(action)

    def restyle(self) -> None:
        self.query_one(JobTable).restyle()
        self._show_selected(ALL_RUN_ASPECTS - {RunAspect.LOGS, RunAspect.METRICS})
        self.query_one(HeaderBar).redraw()
