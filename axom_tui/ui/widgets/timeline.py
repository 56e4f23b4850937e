"""Lifecycle timeline of the selected run: phases in order, time in each, current highlighted."""

from __future__ import annotations

from rich.text import Text

from axom_tui.api.records import Event, Job
from axom_tui.sanitize import clean_text
from axom_tui.ui import format as fmt
from axom_tui.ui.lifecycle import Phase, build_lifecycle
from axom_tui.ui.status_style import ASCII_ICONS, STATUS_ICONS, status_colour
from axom_tui.ui.widgets.text_lines import TextLines

MAX_ROWS = 14  # phases listed when the widget's height is not known yet


class Timeline(TextLines):
    """Fills the height it is given and lists as many of the latest phases as fit (the
    current one always on screen), so a growing lifecycle never needs a layout pass.
    A clock step repaints the lines it changed: the bar and the current phase."""

    DEFAULT_CSS = """
    Timeline { height: 1fr; min-height: 6; padding: 0 1; }
    """

    def __init__(self, *, ascii_mode: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.ascii_mode = ascii_mode
        self._job: Job | None = None
        self._events: list[Event] = []
        self._now_fn = fmt.utcnow
        #: (line, phase) of each phase row last drawn: what a moment or a key points at.
        self.phase_rows: list[tuple[int, Phase]] = []

    def on_resize(self) -> None:
        self.set_text(self.render_timeline())

    def show(self, job: Job | None, events: list[Event], now_fn=None) -> None:
        self._job = job
        self._events = events
        if now_fn is not None:
            self._now_fn = now_fn
        self.set_text(self.render_timeline())

    def tick(self) -> None:
        if self._job is not None and not self._job.terminal:
            self.set_text(self.render_timeline())

    def _budget(self, life, error_line: bool) -> tuple[int, bool, list[str]]:
        """(phase rows, whether an "… N earlier phases" line goes above them, the other
        event lines below them) that fit under the title, the bar and the error line (if
        any). The current phase and the error come first, then the "earlier" line, then
        other events."""
        others = life.other[-3:]
        height = self.content_size.height
        if not height:
            return min(MAX_ROWS, len(life.phases)), len(life.phases) > MAX_ROWS, others
        room = height - 2 - int(error_line)
        if room - len(others) < min(2, len(life.phases)):
            others = []
        room -= len(others)
        if room >= len(life.phases):
            return len(life.phases), False, others
        if room >= 2:
            return room - 1, True, others
        return 1, False, others

    def render_timeline(self) -> Text:
        self.phase_rows = []
        variables = self.app.theme_variables
        icons = ASCII_ICONS if self.ascii_mode else STATUS_ICONS
        out = Text(no_wrap=True, overflow="ellipsis")
        out.append("Lifecycle\n", style="bold")
        if self._job is None:
            out.append("select a run", style="dim")
            return out
        life = build_lifecycle(self._events, self._job)
        if not life.phases:
            out.append(f"{icons.get(self._job.status, '?')} {clean_text(self._job.status, 24)}",
                       style=status_colour(self._job.status, variables))
            out.append("\n(no events yet)", style="dim")
            return out
        now = self._now_fn()
        total = sum((p.seconds(now) or 0.0) for p in life.phases) or 1.0
        width = max(10, (self.content_size.width or 40) - 1)
        elapsed = 0.0
        drawn = 0
        for phase in life.phases:  # proportional bar of time spent per phase, exactly `width` wide
            elapsed += phase.seconds(now) or 0.0
            upto = round(elapsed / total * width)
            out.append(("#" if self.ascii_mode else "█") * (upto - drawn), style=status_colour(phase.status, variables))
            drawn = upto
        out.append("\n")
        error = self._job.error if self._job.status == "failed" else None
        rows, fold_line, others = self._budget(life, bool(error))
        shown = life.phases[-rows:]
        if fold_line:
            out.append(f"  … {len(life.phases) - len(shown)} earlier phases\n", style="dim")
        last = life.phases[-1]
        for phase in shown:
            self.phase_rows.append((out.plain.count("\n"), phase))
            current = phase is last and not self._job.terminal
            colour = status_colour(phase.status, variables)
            label = clean_text(phase.status, 16)
            out.append(f"{icons.get(phase.status, '?')} ", style=colour)
            out.append(f"{label:<14}", style=f"bold {colour}" if current else colour)
            if phase.status in ("completed", "failed"):
                out.append(f" {fmt.clock_time(phase.start)}", style="dim")
            else:
                out.append(f"{fmt.duration(phase.seconds(now)):>8}")
            if current:
                out.append("  < now" if self.ascii_mode else "  ◀ now", style=f"bold {colour}")
            if phase.notes:
                out.append("  " + ", ".join(phase.notes[-3:]), style="dim")
            if phase.status == "preempted":
                out.append("  (normal on spot capacity)", style="dim italic")
            out.append("\n")
        if error:
            out.append(f"{icons['failed']} {clean_text(error, 300)}\n",
                       style=f"bold {status_colour('failed', variables)}")
        for line in others:
            out.append(f"• {line}\n", style="dim")
        out.rstrip()
        return out
