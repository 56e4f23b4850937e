"""The store → UI path as messages: data down (StoreChanged, DownloadProgressed), intents
up (RunChosen, CompareRequested, DownloadRequested, ExportRequested, DownloadCancelRequested).

Tests assert on the messages themselves (recorded with ``run_test(message_hook=…)``,
with the pump that received each one), as well as on what they lead to.
"""

from __future__ import annotations

from pathlib import Path

from textual._context import active_message_pump  # the pump a message_hook call is for
from textual.app import App, ComposeResult
from textual.message import Message
from textual.message_pump import MessagePump
from textual.widget import Widget

from axom_tui.download.progress import DownloadProgress, TaskState
from axom_tui.store import ChangeSet, GlobalAspect, RunAspect
from axom_tui.ui.messages import (
    CompareRequested,
    DownloadCancelRequested,
    DownloadProgressed,
    DownloadRequested,
    ExportRequested,
    RunChosen,
    StoreChanged,
)
from axom_tui.ui.screens.compare import CompareScreen
from axom_tui.ui.screens.dashboard import DashboardScreen
from axom_tui.ui.widgets.downloads_panel import DownloadsPanel
from axom_tui.ui.widgets.job_table import JobTable
from ui_helpers import app_on, role_id, sim_server, wait_for

R, G = RunAspect, GlobalAspect


class Recorder:
    """Every message dispatched in the app, with the pump it was dispatched to."""

    def __init__(self) -> None:
        self.seen: list[tuple[MessagePump, Message]] = []

    def __call__(self, message: Message) -> None:
        self.seen.append((active_message_pump.get(), message))

    def of(self, kind: type[Message], at: object = None) -> list:
        return [m for pump, m in self.seen if isinstance(m, kind) and (at is None or pump is at)]


def snapshot(task_id: str, state: TaskState, done: int) -> DownloadProgress:
    return DownloadProgress(
        task_id=task_id,
        model_id="m1",
        model_name="tiny",
        version="v1",
        dest=Path("/tmp/x"),
        state=state,
        reason="",
        files=(),
        total_bytes=100,
        done_bytes=done,
        speed=0.0,
        eta=None,
        files_done=0,
        files_failed=0,
        files_total=1,
        resumes=0,
        resigns=0,
        retries=0,
        elapsed=1.0,
    )


# ---------------------------------------------------------------- collapsing a backlog


class Sink(Widget):
    def __init__(self) -> None:
        super().__init__()
        self.changes: list[ChangeSet] = []
        self.snapshots: list[DownloadProgress] = []

    def on_store_changed(self, message: StoreChanged) -> None:
        self.changes.append(message.changes)

    def on_download_progressed(self, message: DownloadProgressed) -> None:
        self.snapshots.append(message.snapshot)


class SinkApp(App):
    def compose(self) -> ComposeResult:
        yield Sink()


async def test_a_backlog_of_store_changes_is_handled_once_and_loses_no_change():
    app = SinkApp()
    async with app.run_test() as pilot:
        sink = app.query_one(Sink)
        parts = [
            ChangeSet({"a": {R.JOB}}),
            ChangeSet({"a": {R.LOGS}, "b": {R.METRICS}}),
            ChangeSet(globals={G.LIST}),
        ]
        for part in parts:  # queued together: the widget has not run in between
            sink.post_message(StoreChanged(part))
        await pilot.pause()
        assert sink.changes == [ChangeSet({"a": {R.JOB, R.LOGS}, "b": {R.METRICS}}, {G.LIST})]
        sink.post_message(StoreChanged(ChangeSet({"c": {R.RESULT}})))
        await pilot.pause()
        assert sink.changes[1:] == [ChangeSet({"c": {R.RESULT}})]  # nothing carried over twice


async def test_a_backlog_of_download_progress_keeps_the_latest_of_each_task_and_every_end():
    app = SinkApp()
    async with app.run_test() as pilot:
        sink = app.query_one(Sink)
        for snap in (
            snapshot("t1", TaskState.DOWNLOADING, 10),
            snapshot("t2", TaskState.DOWNLOADING, 5),
            snapshot("t2", TaskState.DOWNLOADING, 50),
            snapshot("t2", TaskState.DONE, 100),
        ):
            sink.post_message(DownloadProgressed(snap))
        await pilot.pause()
        assert [(s.task_id, s.done_bytes) for s in sink.snapshots] == [("t1", 10), ("t2", 100)]
        assert sink.snapshots[-1].final


async def test_cancel_in_the_downloads_panel_asks_the_app():
    class PanelApp(App):
        def compose(self) -> ComposeResult:
            yield DownloadsPanel()

    recorder = Recorder()
    app = PanelApp()
    async with app.run_test(message_hook=recorder) as pilot:
        panel = app.query_one(DownloadsPanel)
        panel.show(snapshot("t9", TaskState.DOWNLOADING, 10))
        await pilot.pause()
        panel.query_one("#download-table").focus()
        await pilot.press("x")
        await pilot.pause()
        assert [m.task_id for m in recorder.of(DownloadCancelRequested, at=app)] == ["t9"]


# ---------------------------------------------------------------- the dashboard


async def test_store_changes_and_download_progress_reach_the_dashboard_as_messages(tmp_path):
    recorder = Recorder()
    with sim_server() as server:
        async with app_on(server, tmp_path, message_hook=recorder) as (app, services, pilot, _):
            dashboard = app.screen
            assert isinstance(dashboard, DashboardScreen)
            arrived = recorder.of(StoreChanged, at=dashboard)
            assert any(G.LIST in m.changes.globals for m in arrived)
            # only to the screens that show data: a message to Textual's default screen
            # under the dashboard repaints the whole dashboard
            assert {pump for pump, m in recorder.seen if isinstance(m, StoreChanged)} == {dashboard}
            assert set(services.store.order) <= set().union(*(m.changes.run_ids for m in arrived))

            done = role_id(server.sim, "done-contract")
            await wait_for(
                pilot,
                lambda: services.store.model_for_job(done) is not None,
                what="the models list",
            )
            app.post_message(RunChosen(done))
            await wait_for(pilot, lambda: dashboard.selected == done, what="the run chosen")
            await pilot.press("d")
            await wait_for(
                pilot,
                lambda: any(
                    m.snapshot.final for m in recorder.of(DownloadProgressed, at=dashboard)
                ),
                timeout=20,
                what="the download's last progress",
            )
            assert [m.job_id for m in recorder.of(DownloadRequested, at=app)] == [done]
            final = [m.snapshot for m in recorder.of(DownloadProgressed, at=dashboard)][-1]
            assert str(final.state) == "done"
            assert dashboard.query_one(DownloadsPanel).snapshots[final.task_id] == final


async def test_dashboard_keys_send_intents_up_to_the_app(tmp_path):
    recorder = Recorder()
    with sim_server() as server:
        async with app_on(server, tmp_path, message_hook=recorder) as (app, _, pilot, _):
            dashboard = app.screen
            table = dashboard.query_one(JobTable)
            first = table.selected_job_id
            await wait_for(pilot, lambda: dashboard.selected == first, what="the first run shown")
            await pilot.press("e")
            await wait_for(pilot, lambda: recorder.of(ExportRequested, at=app), what="export")
            assert [m.job_id for m in recorder.of(ExportRequested, at=app)] == [first]

            await pilot.press("space", "down", "space")
            second = table.selected_job_id
            await pilot.press("c")
            await wait_for(pilot, lambda: isinstance(app.screen, CompareScreen), what="compare")
            assert [m.job_ids for m in recorder.of(CompareRequested, at=app)] == [[first, second]]
            compare = app.screen
            await wait_for(
                pilot,
                lambda: recorder.of(StoreChanged, at=compare),
                what="changes delivered to the compare screen",
            )
