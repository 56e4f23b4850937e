"""Top bar: connection state, freshness, and the account's overview counters."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text

from axom_tui.base.glyphs import glyph
from axom_tui.base.sanitize import clean_text
from axom_tui.ui.feed_problems import failing_feeds, problem_text
from axom_tui.ui.widgets.text_lines import TextLines
from axom_tui.view import format as fmt

if TYPE_CHECKING:
    from textual.timer import Timer

    from axom_tui.store import RunStore

STATE_LOOK = {
    "connecting": ("◌", "connecting…", "status-queued"),
    "live": ("●", "live", "status-completed"),
    "retrying": ("◐", "retrying", "warning"),
    "offline": ("○", "offline", "error"),
    "auth": ("✗", "key rejected", "error"),
    "forbidden": ("✗", "key lacks scope", "error"),
    # answering, but some feed keeps failing: never "live" then (ui/feed_problems.py)
    "degraded": ("◐", "degraded", "warning"),
}


SKEW_SHOWN = 60.0  # the server's clock this far ahead of ours: the header shows it
NOTICE_SECONDS = 8.0  # how long a run's "completed"/"failed" notice stays in the header


@dataclass(frozen=True)
class Notice:
    until: float  # monotonic
    title: str
    body: str
    error: bool


class HeaderBar(TextLines):
    """Connection state, freshness and the account's counters; for a few seconds after a
    watched run finishes, a notice in place of the counters.

    Notices live here rather than in Textual's toasts because a toast mounts and removes
    widgets, each time laying out the whole screen (~100 ms of CPU per toast on the
    demo); a notice is a repaint of this one line.
    """

    DEFAULT_CSS = """
    HeaderBar { height: 1; background: $panel; color: $foreground; padding: 0 1; }
    """

    def __init__(
        self, store: RunStore, *, label: str = "", ascii_mode: bool = False, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.store = store
        self.label = label
        self._ascii = ascii_mode
        self._own_clock: Timer | None = None
        self._notices: list[Notice] = []
        self.clock = time.monotonic  # notices' lifetimes (tests move it by hand)
        #: Replay shows a run as of this moment (a clock time): said before the feeds'
        #: state, which then reads as the feeds' and not as what the panes show.
        self.replaying: str | None = None

    def show_replay(self, moment: str | None) -> None:
        if moment != self.replaying:
            self.replaying = moment
            self.redraw()

    def notice(
        self, title: str, body: str, *, error: bool = False, seconds: float = NOTICE_SECONDS
    ) -> None:
        """Show ``title: body`` for ``seconds`` (the newest of several, with a count)."""
        self._notices.append(
            Notice(self.clock() + seconds, clean_text(title, 40), clean_text(body, 200), error)
        )
        del self._notices[:-20]
        self.redraw()

    @property
    def notices(self) -> list[Notice]:
        """Notices still showing."""
        now = self.clock()
        return [n for n in self._notices if n.until > now]

    def on_mount(self) -> None:
        # Its own clock (each second) for screens that do not step their clock cells.
        self._own_clock = self.set_interval(1.0, self.redraw)
        self.redraw()

    def tick(self) -> None:
        """Redraw as part of the screen's clock step (every 2 s at most), in the same
        frame as its other clock cells; from then on the header waits for these."""
        if self._own_clock is not None:
            self._own_clock.stop()
            self._own_clock = None
        self.redraw()

    def redraw(self) -> None:
        if not self.is_attached:
            return
        self.set_lines([self.compose_text()])  # usually nothing new: no repaint

    def compose_text(self) -> Text:
        variables = self.app.theme_variables
        conn = self.store.connection
        state: str = conn.state
        message = conn.message
        failing = failing_feeds(self.store.problems) if state == "live" else []
        if failing:
            state = "degraded"
            first = failing[0]
            health = self.store.feed_health(first)
            message = problem_text(health, first.kind) or ""
            if first.job_id is not None:
                run = self.store.runs.get(first.job_id)
                name = (
                    run.job.display_name
                    if run is not None and run.job is not None
                    else first.job_id
                )
                message = f"{clean_text(name, 30)}: {message}"
            if len(failing) > 1:
                message = f"{len(failing)} feeds failing · {message}"
        icon, label, colour_var = STATE_LOOK.get(state, ("?", state, "foreground"))
        if self._ascii:
            icon = {"live": "*", "offline": "o", "auth": "x", "forbidden": "x"}.get(state, "~")
        now = time.monotonic()
        if conn.state in ("retrying", "offline") and conn.retry_at:
            label = f"{label} {glyph('sep')} retrying in {max(0, round(conn.retry_at - now))}s"
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("axom", style=f"bold {variables.get('primary', 'cyan')}")
        text.append("-tui " if self._ascii else "·tui ", style="bold")
        if self.label:
            text.append(f"[{self.label}] ", style=variables.get("accent", "magenta"))
        if self.replaying is not None:
            back = "<" if self._ascii else "◀"
            text.append(f"{back} replay as of {self.replaying}", style="bold reverse")
            text.append("  feeds ", style="dim")
        text.append(f"{icon} {label}", style=f"bold {variables.get(colour_var, 'white')}")
        last = conn.last_success_at
        text.append(f"  updated {fmt.ago(None if last is None else now - last)}", style="dim")
        clock = getattr(self.app, "server_clock", None)
        if clock is not None and clock.ahead_by() > SKEW_SHOWN:
            # the times on screen are the server's: say what its clock says
            text.append(f"  server {fmt.clock_time(clock.now())}", style="dim")
        notices = self.notices
        self._notices = notices
        if notices:  # before the connection's message: on a narrow terminal the news shows
            latest = notices[-1]
            colour = variables.get("error" if latest.error else "success", "white")
            icon = ("x" if latest.error else "+") if self._ascii else ("✗" if latest.error else "✓")
            text.append("   ")
            text.append(f" {icon} {latest.title} ", style=f"bold reverse {colour}")
            text.append(f" {latest.body}", style="bold")
            if len(notices) > 1:
                text.append(f"  (+{len(notices) - 1} more)", style="dim")
        if state not in ("live", "connecting") and message:
            message = clean_text(message, 120 if state == "degraded" else 80)
            if state in (
                "auth",
                "forbidden",
            ):  # the label already says it; keep the server's reason
                message = message.split("):", 1)[-1].strip() or message
            text.append("  " + message, style=variables.get("warning", "yellow"))
        if notices:
            return text  # the counters come back when the notice goes
        ov = self.store.overview
        if ov is not None:
            days = ov.period_days or 30
            parts = [
                ("active", fmt.si(ov.active_runs)),
                ("models", fmt.si(ov.models)),
                ("datasets", fmt.si(ov.datasets)),
                (f"GPU-min/{days}d", fmt.si(ov.gpu_minutes_period)),
                (f"tokens/{days}d", fmt.si(ov.tokens_period)),
                (f"spend/{days}d", fmt.money(ov.spend_usd_period)),
            ]
            text.append("   ")
            for name, value in parts:
                text.append(f"{name} ", style="dim")
                text.append(f"{value}  ", style="bold")
        return text
