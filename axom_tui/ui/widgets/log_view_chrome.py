"""The log pane's chrome, docked at the bottom of a ``LogView``: search box and status line.

Also the status snapshot they show (:class:`LogViewStatus`), which the view posts whenever
it changes. The chrome owns whether the search box is open, what the status line last
showed and the logs feed's problem it says first; the view owns the query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input

from axom_tui.logview import LogIndex
from axom_tui.ui.widgets.text_lines import TextLines


def app_uses_ascii(app: object) -> bool:
    """The app's --ascii setting, when the host app has one."""
    settings = getattr(app, "ui_settings", None)
    return bool(getattr(settings, "ascii", False))


@dataclass(frozen=True, slots=True)
class LogViewStatus:
    """What the status line shows; posted whenever it changes."""

    following: bool
    new_lines: int
    lines: int
    max_lines: int
    query: str
    match_current: int | None  # 1-based
    match_total: int
    error: str | None
    filtering: bool
    wrap: bool
    #: The logs feed fails or leaves lines out (ui/feed_problems.py): said first.
    feed: str | None = None

    @classmethod
    def of(
        cls,
        index: LogIndex,
        *,
        following: bool,
        new_lines: int,
        filtering: bool,
        wrap: bool,
        feed: str | None = None,
    ) -> LogViewStatus:
        current = index.current_match
        return cls(
            following=following,
            new_lines=new_lines,
            lines=len(index),
            max_lines=index.max_lines,
            query=index.query,
            match_current=None if current is None else current + 1,
            match_total=index.match_count,
            error=index.error,
            filtering=filtering,
            wrap=wrap,
            feed=feed,
        )

    def render_plain(self, ascii_mode: bool = False, as_of: str | None = None) -> str:
        """The status as one line; ``as_of``: replay holds the pane at that moment (it
        neither follows nor pauses then)."""
        parts = [("! " if ascii_mode else "⚠ ") + self.feed] if self.feed else []
        if as_of is not None:
            parts.append(f"REPLAY as of {as_of}")
        else:
            parts.append("FOLLOW" if self.following else f"PAUSED (+{self.new_lines:,} new)")
        parts.append(f"{self.lines:,}/{self.max_lines:,} lines")
        if self.error:
            parts.append(self.error)
        elif self.query:
            if self.match_total:
                current = "-" if self.match_current is None else f"{self.match_current:,}"
                parts.append(f"{current}/{self.match_total:,}")
            else:
                parts.append("no matches")
        parts.append(f"filter {'on' if self.filtering else 'off'}")
        parts.append(f"wrap {'on' if self.wrap else 'off'}")
        return (" | " if ascii_mode else " │ ").join(parts)


class LogSearchInput(Input):
    """The one-row search box of a :class:`LogView`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close_search", "Close search", id="log.search_close"),
    ]

    class Closed(Message):
        """Escape was pressed in the search box."""

    def action_close_search(self) -> None:
        self.post_message(self.Closed())


class LogStatusLine(TextLines):
    """One-row status of a :class:`LogView` (plain text, never markup)."""

    def __init__(self) -> None:
        super().__init__()
        #: The status posted last (before mount only noted, not drawn).
        self.status: LogViewStatus | None = None
        self._as_of: str | None = None

    def show_status(self, status: LogViewStatus, *, draw: bool = True) -> None:
        self.status = status
        if draw:
            self._draw()

    def show_as_of(self, moment: str | None) -> None:
        """Replay holds the pane at ``moment`` (a clock time); None: it is live again."""
        if moment != self._as_of:
            self._as_of = moment
            self._draw()

    def _draw(self) -> None:
        if self.status is None:
            return
        # One row, always: a repaint, never a layout pass of the whole screen.
        plain = self.status.render_plain(app_uses_ascii(self.app), self._as_of)
        self.set_lines([Text(plain)])


class LogChrome(Vertical):
    """The bottom of a :class:`LogView`: search box (while searching) and status line."""

    DEFAULT_CSS = """
    LogChrome {
        dock: bottom;
        height: auto;
        & > LogSearchInput {
            height: 1; border: none; padding: 0 1; display: none;
            &:focus { border: none; }
            &.-open { display: block; }
        }
        & > LogStatusLine {
            height: 1; padding: 0 1; background: $panel; color: $text-muted;
        }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.search_box = LogSearchInput(placeholder="search… (re: for regex)", compact=True)
        self.status_line = LogStatusLine()
        self.search_open = False
        """Whether the search box is showing."""
        self.feed_problem: str | None = None
        """What the logs feed lacks (failing, lines skipped): said first in the status line."""

    @property
    def rows(self) -> int:
        """Rows the chrome covers at the bottom of the view (status + open search box)."""
        return 1 + int(self.search_open)

    def post_status(self, status: LogViewStatus, *, mounted: bool) -> None:
        """Show ``status`` unless it is the one posted last (before mount: only noted)."""
        if status != self.status_line.status:
            self.status_line.show_status(status, draw=mounted)

    def open_search(self) -> bool:
        """Show the search box; returns whether it was hidden (the rows it covers changed)."""
        if self.search_open:
            return False
        self.search_open = True
        self.search_box.add_class("-open")
        return True

    def close_search(self) -> bool:
        """Empty and hide the search box; returns whether it was showing."""
        box = self.search_box
        if box.value:
            with box.prevent(Input.Changed):
                box.value = ""
        if not self.search_open:
            return False
        self.search_open = False
        box.remove_class("-open")
        return True

    def compose(self) -> ComposeResult:
        yield self.search_box
        yield self.status_line
