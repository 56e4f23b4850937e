"""Downloads panel: one row per download (state, bytes, speed, ETA) and the selected one's files.

Given its data by its screen (``show``, one snapshot at a time); ``x`` asks the app to
cancel the selected download (``DownloadCancelRequested``).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static
from textual.widgets.data_table import CellDoesNotExist, RowDoesNotExist

from axom_tui.download import DownloadProgress
from axom_tui.sanitize import clean_text
from axom_tui.ui import format as fmt
from axom_tui.ui.messages import DownloadCancelRequested
from axom_tui.ui.status_style import progress_bar

STATE_VARS = {"done": "success", "failed": "error", "cancelled": "warning", "refused": "error"}
COLUMNS = (("model", "Download", 30), ("state", "State", 12), ("bar", "", 12), ("bytes", "Bytes", 21),
           ("speed", "Speed", 12), ("eta", "ETA", 7), ("files", "Files", 7))


class DownloadsPanel(Vertical):
    DEFAULT_CSS = """
    DownloadsPanel { height: auto; max-height: 12; display: none; }
    DownloadsPanel.-active { display: block; }
    DownloadsPanel > DataTable { height: auto; max-height: 6; }
    DownloadsPanel > #download-files { height: auto; max-height: 5; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [Binding("x", "cancel", "Cancel download", id="downloads.cancel")]

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
        self.snapshots[snap.task_id] = snap
        self.add_class("-active")
        table = self.query_one(DataTable)
        cells = self._cells(snap)
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
        name = clean_text(f"{snap.model_name} {snap.version}".strip() or snap.model_id or "…", 40)
        state_text = Text(state, style=f"bold {colour}")
        if snap.reason and state in ("failed", "cancelled"):
            state_text = Text(f"{state}: {clean_text(snap.reason, 60)}", style=f"bold {colour}")
        return {
            "model": Text(name, no_wrap=True, overflow="ellipsis"),
            "state": state_text,
            "bar": Text(progress_bar(snap.fraction, 10), style=colour),
            "bytes": Text(f"{fmt.bytes_(snap.done_bytes)} / {fmt.bytes_(snap.total_bytes)}"),
            "speed": Text(fmt.rate(snap.speed) if not snap.final else "—"),
            "eta": Text(fmt.duration(snap.eta) if not snap.final else "—"),
            "files": Text(f"{snap.files_done}/{snap.files_total}"),
        }

    def _show_files(self, snap: DownloadProgress) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        if snap.dest is not None:
            text.append(f"→ {clean_text(snap.dest, 120)}", style="dim")
        if snap.reason and snap.final:
            text.append(f"\n{clean_text(snap.reason, 200)}")
        extras = [f"{n} {label}" for n, label in ((snap.resumes, "resumed"), (snap.resigns, "re-signed"),
                                                  (snap.retries, "retried")) if n]
        if extras:
            text.append("  (" + ", ".join(extras) + ")", style="dim")
        for f in snap.files:
            text.append(f"\n  {clean_text(f.rel, 60):<40} {str(f.state):<11} "
                        f"{fmt.bytes_(f.done)} / {fmt.bytes_(f.size)}")
            if f.reason:
                text.append(f"  {clean_text(f.reason, 80)}", style="dim")
        self.query_one("#download-files", Static).update(text)

    def action_cancel(self) -> None:
        task_id = self.selected_task_id()
        if task_id:
            self.post_message(DownloadCancelRequested(task_id))
