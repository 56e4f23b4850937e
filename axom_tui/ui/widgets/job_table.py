"""The job list: a DataTable keyed by job id, updated cell by cell, cursor kept by key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, ColumnKey, RowDoesNotExist, RowKey

from axom_tui.sanitize import clean_text
from axom_tui.ui import format as fmt
from axom_tui.ui.derive import ServerClock, StepRate, elapsed_seconds, eta_seconds, progress_of, smoothed_tail
from axom_tui.ui.status_style import progress_bar, status_colour, status_text

if TYPE_CHECKING:
    from axom_tui.store import RunStore

COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("mark", " ", 1),
    ("name", "Name", 26),
    ("type", "Type", 8),
    ("status", "Status", 15),
    ("progress", "Progress", 27),
    ("loss", "Loss", 8),
    ("retries", "Retr", 4),
    ("elapsed", "Elapsed", 7),
    ("eta", "ETA", 7),
    ("cost", "Cost", 8),
)
# Below ~110 columns the table keeps only what answers "how is it going?".
COMPACT_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("mark", " ", 1),
    ("name", "Name", 20),
    ("status", "Status", 14),
    ("progress", "Progress", 21),
    ("loss", "Loss", 7),
    ("eta", "ETA", 7),
)
SORTS = ("newest", "name", "status", "progress")
STATUS_ORDER = {s: i for i, s in enumerate(
    ("running", "checkpointing", "uploading", "preempted", "staging", "provisioning", "queued",
     "failed", "completed"))}


class KeyedText(Text):
    """A cell that remembers its row's job id, so custom sorts can see it."""

    job_id: str = ""


@dataclass
class _RowCache:
    values: dict[str, Any]
    rate: StepRate


class JobTable(DataTable):
    """All runs, newest first by default. Emits :class:`RunHighlighted` as the cursor moves."""

    BINDINGS = [
        Binding("space", "toggle_mark", "Mark", id="jobs.mark"),
        Binding("slash", "filter", "Filter", id="jobs.filter"),
        Binding("o", "cycle_sort", "Sort", id="jobs.sort"),
    ]

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

    _cell_update = False  # inside update_cell: see update_cell
    _CELL_CACHE_MAX = 20_000

    def __init__(self, store: RunStore, clock: ServerClock, *, ascii_mode: bool = False,
                 id: str | None = None) -> None:
        # Rendered cells that survive update_cell (see _render_cell); before super().__init__,
        # whose reactive watchers already clear caches.
        self._cells: dict[tuple[Any, ...], tuple[Any, Any]] = {}
        self._lines: dict[tuple[Any, ...], tuple[int, tuple[Any, ...], Any]] = {}
        self._cells_version = -1
        self._cell_updates = 0
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.store = store
        self.server_clock = clock
        self.ascii_mode = ascii_mode
        self.marked: set[str] = set()
        self.filter_text = ""
        self.sort_mode = "newest"
        self._rows: dict[str, _RowCache] = {}
        self._last_highlighted: str | None = None
        self._select_when_listed: str | None = None
        self.compact = False

    @property
    def columns_shown(self) -> tuple[tuple[str, str, int], ...]:
        return COMPACT_COLUMNS if self.compact else COLUMNS

    def on_mount(self) -> None:
        self._add_columns()

    def _add_columns(self) -> None:
        for key, label, width in self.columns_shown:
            self.add_column(label, key=key, width=width)

    def set_compact(self, compact: bool) -> None:
        """Switch between the full and the narrow column set, keeping the cursor's run."""
        if compact == self.compact:
            return
        self.compact = compact
        keep = self.selected_job_id
        self.clear(columns=True)
        self._rows.clear()
        self._add_columns()
        self.sync(None)
        self.select(keep)

    # ------------------------------------------------------------ queries

    @property
    def selected_job_id(self) -> str | None:
        if self.row_count == 0:
            return None
        try:
            row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        except CellDoesNotExist:
            return None
        return row_key.value

    def shows(self, job_id: str) -> bool:
        """Whether the run has a row (it may be filtered out, or not listed yet)."""
        return job_id in self._rows

    def visible_job_ids(self) -> list[str]:
        return [row.key.value for row in self.ordered_rows if row.key.value is not None]

    def _matches(self, job_id: str) -> bool:
        if not self.filter_text:
            return True
        run = self.store.runs.get(job_id)
        job = run.job if run else None
        if job is None:
            return False
        needle = self.filter_text.lower()
        return needle in job.display_name.lower() or needle in job.status.lower() or needle in job.type.lower()

    # ------------------------------------------------------------ updates

    def update_cell(self, row_key: RowKey | str, column_key: ColumnKey | str, value: Any, *,
                    update_width: bool = False) -> None:
        """Repaint only the cell that changed.

        ``DataTable.update_cell`` repaints the whole table: every visible row is rendered
        again and written to the terminal. The job list changes a few cells a second
        (step counts, elapsed, ETA), so that was most of the dashboard's CPU and output.
        Our columns have fixed widths, so a cell's region is all that can change.
        """
        if update_width:
            super().update_cell(row_key, column_key, value, update_width=True)
            return
        self._cell_update = True
        try:
            super().update_cell(row_key, column_key, value)
            self._cell_updates += 1
        finally:
            self._cell_update = False
        self.refresh_coordinate(self.get_cell_coordinate(row_key, column_key))

    @property
    def _version_beyond_cells(self) -> int:
        """DataTable's update counter without the bumps update_cell made: it moves when
        rows are added, removed or sorted, or columns, size or style change."""
        return self._update_count - self._cell_updates

    def _render_cell(self, row_index: int, column_index: int, base_style: Any, width: int,
                     cursor: bool = False, hover: bool = False) -> Any:
        """DataTable's cell render, cached across ``update_cell``.

        DataTable keys its cell cache on a counter every ``update_cell`` bumps, so one
        changed cell makes the next repaint of each row render all ten of its cells
        again through Rich (about half a millisecond each). Here a rendered cell is
        reused while its value is the very same object; anything else that bumps the
        counter (rows added, removed or sorted, resize, style) still drops the cache.
        Relies on DataTable internals of the pinned Textual (8.2.8).
        """
        if row_index < 0 or column_index < 0:  # header and row labels
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        version = self._version_beyond_cells
        if version != self._cells_version or len(self._cells) > self._CELL_CACHE_MAX:
            self._cells.clear()
            self._cells_version = version
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        value = self._data[row_key][column_key]
        key = (row_key, column_key, base_style, width, cursor, hover, self._show_hover_cursor,
               self._pseudo_class_state)
        hit = self._cells.get(key)
        if hit is not None and hit[0] is value:
            return hit[1]
        lines = super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        self._cells[key] = (value, lines)
        return lines

    def _render_line(self, y: int, x1: int, x2: int, base_style: Any) -> Any:
        """DataTable's line render, cached per row across ``update_cell`` like the cells.

        A tick of the clock changes the elapsed/ETA cells of the live rows; DataTable then
        renders every row again on the next repaint (its line cache is keyed on the same
        counter). A row's line is reused while each of its values is the very same object
        and nothing else about the row's look (cursor, hover, stripe, focus, width) moved.
        """
        try:
            row_key, line_in_row = self._get_offsets(y)
        except LookupError:
            return super()._render_line(y, x1, x2, base_style)
        if row_key is self._header_row_key:
            row_index, values = -1, ()  # labels change only with columns (a version bump)
        elif row_key in self._data:
            row_index, values = self._row_locations.get(row_key), tuple(self._data[row_key].values())
        else:
            return super()._render_line(y, x1, x2, base_style)
        key = (row_key, line_in_row, row_index, x1, x2, self.size.width, base_style,
               self.cursor_coordinate.row == row_index, self.hover_coordinate.row == row_index,
               self.cursor_type, self.show_cursor, self._show_hover_cursor, self._pseudo_class_state)
        version = self._version_beyond_cells
        hit = self._lines.get(key)
        if hit is not None and hit[0] == version and len(hit[1]) == len(values) \
                and all(a is b for a, b in zip(hit[1], values)):
            return hit[2]
        if len(self._lines) > self._CELL_CACHE_MAX // 10:
            self._lines.clear()
        strip = super()._render_line(y, x1, x2, base_style)
        self._lines[key] = (version, values, strip)
        return strip

    def _clear_caches(self) -> None:
        super()._clear_caches()
        self._cells.clear()
        self._lines.clear()

    def notify_style_update(self) -> None:
        self._cells.clear()
        self._lines.clear()
        super().notify_style_update()

    def refresh(self, *regions: Any, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> JobTable:
        if self._cell_update and not (regions or layout or recompose):
            return self  # update_cell's whole-table repaint: refresh_coordinate does it
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def sync(self, changed: set[str] | None = None) -> None:
        """Bring rows up to date: add new runs, update changed cells; ``None`` = check all."""
        wanted = [jid for jid in self.store.order if jid in self.store.runs and self._matches(jid)]
        wanted_set = set(wanted)
        added = False
        for job_id in list(self._rows):
            if job_id not in wanted_set:
                self._remove(job_id)
        for job_id in wanted:
            if job_id not in self._rows:
                self._add(job_id)
                added = True
            elif changed is None or job_id in changed:
                self._update(job_id)
        if added:
            wanted = self._select_when_listed
            self._apply_sort()
            if wanted in self._rows:
                self.select(wanted)
        self._emit_highlight()

    def refresh_time_cells(self) -> None:
        """Elapsed and ETA move with the clock even when no data arrives.

        Not for finished runs: theirs stopped with the run, and were set when the change
        that finished it arrived (a job change updates every cell of its row).
        """
        runs = self.store.runs
        for job_id in self._rows:
            run = runs.get(job_id)
            if run is not None and run.job is not None and run.job.terminal:
                continue
            self._update(job_id, only=("elapsed", "eta"))

    def _row_values(self, job_id: str, cache: _RowCache | None) -> tuple[dict[str, Text], StepRate]:
        run = self.store.runs[job_id]
        job = run.job
        status = job.status if job else "unknown"
        series = run.metrics
        progress = progress_of(job, series.last_step if len(series) else None)
        rate = cache.rate if cache else StepRate()
        rate.observe(progress.step)
        result = run.result
        if result is not None and result.loss_final is not None:
            loss = result.loss_final
        else:
            loss = smoothed_tail(series.column("loss")) if len(series) else None
        name = KeyedText(("⚠ " if run.gone else "") + clean_text(job.display_name if job else job_id, 60),
                         no_wrap=True, overflow="ellipsis")
        name.job_id = job_id
        bar_width = 4 if self.compact else 8
        bar = progress_bar(progress.fraction, bar_width, self.ascii_mode)
        return {
            "mark": Text("●" if job_id in self.marked else " ", style="bold"),
            "name": name,
            "type": Text(clean_text(job.type if job else "?", 12)),
            "status": status_text(status, self.app.theme_variables, self.ascii_mode),
            "progress": _progress_cell(bar, progress.label(), status, self.app.theme_variables),
            "loss": Text(fmt.metric(loss), justify="right"),
            "retries": Text(str(job.retries if job else 0), justify="right",
                            style="dim" if not job or not job.retries else ""),
            "elapsed": Text(fmt.duration(elapsed_seconds(job, self.server_clock.now())), justify="right"),
            "eta": Text(fmt.duration(eta_seconds(progress, rate, status)) if status != "completed" else "done",
                        justify="right"),
            "cost": Text(fmt.money(result.cost_usd) if result else "—", justify="right"),
        }, rate

    def _add(self, job_id: str) -> None:
        values, rate = self._row_values(job_id, None)
        self.add_row(*(values[key] for key, _, _ in self.columns_shown), key=job_id)
        self._rows[job_id] = _RowCache(values={k: _signature(v) for k, v in values.items()}, rate=rate)

    def _update(self, job_id: str, only: tuple[str, ...] | None = None) -> None:
        cache = self._rows[job_id]
        values, _ = self._row_values(job_id, cache)
        shown = {key for key, _, _ in self.columns_shown}
        for key, cell in values.items():
            if (only is not None and key not in only) or key not in shown:
                continue
            signature = _signature(cell)
            if cache.values.get(key) != signature:
                cache.values[key] = signature
                try:
                    self.update_cell(job_id, key, cell)
                except (CellDoesNotExist, RowDoesNotExist):
                    pass

    def restyle(self) -> None:
        """The theme changed: status colours come from it, so redraw those cells."""
        for job_id, cache in self._rows.items():
            cache.values.pop("status", None)
            self._update(job_id, only=("status",))

    def _remove(self, job_id: str) -> None:
        self._rows.pop(job_id, None)
        try:
            self.remove_row(job_id)
        except RowDoesNotExist:
            pass

    def rebuild(self) -> None:
        """Filter or sort changed: re-add rows, keeping the cursor on the same run."""
        keep = self.selected_job_id
        self.clear()
        self._rows.clear()
        self.sync(None)
        self.select(keep)

    def select(self, job_id: str | None) -> None:
        """Put the cursor on ``job_id``'s row; a run not listed yet gets it when it is."""
        if job_id is None:
            return
        try:
            index = self.get_row_index(job_id)
        except RowDoesNotExist:
            self._select_when_listed = job_id
            return
        self._select_when_listed = None
        self.move_cursor(row=index)

    def _apply_sort(self) -> None:
        keep = self.selected_job_id
        order = {jid: i for i, jid in enumerate(self.store.order)}

        def sort_key(row: tuple[Any, ...]) -> Any:
            job_id = getattr(row[1], "job_id", "")
            run = self.store.runs.get(job_id)
            job = run.job if run else None
            if self.sort_mode == "name":
                return (job.display_name.lower() if job else "", order.get(job_id, 0))
            if self.sort_mode == "status":
                return (STATUS_ORDER.get(job.status if job else "", 99), order.get(job_id, 0))
            if self.sort_mode == "progress":
                frac = progress_of(job, run.metrics.last_step if run and len(run.metrics) else None).fraction
                return (-(frac or 0.0), order.get(job_id, 0))
            return order.get(job_id, len(order))

        self.sort(key=sort_key)
        self.select(keep)

    def _emit_highlight(self) -> None:
        current = self.selected_job_id
        if current != self._last_highlighted:
            self._last_highlighted = current
            self.post_message(self.RunHighlighted(current))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._emit_highlight()

    # ------------------------------------------------------------ actions

    def action_toggle_mark(self) -> None:
        job_id = self.selected_job_id
        if job_id is None:
            return
        if job_id in self.marked:
            self.marked.discard(job_id)
        elif len(self.marked) >= 6:
            self.app.notify("Compare holds at most 6 runs; unmark one first.", severity="warning")
            return
        else:
            self.marked.add(job_id)
        self._update(job_id, only=("mark",))
        self.post_message(self.MarksChanged(frozenset(self.marked)))

    def action_filter(self) -> None:
        self.post_message(self.FilterRequested())

    def action_cycle_sort(self) -> None:
        self.sort_mode = SORTS[(SORTS.index(self.sort_mode) + 1) % len(SORTS)]
        self._apply_sort()
        self.app.notify(f"Sorted by {self.sort_mode}", timeout=2)

    def set_filter(self, text: str) -> None:
        if text != self.filter_text:
            self.filter_text = text
            self.rebuild()


def _progress_cell(bar: str, label: str, status: str, variables: dict[str, str]) -> Text:
    cell = Text(no_wrap=True)
    cell.append(bar, style=status_colour(status, variables))
    cell.append(f" {label}")
    return cell


def _signature(cell: Text) -> tuple[str, str]:
    return (cell.plain, str(cell.style))
