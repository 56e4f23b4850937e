"""Side by side: a tile per marked run (2–6) and an overlay chart of their loss curves."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import Screen
from textual.widgets import Static

from axom_tui.base.glyphs import ascii_on, glyph
from axom_tui.base.sanitize import clean_text
from axom_tui.store.changes import ChangeSet
from axom_tui.store.resume_points import resume_points
from axom_tui.store.vocab import GlobalAspect, RunAspect
from axom_tui.ui.messages import StoreChanged
from axom_tui.ui.status_style import progress_bar, status_text
from axom_tui.ui.widgets.cursor_chart import CursorChart
from axom_tui.ui.widgets.footer import AxomFooter
from axom_tui.ui.widgets.header_bar import HeaderBar
from axom_tui.ui.widgets.metric_chart import MetricChart
from axom_tui.view.derive import progress_of

if TYPE_CHECKING:
    from axom_tui.poll.scheduler import PollScheduler
    from axom_tui.store.run_state import RunState
    from axom_tui.store.run_store import RunStore
    from axom_tui.ui.settings import UiSettings

TILE_LOG_LINES = 3


class RunTile(Vertical):
    DEFAULT_CSS = """
    RunTile { border: round $primary 50%; height: 1fr; padding: 0 1; }
    RunTile:focus-within { border: round $accent; }
    RunTile > .tile-head { height: 2; }
    RunTile > MetricChart { height: 1fr; min-height: 5; }
    RunTile > .tile-logs { height: 3; color: $text-muted; text-wrap: nowrap; text-overflow: ellipsis; }
    RunTile > .tile-head { text-wrap: nowrap; text-overflow: ellipsis; }
    .-ascii RunTile > .tile-logs, .-ascii RunTile > .tile-head { text-overflow: clip; }
    """

    def __init__(self, job_id: str) -> None:
        super().__init__(classes="tile")
        self.job_id = job_id

    def compose(self) -> ComposeResult:
        yield Static(classes="tile-head")
        yield CursorChart(classes="tile-chart")
        yield Static(classes="tile-logs")

    def update_from(
        self, run: RunState | None, aspects: frozenset[RunAspect], ascii_mode: bool
    ) -> None:
        if run is None:
            return
        job = run.job
        if aspects & {RunAspect.JOB, RunAspect.METRICS}:
            head = Text(no_wrap=True, overflow="crop" if ascii_on() else "ellipsis")
            head.append(clean_text(job.display_name if job else self.job_id, 50), style="bold")
            head.append("  ")
            head.append_text(
                status_text(job.status if job else "unknown", self.app.theme_variables, ascii_mode)
            )
            progress = progress_of(job, run.metrics.last_step if len(run.metrics) else None)
            head.append(f"\n{progress_bar(progress.fraction, 12, ascii_mode)} {progress.label()}")
            if job and job.retries:
                head.append(f"  retries {job.retries}", style="dim")
            self.query_one(".tile-head", Static).update(head)
        if aspects & {RunAspect.METRICS, RunAspect.EVENTS}:  # resume points come from both
            series = run.metrics
            self.query_one(MetricChart).set_data(
                series.steps,
                {"loss": series.column("loss"), "grad_norm": series.column("grad_norm")},
                series.cycle_boundaries(),
                resume_points(run.events, series.steps, series.resume_points),
                run.version,
            )
        if RunAspect.LOGS in aspects:
            lines = run.logs.tail(TILE_LOG_LINES)
            text = Text(no_wrap=True, overflow="crop" if ascii_on() else "ellipsis")
            for i, line in enumerate(lines):
                if i:
                    text.append("\n")
                text.append(
                    clean_text(line.text, 300), style="italic" if line.stream == "stderr" else ""
                )
            self.query_one(".tile-logs", Static).update(
                text if lines else Text("no logs yet", style="dim")
            )


class CompareScreen(Screen):
    BINDINGS = [
        Binding("escape", "close", "Back", id="compare.close"),
        Binding("s", "smoothing", "Smooth", id="compare.smooth"),
        Binding("l", "log_scale", "Log y", id="compare.log"),
        Binding("r", "refresh", "Refresh", id="compare.refresh"),
        Binding("C", "focus_chart", "Chart cursor", id="compare.focus.chart", show=False),
    ]
    AUTO_FOCUS = ""  # Esc closes the view at once; C (or Tab) gives the overlay its cursor
    DEFAULT_CSS = """
    CompareScreen #overlay { height: 40%; min-height: 8; border: round $primary 50%; }
    CompareScreen #tiles { grid-size: 3; grid-gutter: 0 1; height: 1fr; }
    CompareScreen.-narrow #tiles { grid-size: 2; }
    """

    def __init__(
        self, job_ids: list[str], store: RunStore, scheduler: PollScheduler, settings: UiSettings
    ) -> None:
        super().__init__(id="compare")
        self.job_ids = job_ids
        self.store = store
        self.scheduler = scheduler
        self.settings = settings

    def compose(self) -> ComposeResult:
        yield HeaderBar(self.store, label=self.settings.label, ascii_mode=self.settings.ascii)
        overlay = CursorChart(id="overlay")
        overlay.border_title = f"loss {glyph('dash')} all compared runs"
        yield overlay
        with Grid(id="tiles"):
            for job_id in self.job_ids:
                yield RunTile(job_id)
        yield AxomFooter(show_command_palette=not self.settings.ascii)

    def on_mount(self) -> None:
        self.scheduler.set_visible(set(self.job_ids))
        everything = {RunAspect.JOB, RunAspect.METRICS, RunAspect.LOGS}
        self._show_changes(ChangeSet({jid: everything for jid in self.job_ids}))

    def on_unmount(self) -> None:
        self.scheduler.set_visible(set())

    def on_resize(self) -> None:
        self.set_class(self.size.width < 120, "-narrow")

    def on_store_changed(self, message: StoreChanged) -> None:
        self._show_changes(message.changes)

    def _show_changes(self, changes: ChangeSet) -> None:
        store = self.store
        overlay_dirty = False
        for tile in self.query(RunTile):
            aspects = changes.run(tile.job_id)
            if aspects:
                tile.update_from(store.runs.get(tile.job_id), aspects, self.settings.ascii)
                overlay_dirty |= RunAspect.METRICS in aspects
        if overlay_dirty:
            series = []
            for job_id in self.job_ids:
                run = store.runs.get(job_id)
                if run is None:
                    continue
                label = clean_text(run.job.display_name if run.job else job_id, 40)
                series.append((label, run.metrics.steps, run.metrics.column("loss"), run.version))
            self.query_one("#overlay", MetricChart).set_overlay(series)
        if changes.globals & {GlobalAspect.CONNECTION, GlobalAspect.OVERVIEW}:
            self.query_one(HeaderBar).redraw()

    def action_close(self) -> None:
        self.app.pop_screen()

    # One cursor for all: every chart shows the step the user put any of them at.

    @on(CursorChart.CursorMoved)
    def _cursor_moved(self, message: CursorChart.CursorMoved) -> None:
        if not message.by_user:  # a chart following its own run's newest point
            return
        moment = message.moment
        for chart in self.query(CursorChart):
            if chart is message.chart:
                continue
            if moment is None:
                chart.clear_cursor(post=False)
            else:
                chart.cursor_to_step(moment.step, post=False)

    @on(CursorChart.Left)
    def _chart_left(self) -> None:
        self.set_focus(None)

    def action_focus_chart(self) -> None:
        self.query_one("#overlay", CursorChart).focus()

    def action_smoothing(self) -> None:
        for chart in self.query(MetricChart):
            chart.smoothing = not chart.smoothing

    def action_log_scale(self) -> None:
        for chart in self.query(MetricChart):
            chart.log_y = not chart.log_y

    def action_refresh(self) -> None:
        for job_id in self.job_ids:
            self.scheduler.refresh_now(job_id)
