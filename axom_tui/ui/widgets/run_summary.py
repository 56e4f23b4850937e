"""Two lines about the selected run: identity, progress and the latest telemetry."""

from __future__ import annotations

import math

from rich.text import Text

from axom_tui.base import glyphs
from axom_tui.base.glyphs import glyph
from axom_tui.base.sanitize import clean_text
from axom_tui.store.vocab import FeedKind
from axom_tui.ui.feed_problems import run_problem
from axom_tui.ui.status_style import status_text
from axom_tui.ui.widgets.text_lines import TextLines
from axom_tui.view import format as fmt
from axom_tui.view.derive import latest_loss, progress_of


class RunSummary(TextLines):
    DEFAULT_CSS = """
    RunSummary { height: 2; padding: 0 1; background: $boost; }
    """

    def __init__(self, *, ascii_mode: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.ascii_mode = ascii_mode
        self.problem: str | None = None  # why no run can be shown (the connection)

    def show(self, run, marked: bool = False) -> None:  # run: RunState | None
        self.set_text(self.render_summary(run, marked))  # fixed height: repaints, no layout

    def render_summary(self, run, marked: bool) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        if run is None or run.job is None:
            if self.problem:
                text.append(
                    f"{glyph('fail')} {self.problem}",
                    style=self.app.theme_variables.get("error", "red"),
                )
                return text
            text.append(
                "No run selected: use j/k in the job list"
                if glyphs.ascii_on()
                else "No run selected — use ↑/↓ in the job list",
                style="dim",
            )
            return text
        job = run.job
        series = run.metrics
        text.append(clean_text(job.display_name, 60), style="bold")
        text.append(f"  {clean_text(job.id, 40)[:8]}  {clean_text(job.type, 12)}  ", style="dim")
        text.append_text(status_text(job.status, self.app.theme_variables, self.ascii_mode))
        if marked:
            text.append(f"  {glyph('mark')} marked", style="bold")
        progress = progress_of(job, series.last_step if len(series) else None)
        text.append(f"  step {progress.label()}")
        if job.retries:
            text.append(f"  retries {job.retries}", style="dim")
        text.append("\n")
        problem = run_problem(run, (FeedKind.JOB, FeedKind.METRICS))
        if problem is not None:  # first on its line: the cells after it may be cut off
            mark = "! " if self.ascii_mode else "⚠ "
            text.append(
                mark + problem + "   ", style=self.app.theme_variables.get("warning", "yellow")
            )
        if len(series):

            def latest(name: str) -> float | None:
                value = series.latest(name)
                return (
                    None
                    if value is None
                    or (isinstance(value, float) and math.isnan(value) and name != "loss")
                    else value
                )

            cycle = series.cycle_at(series.last_step) if series.last_step is not None else None
            loss, listed = fmt.metric(latest("loss")), fmt.metric(latest_loss(run))
            final = run.result is not None and run.result.loss_final is not None
            parts = [
                ("loss", loss),
                # the job list's Loss (smoothed, or final), when it reads otherwise
                *([("final" if final else "avg", listed)] if listed != loss else []),
                ("grad", fmt.metric(latest("grad_norm"))),
                ("lr", fmt.metric(latest("lr"))),
                ("tok/s", fmt.si(latest("throughput"))),
                ("vram", f"{fmt.metric(latest('vram_gb'))} GB"),
            ]
            if cycle:
                parts.insert(0, ("cycle", str(cycle)))
            for name, value in parts:
                text.append(f"{name} ", style="dim")
                text.append(f"{value}   ")
            if series.nan_count:
                text.append(
                    f"{glyph('warn')} {series.nan_count} NaN",
                    style=self.app.theme_variables.get("warning", "yellow"),
                )
        else:
            text.append("no metrics yet", style="dim")
        hp = job.hyperparams
        if hp.get("lr") is not None or hp.get("seq_len") is not None:
            text.append(
                f"  hp: lr {clean_text(hp.get('lr'), 12)} seq {clean_text(hp.get('seq_len'), 8)}",
                style="dim",
            )
        return text
