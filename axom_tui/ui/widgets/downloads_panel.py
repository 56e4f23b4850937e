"""Downloads panel: one row per download (state, bytes, speed, ETA) and the selected one's files.

Given its data by its screen (``show``, one snapshot at a time); ``x`` asks the app to
cancel the selected download (``DownloadCancelRequested``), ``C`` clears the finished
rows, ``escape`` closes the panel (``Closed``: the screen moves the focus on). A new
download opens it again; a download of a model that already has a finished row in the
same folder takes that row's place instead of adding an identical one.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static
from textual.widgets.data_table import CellDoesNotExist, RowDoesNotExist

from axom_tui.base.glyphs import dash, glyph
from axom_tui.base.sanitize import clean_text
from axom_tui.base.units import human_bytes, human_rate
from axom_tui.download import DownloadProgress
from axom_tui.ui.messages import DownloadCancelRequested
from axom_tui.ui.status_style import progress_bar
from axom_tui.view import format as fmt

STATE_VARS = {"done": "success", "failed": "error", "cancelled": "warning", "refused": "error"}
COLUMNS = (
    ("model", "Download", 30),
    ("state", "State", 12),
    ("bar", "", 12),
    ("bytes", "Bytes", 21),
    ("speed", "Speed", 12),
    ("eta", "ETA", 7),
    ("files", "Files", 7),
)


class DownloadsPanel(Vertical):
    DEFAULT_CSS = """
    DownloadsPanel { height: auto; max-height: 12; display: none; }
    DownloadsPanel.-active { display: block; }
    DownloadsPanel.-active.-closed { display: none; }
    DownloadsPanel > DataTable { height: auto; max-height: 6; }
    DownloadsPanel > #download-files { height: auto; max-height: 5; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("x", "cancel", "Cancel download", id="downloads.cancel"),
        Binding("C", "clear_finished", "Clear finished downloads", id="downloads.clear"),
        Binding("escape", "close", "Close the downloads panel", id="downloads.close"),
        Binding("j", "move(1)", "Next download", id="downloads.down", show=False),
        Binding("k", "move(-1)", "Previous download", id="downloads.up", show=False),
        Binding("g", "move(-10000)", "First download", id="downloads.first", show=False),
        Binding("G", "move(10000)", "Last download", id="downloads.last", show=False),
    ]

    class Closed(Message):
        """The panel was closed (or emptied) by the user: focus belongs elsewhere now."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.snapshots: dict[str, DownloadProgress] = {}

    def compose(self) -> ComposeResult:
        table: DataTable = DataTable(cursor_type="row", id="download-table")
        yield table
        yield Static(id="download-files")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, label, width in COLUMNS:
            table.add_column(label, key=key, width=width)

    def show(self, snap: DownloadProgress) -> None:
        table = self.query_one(DataTable)
        cells = self._cells(snap)
        if snap.task_id not in self.snapshots:
            for old in self._same_download(snap):
                self._remove(old)
            self.remove_class("-closed")  # a new download shows itself
        self.snapshots[snap.task_id] = snap
        self.add_class("-active")
        if snap.task_id not in {k.value for k in table.rows}:
            table.add_row(*cells.values(), key=snap.task_id)
        else:
            for key, value in cells.items():
                try:
                    table.update_cell(snap.task_id, key, value)
                except (CellDoesNotExist, RowDoesNotExist):
                    pass
        if self.selected_task_id() == snap.task_id:
            self._show_files(snap)

    def _same_download(self, snap: DownloadProgress) -> list[str]:
        """Finished rows of the same model into the same folder (``snap`` supersedes them)."""
        if not snap.model_id:
            return []
        return [
            task_id
            for task_id, old in self.snapshots.items()
            if old.final and old.model_id == snap.model_id and old.dest == snap.dest
        ]

    def _remove(self, task_id: str) -> None:
        self.snapshots.pop(task_id, None)
        try:
            self.query_one(DataTable).remove_row(task_id)
        except RowDoesNotExist:
            pass

    def action_clear_finished(self) -> None:
        finished = [task_id for task_id, snap in self.snapshots.items() if snap.final]
        for task_id in finished:
            self._remove(task_id)
        if not self.snapshots:
            self.remove_class("-active")
            self.query_one("#download-files", Static).update("")
            self.post_message(self.Closed())
        else:
            selected = self.snapshots.get(self.selected_task_id() or "")
            if selected is not None:
                self._show_files(selected)

    def action_close(self) -> None:
        if self.screen.maximized is not None:  # esc first restores a maximized pane (z)
            self.screen.minimize()
            return
        self.add_class("-closed")
        self.post_message(self.Closed())

    def reopen(self) -> bool:
        """Show the panel again (``D``); False when there is nothing to show."""
        if not self.snapshots:
            return False
        self.remove_class("-closed")
        return True

    def selected_task_id(self) -> str | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        try:
            return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except CellDoesNotExist:
            return None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        snap = self.snapshots.get(event.row_key.value or "")
        if snap is not None:
            self._show_files(snap)

    def _cells(self, snap: DownloadProgress) -> dict[str, Text]:
        variables = self.app.theme_variables
        state = str(snap.state)
        colour = variables.get(STATE_VARS.get(state, "accent"), "")
        name = clean_text(
            f"{snap.model_name} {snap.version}".strip() or snap.model_id or glyph("ellipsis"), 40
        )
        state_text = Text("up to date" if snap.already_present else state, style=f"bold {colour}")
        if snap.reason and state in ("failed", "cancelled"):
            state_text = Text(f"{state}: {clean_text(snap.reason, 60)}", style=f"bold {colour}")
        return {
            "model": Text(name, no_wrap=True, overflow="ellipsis"),
            "state": state_text,
            "bar": Text(progress_bar(snap.fraction, 10), style=colour),
            "bytes": Text(f"{human_bytes(snap.done_bytes)} / {human_bytes(snap.total_bytes)}"),
            "speed": Text(human_rate(snap.speed) if not snap.final else dash()),
            "eta": Text(fmt.duration(snap.eta) if not snap.final else dash()),
            "files": Text(f"{snap.files_done}/{snap.files_total}"),
        }

    def _show_files(self, snap: DownloadProgress) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        if snap.dest is not None:
            text.append(f"{glyph('arrow')} {clean_text(snap.dest, 120)}", style="dim")
        if snap.reason and snap.final:
            text.append(f"\n{clean_text(snap.reason, 200)}")
        extras = [
            f"{n} {label}"
            for n, label in (
                (snap.resumes, "resumed"),
                (snap.resigns, "re-signed"),
                (snap.retries, "retried"),
            )
            if n
        ]
        if extras:
            text.append("  (" + ", ".join(extras) + ")", style="dim")
        for f in snap.files:
            text.append(
                f"\n  {clean_text(f.rel, 60):<40} {str(f.state):<11} "
                f"{human_bytes(f.done)} / {human_bytes(f.size)}"
            )
            if f.reason:
                text.append(f"  {clean_text(f.reason, 80)}", style="dim")
        self.query_one("#download-files", Static).update(text)

    def action_move(self, rows: int) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + rows)))

    def action_cancel(self) -> None:
        task_id = self.selected_task_id()
        if task_id:
            self.post_message(DownloadCancelRequested(task_id))
