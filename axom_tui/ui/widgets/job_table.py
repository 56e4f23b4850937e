"""The job list: one line per run, drawn through the line API, cursor kept by job id.

A row's line is built once from its cells and kept until a cell of that row, the
cursor, the width or the theme changes; a changed row repaints only its own line.
Cells are made when a row is drawn (:mod:`job_row_cache`), so a flush, a clock step or
a filter keystroke costs what is on screen and what changed, not the account's size.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip

from axom_tui.ui.widgets.job_columns import (
    choose_columns,
    header_labels,
    name_need,
    table_styles,
)
from axom_tui.ui.widgets.job_row_cache import RowCache
from axom_tui.ui.widgets.job_row_paint import RowPainter
from axom_tui.ui.widgets.job_rows import (
    COLUMNS,
    PADDING,
    Column,
    column_widths,
    eta_of,
    row_cells,
    row_segments,
    signature,
    time_cells,
)
from axom_tui.ui.widgets.job_table_moves import JobTableMoves
from axom_tui.ui.widgets.scroll_size import set_virtual_size
from axom_tui.view.derive import ServerClock, StepRate
from axom_tui.view.job_sort import NEWEST, SORT_COLUMN, sort_runs

if TYPE_CHECKING:
    from datetime import datetime

    from axom_tui.store import RunStore
    from axom_tui.store.run_state import RunState

MAX_MARKS = 6


class JobTable(JobTableMoves, can_focus=True):
    """All runs, newest first by default. Emits :class:`RunHighlighted` as the cursor moves."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_mark", "Mark", id="jobs.mark"),
        Binding("slash", "filter", "Filter", id="jobs.filter"),
        Binding("o", "cycle_sort", "Sort", id="jobs.sort"),
        Binding("O", "reverse_sort", "Reverse the sort", id="jobs.sort.reverse", show=False),
        Binding("up,k", "move(-1)", "Previous run", id="jobs.up", show=False),
        Binding("down,j", "move(1)", "Next run", id="jobs.down", show=False),
        Binding("pageup", "page(-1)", "Page up", id="jobs.page_up", show=False),
        Binding("pagedown", "page(1)", "Page down", id="jobs.page_down", show=False),
        Binding("home,g", "move_to(0)", "First run", id="jobs.first", show=False),
        Binding("end,G", "move_to(-1)", "Last run", id="jobs.last", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "job-table--header",
        "job-table--even-row",
        "job-table--cursor",
        "job-table--empty",
    }

    DEFAULT_CSS = """
    JobTable {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: auto;
        &:focus {
            background-tint: $foreground 5%;
            & > .job-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .job-table--header { background-tint: $foreground 5%; }
        }
        &:dark > .job-table--even-row { background: $surface-darken-1 40%; }
        & > .job-table--header { text-style: bold; background: $panel; color: $foreground; }
        &:ansi > .job-table--header { background: ansi_bright_blue; color: ansi_default; }
        & > .job-table--even-row { background: $surface-lighten-1 50%; }
        & > .job-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .job-table--empty { color: $text-muted; text-style: italic; }
    }
    """

    class RunHighlighted(Message):
        def __init__(self, job_id: str | None) -> None:
            self.job_id = job_id
            super().__init__()

    class MarksChanged(Message):
        def __init__(self, marked: frozenset[str]) -> None:
            self.marked = marked
            super().__init__()

    class FilterRequested(Message):
        pass

    class RowsInView(Message):
        """The runs whose rows are on screen changed (the scheduler paces the others)."""

        def __init__(self, job_ids: frozenset[str]) -> None:
            self.job_ids = job_ids
            super().__init__()

    def __init__(
        self,
        store: RunStore,
        clock: ServerClock,
        *,
        ascii_mode: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.store = store
        self.server_clock = clock
        self.ascii_mode = ascii_mode
        self.marked: set[str] = set()
        self.filter_text = ""
        self.sort_mode = NEWEST
        self.sort_reverse = False
        self.compact = False
        self._columns: tuple[Column, ...] = COLUMNS
        self.cursor_row = 0
        self._order: list[str] = []
        self._position: dict[str, int] = {}
        self._rows = RowCache(store, self._cells_for)
        self._widths_for: tuple[object, list[int]] = (None, [])
        self._paint = RowPainter(lambda: table_styles(self))
        self._last_highlighted: str | None = None
        self._select_when_listed: str | None = None
        #: Why there is nothing to list (the connection), shown in place of the rows.
        self.problem: str | None = None
        self._in_view: frozenset[str] | None = None
        #: Replay: runs drawn as they were at a moment (their state then, and that moment).
        self.as_of: dict[str, tuple[RunState, datetime]] = {}

    @property
    def columns_shown(self) -> tuple[Column, ...]:
        return self._columns

    def _fit_columns(self, job_ids: Iterable[str] | None = None) -> None:
        """Pick the columns that leave the longest name its width (ui/widgets/job_columns.py)."""
        width = self.scrollable_content_region.width
        if not width:
            return
        need = name_need(self._rows.name(j) for j in (self._order if job_ids is None else job_ids))
        columns, compact = choose_columns(width, need)
        if columns == self._columns:
            return
        self._columns = columns
        if compact != self.compact:
            self.compact = compact
            self._recompute_all()  # the narrow set's cells differ (a shorter bar)
        else:
            self._paint.forget_rows()
            self.refresh()

    # ------------------------------------------------------------ queries

    @property
    def row_count(self) -> int:
        return len(self._order)

    @property
    def selected_job_id(self) -> str | None:
        return self._order[self.cursor_row] if 0 <= self.cursor_row < len(self._order) else None

    def shows(self, job_id: str) -> bool:
        """Whether the run has a row (it may be filtered out, or not listed yet)."""
        return job_id in self._position

    def visible_job_ids(self) -> list[str]:
        return list(self._order)

    def get_row_index(self, job_id: str) -> int:
        return self._position[job_id]

    def get_cell(self, job_id: str, column: str) -> Text:
        return self._rows.get(job_id).cells[column]

    def _matches(self, job_id: str) -> bool:
        if not self.filter_text:
            return job_id in self.store.runs
        return self._rows.matches(job_id, self.filter_text.lower())

    # ------------------------------------------------------------ updates

    def sync(self, changed: Iterable[str] | None = None) -> None:
        """Bring rows up to date: add new runs, update changed ones; ``None`` = check all.
        With ``changed`` given and no run joining or leaving the list, this costs the
        changed runs alone (a flush at 5,000 runs used to walk all of them)."""
        if changed is not None and self._sync_changed(set(changed)):
            self._emit_highlight()
            return
        wanted = [jid for jid in self.store.order if self._matches(jid)]
        wanted_set = set(wanted)
        membership = wanted_set != self._position.keys()
        self._rows.forget_missing()
        for job_id in [jid for jid in self._rows if jid not in wanted_set]:
            self._forget(job_id)
        for job_id in (
            list(self._rows) if changed is None else [j for j in changed if j in wanted_set]
        ):
            self._refresh_run(job_id)
        if membership:
            self._fit_columns(wanted)
            self._reorder(wanted)
        self._emit_highlight()

    def _sync_changed(self, changed: set[str]) -> bool:
        """Update the changed runs' rows; False when one of them joins or leaves the list."""
        if any((job_id in self._position) != self._matches(job_id) for job_id in changed):
            return False
        for job_id in changed:
            self._refresh_run(job_id)  # (filtered out: what is kept for it must not go stale)
        return True

    def _refresh_run(self, job_id: str) -> None:
        """The run changed: repaint its row when it is on screen, else forget the row (it is
        made again when drawn) and keep only its step rate up to date."""
        if job_id in self._rows and self._row_y(job_id) is not None:
            self._update(job_id)
        else:
            self._forget(job_id)
            self._rows.learn(job_id)

    def _forget(self, job_id: str) -> None:
        self._rows.drop(job_id)
        self._paint.forget(job_id)

    def refresh_time_cells(self) -> None:
        """Elapsed and ETA move with the clock even when no data arrives.

        Not for finished runs: theirs stopped with the run, and were set when the change
        that finished it arrived (a job change updates every cell of its row).
        """
        server_now = self.server_clock.now()
        regions: list[Region] = []  # one refresh for all rows: each call has a fixed cost
        for job_id in list(self.store.unfinished):
            run = self.store.runs.get(job_id)
            if run is None or job_id not in self._rows:
                continue
            if self._row_y(job_id) is None:  # off screen: made afresh when drawn
                self._forget(job_id)
                continue
            self._apply(job_id, time_cells(run, self._rows.rate(job_id), server_now), regions)
        if regions:
            self.refresh(*regions)

    def restyle(self) -> None:
        """The theme changed: status colours come from it, so every cell is made again."""
        self._recompute_all()

    def _cells_for(self, job_id: str, rate: StepRate) -> dict[str, Text]:
        run, now = self.as_of.get(job_id) or (self.store.runs[job_id], self.server_clock.now())
        return row_cells(
            job_id,
            run,
            StepRate() if job_id in self.as_of else rate,
            marked=job_id in self.marked,
            compact=self.compact,
            ascii_mode=self.ascii_mode,
            variables=self.app.theme_variables,
            server_now=now,
        )

    def _update(self, job_id: str, only: tuple[str, ...] | None = None) -> None:
        if job_id not in self._rows:  # not made yet: it is made as it is now when drawn
            self._paint.forget(job_id)
            self._refresh_row(job_id)
            return
        cells = self._cells_for(job_id, self._rows.rate(job_id))
        if only is not None:
            cells = {key: cell for key, cell in cells.items() if key in only}
        regions: list[Region] = []
        self._apply(job_id, cells, regions)
        if regions:
            self.refresh(*regions)

    def _apply(self, job_id: str, cells: dict[str, Text], regions: list[Region]) -> None:
        """Take the cells that differ from the row's; add the regions to repaint."""
        row = self._rows.get(job_id)
        changed: list[str] = []
        for key, cell in cells.items():
            sig = signature(cell)
            if row.signatures.get(key) != sig:
                row.signatures[key] = sig
                row.cells[key] = cell
                changed.append(key)
        if changed:
            self._paint.forget(job_id)
            regions.extend(self._row_regions(job_id, changed))

    def _recompute_all(self) -> None:
        self._rows.clear()
        self._paint.forget_rows()
        self.refresh()

    def rebuild(self) -> None:
        """The filter changed: work out the rows again, keeping the cursor's run."""
        self.sync(None)
        self.refresh()  # the empty list's note names the filter

    def _reorder(self, wanted: list[str]) -> None:
        remembered, current = self._select_when_listed, self.selected_job_id
        self._order = sort_runs(self.store, wanted, self.sort_mode, self.sort_reverse, self._eta)
        self._position = {jid: i for i, jid in enumerate(self._order)}
        set_virtual_size(self, Size(self.scrollable_content_region.width, len(self._order) + 1))
        self.refresh()
        self.call_after_refresh(self._post_in_view)
        if remembered in self._position:  # asked for before it was listed, or back from the filter
            self._select_when_listed = None
            self._move_to(self._position[remembered])
        elif current in self._position:  # rows came or went around it: the cursor goes with it
            self._move_to(self._position[current])
        else:  # hidden (by the filter, say): it gets the cursor back when it is shown again
            if remembered is None:
                self._select_when_listed = current
            self._move_to(min(self.cursor_row, max(0, len(self._order) - 1)))

    # ------------------------------------------------------------ cursor

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._post_in_view()

    def _post_in_view(self) -> None:
        top, height = int(self.scroll_offset.y), self.scrollable_content_region.height - 1
        rows = frozenset(self._order[top : top + max(0, height)])
        if rows != self._in_view:
            self._in_view = rows
            self.post_message(self.RowsInView(rows))

    def _emit_highlight(self) -> None:
        current = self.selected_job_id
        if current != self._last_highlighted:
            self._last_highlighted = current
            self.post_message(self.RunHighlighted(current))

    def _eta(self, job_id: str) -> float | None:
        run = self.store.runs.get(job_id)
        return None if run is None else eta_of(run, self._rows.rate(job_id))

    # ------------------------------------------------------------ drawing

    def _row_y(self, job_id: str) -> int | None:
        """The row's line on screen; None when it is not shown."""
        index = self._position.get(job_id)
        y = None if index is None else index + 1 - int(self.scroll_offset.y)
        return y if y is not None and 1 <= y < self.scrollable_content_region.height else None

    def _refresh_row(self, job_id: str) -> None:
        if (y := self._row_y(job_id)) is not None:
            self.refresh(Region(0, y, self.scrollable_content_region.width, 1))

    def _row_regions(self, job_id: str, columns: list[str]) -> list[Region]:
        """Where a row's given columns are on screen: only those are repainted (fewer bytes
        to the terminal)."""
        if (y := self._row_y(job_id)) is None:
            return []
        width = self.scrollable_content_region.width
        return [
            Region(x, y, min(span, max(0, width - x)), 1)
            for key, x, span in self._column_spans()
            if key in columns
        ]

    def _widths(self) -> list[int]:
        key = (self._columns, self.scrollable_content_region.width)
        if self._widths_for[0] != key:
            self._widths_for = (key, column_widths(self.columns_shown, key[1]))
        return self._widths_for[1]

    def _column_spans(self) -> Iterator[tuple[str, int, int]]:
        """(column key, left x, width with its padding) of each column shown."""
        x = 0
        for (key, _, _), width in zip(self.columns_shown, self._widths()):
            yield key, x, width + 2 * PADDING
            x += width + 2 * PADDING

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._drop_drawn()

    def on_focus(self) -> None:
        self._drop_drawn()
        self.refresh()

    def on_blur(self) -> None:
        self._drop_drawn()
        self.refresh()

    def _drop_drawn(self) -> None:
        """Styles changed (theme, focus): every cached line is drawn again."""
        self._paint.drop_all()

    def on_resize(self) -> None:
        width = self.scrollable_content_region.width
        self._fit_columns()
        set_virtual_size(self, Size(width, len(self._order) + 1))
        self._scroll_to_cursor()
        self._post_in_view()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        styles = self._paint.styles
        if y == 0:
            labels = header_labels(
                self.columns_shown,
                SORT_COLUMN.get(self.sort_mode),
                self.sort_reverse,
                self.ascii_mode,
            )
            key = (width, self.sort_mode, self.sort_reverse, self._columns)
            return self._paint.header(key, labels, self._widths(), width)
        index = int(self.scroll_offset.y) + y - 1
        if 0 <= index < len(self._order):
            job_id = self._order[index]
            widths = self._widths()
            name_width = next(
                (w for (column, _, _), w in zip(self._columns, widths) if column == "name"), 0
            )
            return self._paint.row(
                job_id,
                self._rows.get(job_id),
                self._columns,
                widths,
                width,
                bool(index % 2),
                index == self.cursor_row,
                self._colliding(name_width),
            )
        if y == 1 and not self._order and (self.filter_text or self.problem):
            note = Text(
                f"No runs match “{self.filter_text}”. Esc clears the filter."
                if self.filter_text
                else f"✗ {self.problem}"
            )
            return Strip(
                row_segments([note], [max(1, width - 2 * PADDING)], width, styles.empty), width
            )
        return Strip.blank(width, styles.odd)

    def _colliding(self, width: int) -> frozenset[str]:
        found, changed = self._rows.look_alikes(width)
        if changed:
            self._paint.forget_rows()  # rows drawn before a look-alike arrived
            self.refresh()
        return found

    # ------------------------------------------------------------ actions

    def action_toggle_mark(self) -> None:
        job_id = self.selected_job_id
        if job_id is None:
            return
        if job_id in self.marked:
            self.marked.discard(job_id)
        elif len(self.marked) >= MAX_MARKS:
            self.app.notify(
                f"Compare holds at most {MAX_MARKS} runs; unmark one first.", severity="warning"
            )
            return
        else:
            self.marked.add(job_id)
        self._update(job_id, only=("mark",))
        self.post_message(self.MarksChanged(frozenset(self.marked)))

    def action_filter(self) -> None:
        self.post_message(self.FilterRequested())

    def set_filter(self, text: str) -> None:
        if text != self.filter_text:
            self.filter_text = text
            self.rebuild()
