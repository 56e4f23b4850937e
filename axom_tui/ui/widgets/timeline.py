"""Lifecycle timeline of the selected run: phases in order, time in each, current highlighted.

Every phase is listed (a finished run's preemptions included) and the pane scrolls
(focus it with ``P``, then j/k, g/G, page keys or the wheel). Unless the user scrolled
away, it keeps the current phase, or the final one and a failed run's whole error
(wrapped, never cut), in view however short the pane gets; the title and the time bar
stay put above. Drawn through the line API: a clock step repaints the lines it changed
(the bar and the current phase), and a growing history changes the scroll range without
a layout of the screen.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from rich.console import Console
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from axom_tui.api.records import Event, Job
from axom_tui.base.glyphs import glyph
from axom_tui.base.sanitize import clean_text
from axom_tui.ui.status_style import ASCII_ICONS, STATUS_ICONS, status_colour
from axom_tui.ui.widgets.job_rows import cell_segments, signature
from axom_tui.ui.widgets.scroll_size import set_virtual_size
from axom_tui.view import format as fmt
from axom_tui.view.lifecycle import Lifecycle, build_lifecycle

HEADER = 2  # the title and the time bar: they do not scroll
ERROR_CHARS = 4000  # a failed run's error is shown whole (up to this much)
OTHER_EVENTS = 3  # unknown event kinds listed at the end


DETAIL_INDENT = 4  # a phase's detail, when it goes on lines of its own: under the status


def with_detail(line: Text, detail: Text, width: int, console: Console) -> list[Text]:
    """A phase's line and its detail (notes, why it is normal): on one line when that
    fits ``width``, else the detail wrapped onto indented lines below, never cut."""
    if not detail:
        return [line]
    if line.cell_len + 2 + detail.cell_len <= width:
        line.append("  ")
        line.append_text(detail)
        return [line]
    out = [line]
    for part in detail.wrap(console, max(10, width - DETAIL_INDENT)):
        row = Text(" " * DETAIL_INDENT, no_wrap=True, overflow="ellipsis")
        row.append_text(part)
        out.append(row)
    return out


class Timeline(ScrollView, can_focus=True):
    """The selected run's lifecycle; scrolls, and follows its current phase."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "line_down", "Scroll down", id="lifecycle.down", show=False),
        Binding("k,up", "line_up", "Scroll up", id="lifecycle.up", show=False),
        Binding("pagedown", "page_down", "Page down", id="lifecycle.page_down", show=False),
        Binding("pageup", "page_up", "Page up", id="lifecycle.page_up", show=False),
        Binding("g,home", "top", "First phase", id="lifecycle.top", show=False),
        Binding("G,end", "bottom", "Current phase", id="lifecycle.bottom", show=False),
    ]

    DEFAULT_CSS = """
    Timeline {
        height: 1fr; min-height: 4; padding: 0 1;
        /* No scrollbar (the title says what is above and below): its coming and going
           would lay the screen out. */
        overflow-x: hidden; overflow-y: scroll; scrollbar-size-vertical: 0;
        &:focus { background-tint: $foreground 5%; }
    }
    """

    def __init__(self, *, ascii_mode: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.ascii_mode = ascii_mode
        self._job: Job | None = None
        self._events: list[Event] = []
        self._now_fn: Callable[[], datetime] = fmt.utcnow
        self._header: list[Text] = []
        self._body: list[Text] = []
        self._anchor: int | None = None  # body line of the current / final phase
        self._earlier = 0  # phases above the anchor (for the title's hint)
        self._signatures: list[tuple[object, ...]] = []
        self._strips: dict[int, Strip] = {}
        self._follow = True
        self._moving = False  # scrolling by code, not by the user
        self.problem: str | None = None  # why no run can be shown (the connection)
        #: The run's events or result feed fails or leaves items out: the title says so.
        self.feed_problem: str | None = None
        #: The body line each phase starts on (a phase's detail may wrap below it).
        self.phase_rows: list[int] = []
        #: What the current phase is marked with ("then" while replaying a moment).
        self.now_label = "now"

    # ------------------------------------------------------------ data in

    def show(
        self,
        job: Job | None,
        events: list[Event],
        now_fn: Callable[[], datetime] | None = None,
        feed_problem: str | None = None,
    ) -> None:
        if job is None or self._job is None or job.id != self._job.id:
            self._follow = True  # another run: start at its current phase
        self._job = job
        self._events = events
        self.feed_problem = feed_problem
        if now_fn is not None:
            self._now_fn = now_fn
        self._rebuild()

    def show_problem(self, problem: str | None) -> None:
        if problem != self.problem:
            self.problem = problem
            self._rebuild()

    def tick(self) -> None:
        if self._job is not None and not self._job.terminal:
            self._rebuild()

    @property
    def job_id(self) -> str | None:
        """The run shown."""
        return self._job.id if self._job is not None else None

    @property
    def lines(self) -> list[str]:
        """Every line (header, then body) as plain text: tests, screen readers."""
        return [line.plain for line in self._all_lines()]

    def visible_lines(self) -> list[str]:
        """What is on screen now, as plain text."""
        return [self.render_line(y).text.rstrip() for y in range(self.size.height)]

    # ------------------------------------------------------------ building

    def _rebuild(self) -> None:
        width = max(10, self.scrollable_content_region.width or 40)
        self._header, self._body, self._anchor, self._earlier = self._render_parts(width)
        lines = self._all_lines()
        signatures = [signature(line) for line in lines]
        grew = len(signatures) != len(self._signatures)
        changed = [
            y
            for y in range(max(len(signatures), len(self._signatures)))
            if y >= len(signatures)
            or y >= len(self._signatures)
            or signatures[y] != self._signatures[y]
        ]
        self._signatures = signatures
        if grew:
            set_virtual_size(self, Size(width, HEADER + len(self._body)))
        before = self.scroll_offset.y
        if self._follow:
            self._scroll_by_code(self._follow_top())
        if grew or self.scroll_offset.y != before:
            self._strips.clear()
            self.refresh()
            return
        for y in changed:
            self._strips.pop(y, None)
        self._refresh_virtual_lines(changed)

    def _all_lines(self) -> list[Text]:
        return [*self._header, *self._body]

    def _refresh_virtual_lines(self, changed: list[int]) -> None:
        top = int(self.scroll_offset.y)
        width = self.size.width
        regions = []
        for y in changed:
            row = y if y < HEADER else y - top
            if (y < HEADER or row >= HEADER) and 0 <= row < self.size.height:
                regions.append(Region(0, row, width, 1))
        if 0 in changed or regions:
            regions.append(Region(0, 0, width, 1))  # the title's hint follows the scroll
            self.refresh(*regions)

    def _render_parts(self, width: int) -> tuple[list[Text], list[Text], int | None, int]:
        variables = self.app.theme_variables
        icons = ASCII_ICONS if self.ascii_mode else STATUS_ICONS
        title = Text("Lifecycle", style="bold", no_wrap=True, overflow="ellipsis")
        if self.feed_problem:
            mark = "! " if self.ascii_mode else "⚠ "
            title.append("  " + mark + self.feed_problem, style=variables.get("warning", "yellow"))
        job = self._job
        self.phase_rows = []
        if job is None:
            if self.problem:
                note = Text(
                    f"{glyph('fail')} {self.problem}", style=status_colour("failed", variables)
                )
                return (
                    [title, Text("no run to show", style="dim")],
                    list(note.wrap(self.app.console, width)),
                    None,
                    0,
                )
            return [title, Text("select a run", style="dim")], [], None, 0
        life = build_lifecycle(self._events, job)
        if not life.phases:
            state = Text(
                f"{icons.get(job.status, '?')} {clean_text(job.status, 24)}",
                style=status_colour(job.status, variables),
            )
            return [title, state], [Text("(no events yet)", style="dim")], None, 0
        now = self._now_fn()
        header = [title, self._bar(life, now, width, variables)]
        body: list[Text] = []
        last = life.phases[-1]
        anchor = 0
        self.phase_rows = []
        for phase in life.phases:
            anchor = len(body)
            self.phase_rows.append(anchor)
            current = phase is last and not job.terminal
            colour = status_colour(phase.status, variables)
            line = Text(no_wrap=True, overflow="ellipsis")
            line.append(f"{icons.get(phase.status, '?')} ", style=colour)
            line.append(
                f"{clean_text(phase.status, 16):<14}", style=f"bold {colour}" if current else colour
            )
            if phase.status in ("completed", "failed"):
                line.append(f" {fmt.clock_time(phase.start)}", style="dim")
            else:
                line.append(f"{fmt.duration(phase.seconds(now)):>8}")
            if current:
                mark = "<" if self.ascii_mode else "◀"
                line.append(f"  {mark} {self.now_label}", style=f"bold {colour}")
            detail = Text()
            if phase.notes:
                detail.append(", ".join(phase.notes[-3:]), style="dim")
            if phase.status == "preempted":
                detail.append("  " if detail else "")
                detail.append("(normal on spot capacity)", style="dim italic")
            body.extend(with_detail(line, detail, width, self.app.console))
        error = job.error if job.status == "failed" else None
        if error:
            message = Text(
                f"{icons['failed']} {clean_text(error, ERROR_CHARS)}",
                style=f"bold {status_colour('failed', variables)}",
            )
            body.extend(message.wrap(self.app.console, width))
        for other in life.other[-OTHER_EVENTS:]:
            body.append(
                Text(f"{glyph('bullet')} {other}", style="dim", no_wrap=True, overflow="ellipsis")
            )
        return header, body, anchor, anchor

    def _bar(self, life: Lifecycle, now: datetime, width: int, variables: dict[str, str]) -> Text:
        """Time spent per phase, proportionally, exactly ``width - 1`` cells wide."""
        total = sum((p.seconds(now) or 0.0) for p in life.phases) or 1.0
        cells = max(1, width - 1)
        bar = Text(no_wrap=True)
        elapsed = 0.0
        drawn = 0
        for phase in life.phases:
            elapsed += phase.seconds(now) or 0.0
            upto = round(elapsed / total * cells)
            bar.append(
                ("#" if self.ascii_mode else "█") * (upto - drawn),
                style=status_colour(phase.status, variables),
            )
            drawn = upto
        return bar

    # ------------------------------------------------------------ scrolling

    @property
    def _body_rows(self) -> int:
        return max(1, self.size.height - HEADER)

    def _follow_top(self) -> int:
        """The scroll that shows the current/final phase and as much after it as fits."""
        top = max(0, len(self._body) - self._body_rows)
        if self._anchor is not None and self._anchor < top:
            top = self._anchor
        return top

    def _scroll_by_code(self, y: int) -> None:
        self._moving = True
        try:
            self.scroll_to(y=max(0, y), animate=False, force=True)
        finally:
            self._moving = False

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if not self._moving:  # the user scrolled: follow again once back at the phase
            self._follow = int(new_value) >= self._follow_top()

    def _user_scroll(self, y: int) -> None:
        self.scroll_to(y=max(0, min(y, len(self._body))), animate=False, force=True)

    def action_line_down(self) -> None:
        self._user_scroll(int(self.scroll_offset.y) + 1)

    def action_line_up(self) -> None:
        self._user_scroll(int(self.scroll_offset.y) - 1)

    def action_page_down(self) -> None:
        self._user_scroll(int(self.scroll_offset.y) + max(1, self._body_rows - 1))

    def action_page_up(self) -> None:
        self._user_scroll(int(self.scroll_offset.y) - max(1, self._body_rows - 1))

    def action_top(self) -> None:
        self._user_scroll(0)

    def action_bottom(self) -> None:
        self._follow = True
        self._scroll_by_code(self._follow_top())
        self.refresh()

    # ------------------------------------------------------------ drawing

    def on_resize(self) -> None:
        self._strips.clear()
        self._rebuild()

    def on_focus(self) -> None:
        self._strips.pop(0, None)
        self.refresh(Region(0, 0, self.size.width, 1))

    def on_blur(self) -> None:
        self.on_focus()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def _title(self) -> Text:
        title = self._header[0].copy() if self._header else Text("Lifecycle", style="bold")
        top = int(self.scroll_offset.y)
        hidden_after = max(0, len(self._body) - top - self._body_rows)
        hints = []
        if top:
            hints.append(f"{'^' if self.ascii_mode else '↑'} {top} earlier")
        if hidden_after:
            hints.append(f"{'v' if self.ascii_mode else '↓'} {hidden_after} more")
        if hints:
            title.append(
                "  "
                + f" {glyph('sep')} ".join(hints)
                + ("  j/k" if self.has_focus else "  P scrolls"),
                style="dim",
            )
        return title

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        style: Style = self.rich_style
        if width <= 0:
            return Strip.blank(0, style)
        if y == 0:
            return Strip(cell_segments(self._title(), width, style), width).simplify()
        if y < HEADER:
            line = self._header[y] if y < len(self._header) else None
            key = y
        else:
            index = int(self.scroll_offset.y) + y - HEADER
            line = self._body[index] if 0 <= index < len(self._body) else None
            key = HEADER + index
        if line is None:
            return Strip.blank(width, style)
        strip = self._strips.get(key)
        if strip is None or strip.cell_length != width:
            strip = Strip(cell_segments(line, width, style), width).simplify()
            self._strips[key] = strip
        return strip
