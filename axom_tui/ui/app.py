"""AxomApp: wires the services (client, store, scheduler, downloads) to the screens."""

from __future__ import annotations

import asyncio
import gc
import importlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual import events
from textual.app import App, ScreenStackError, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from axom_tui.base.sanitize import clean_text
from axom_tui.ui.commands import RunCommands
from axom_tui.ui.crash import redacted_traceback_text
from axom_tui.ui.downloads import DownloadDesk, download_toast
from axom_tui.ui.key_routing import KeyRouter
from axom_tui.ui.messages import (
    CompareRequested,
    DashboardAction,
    DownloadCancelRequested,
    DownloadProgressed,
    DownloadRequested,
    ExportRequested,
    RunChosen,
    StoreChanged,
)
from axom_tui.ui.notifications import Notifier
from axom_tui.ui.screens.dashboard import DashboardScreen
from axom_tui.ui.screens.help import HelpScreen, binding_sections
from axom_tui.ui.screens.quit_confirm import QuitConfirmScreen
from axom_tui.ui.settings import UiSettings
from axom_tui.ui.widgets.header_bar import HeaderBar
from axom_tui.view.derive import ServerClock

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from axom_tui.download.manager import DownloadManager
    from axom_tui.download.progress import DownloadProgress
    from axom_tui.runtime.services import Services

HTTP_MODULES = ("axom_tui.api.http",)
CHART_MODULES = ("axom_tui.charting.views", "axom_tui.charting.render")
DUPLICATE_SYSTEM_COMMANDS = frozenset(
    {"Keys", "Screenshot"}
)  # "Help: all keys", "Save a screenshot"
FLUSH_DELAY = 0.25  # coalesce store changes: widgets redraw at most 4 times a second


class AxomApp(App):
    TITLE = "axom-tui"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {RunCommands}
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("S", "screenshot", "Screenshot", id="screenshot", show=False),
        Binding("T", "next_theme", "Theme", id="theme.next", show=False),
        Binding(
            "ctrl+p", "command_palette", "Command palette", id="palette", show=False, priority=True
        ),
    ]

    def __init__(self, services: Services, ui_settings: UiSettings | None = None) -> None:
        super().__init__()
        self.services = services
        self.store = services.store  # what the command palette reads
        self.ui_settings = ui_settings or UiSettings()
        self.server_clock = ServerClock()
        self.notifier = Notifier(
            services.store,
            self.ui_settings,
            notice=self._notice,
            bell=self.bell,
            write_terminal=self._write_terminal,
        )
        self.downloads = DownloadDesk(services.store, self._open_downloads, self._toast)
        self.keys = KeyRouter(self)
        self._flush_pending = False
        self._dashboard: DashboardScreen | None = None
        self._told_theme_saved = False
        from axom_tui.base.glyphs import set_ascii

        set_ascii(self.ui_settings.ascii)  # the glyphs every widget and formatter draws
        from axom_tui.ui.theming import install_themes

        self._theme_messages = install_themes(self, self.ui_settings.theme)

    # ------------------------------------------------------------ start / stop

    def get_driver_class(self):
        from axom_tui.ui.session import quiet_driver_class

        return quiet_driver_class(super().get_driver_class())

    def get_theme_variable_defaults(self) -> dict[str, str]:
        # Status and chart colours exist in every theme, Textual's built-in ones too.
        from axom_tui.config.theme_files import theme_variable_defaults

        return {**super().get_theme_variable_defaults(), **theme_variable_defaults()}

    def on_mount(self) -> None:
        for message in self._theme_messages:
            self.notify(message, severity="warning", timeout=8)
        self.set_class(self.ui_settings.ascii, "-ascii")
        if self.ui_settings.keymap:
            self.set_keymap(self.ui_settings.keymap)
        self._dashboard = DashboardScreen(
            self.services.store, self.services.scheduler, self.ui_settings, self.server_clock
        )
        self.push_screen(self._dashboard)
        self.services.store.set_dirty_callback(self._on_store_dirty)
        # Connect once the first frame is out: the dashboard appears at once and its data
        # a moment later, rather than after the network stack has loaded and the first
        # answers have been fetched and drawn.
        self.call_after_refresh(self._start_services)
        self.theme_changed_signal.subscribe(self, self._on_theme_changed)
        # Everything allocated so far (modules, widgets, styles) lives as long as the app:
        # take it out of the collector's sight so full collections stop stalling frames
        # (and turn the collector back on if start-up had it off: see cli.main).
        self.call_after_refresh(_freeze_start_up_objects)

    def _start_services(self) -> None:
        # The chart engine (numpy, plotext) loads in the background meanwhile, so the
        # first chart does not stall the event loop importing it.
        threading.Thread(
            target=_preload, args=(CHART_MODULES,), name="preload-charts", daemon=True
        ).start()
        self.run_worker(self._poll(), name="poll-scheduler", group="poll", exit_on_error=False)

    async def _poll(self) -> None:
        # Blocking start-up work goes to a thread, not the event loop: serving the demo's
        # simulator (it loads uvicorn) and loading the HTTP layer the first poll needs.
        if self.services.demo_server is not None:
            try:
                await asyncio.to_thread(self.services.start_demo)
            except Exception as exc:  # e.g. the port could not be served
                self.notify(
                    f"The demo simulator did not start: {clean_text(str(exc), 200)}",
                    title="Demo",
                    severity="error",
                    timeout=30,
                )
                return
        history = await self.services.start_history()  # cached runs on screen, then fetches
        if history is not None:
            history.set_notice_handler(self._history_notice)
            history.on_restored = self._flush_changes  # a chosen run's history: now, not in 0.25 s
            self._flush_changes()  # the cached job list
        await asyncio.to_thread(_preload, HTTP_MODULES)
        await self.services.scheduler.run()

    def _history_notice(self, text: str) -> None:
        self.notify(clean_text(text, 300), title="Run cache", severity="warning", timeout=12)

    async def on_unmount(self) -> None:
        from axom_tui.base.glyphs import set_ascii

        set_ascii(False)  # the switch is process-wide: the next app (a test's) starts clean
        await self.services.aclose()

    def _fatal_error(self) -> None:
        # Textual's own crash screen prints local variables, which could include the key.
        self.bell()
        text = redacted_traceback_text(self.services.client.key)
        self._exit_renderables.append(Text(text))
        self._close_messages_no_wait()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: str = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Toasts are plain text: they carry server text (run names, errors), which must
        never be parsed as Textual markup (``[@click=…]``, ``[link=…]``, or a MarkupError)."""
        level = cast("SeverityLevel", severity)
        super().notify(message, title=title, severity=level, timeout=timeout, markup=markup)

    def _toast(self, message: str, **options: Any) -> None:
        # Looked up at each call, not bound once: a test may swap ``notify`` after start.
        self.notify(message, **options)

    def show_notice(self, title: str, body: str, *, error: bool = False) -> None:
        """A run's news, once: in the header of the screen on top (a repaint of one line),
        or the dashboard's (under a dialog, its header stays in sight). Never a toast."""
        screen = self._screen_or_none()
        if isinstance(screen, Screen) and screen is not self._dashboard:
            for header in screen.query(HeaderBar).results():
                header.notice(title, body, error=error)
                return
        if self._dashboard is not None and self._dashboard.is_mounted:
            self._dashboard.notice(title, body, error=error)

    def _notice(self, title: str, body: str, error: bool) -> None:
        self.show_notice(title, body, error=error)

    def _write_terminal(self, text: str) -> None:
        if self._driver is not None and not self.is_headless:
            self._driver.write(text)

    def _screen_or_none(self) -> object:
        try:
            return self.screen
        except ScreenStackError:
            return None

    # ------------------------------------------------------------ keys

    async def on_event(self, event: events.Event) -> None:
        if self.keys.take(event):  # an input is opening: the key is its own
            return
        await super().on_event(event)

    async def run_action(self, action, default_namespace=None, namespaces=None) -> bool:  # noqa: ANN001
        if isinstance(action, str) and self.keys.opens_input(action, default_namespace):
            self.keys.hold()
        return await super().run_action(action, default_namespace, namespaces)

    async def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        await self.keys.focused(event.widget, self.on_event)

    # ------------------------------------------------------------ store → widgets

    def _on_store_dirty(self) -> None:
        if not self._flush_pending:
            self._flush_pending = True
            self.set_timer(FLUSH_DELAY, self._flush_changes)

    def _flush_changes(self) -> None:
        self._flush_pending = False
        changes = self.services.store.drain_changes()
        if not changes:
            return
        scheduler = self.services.scheduler  # runs on screen now are watched: their end is news
        for job_id in (scheduler.focused, *scheduler.visible):
            self.notifier.watch(job_id)
        self.notifier.observe(changes)
        for screen in self._data_screens():
            screen.post_message(StoreChanged(changes))

    def _on_download_progress(self, snapshot: DownloadProgress) -> None:
        toast = download_toast(snapshot)
        if toast is not None:
            self.notify(
                toast.message, title=toast.title, severity=toast.severity, timeout=toast.timeout
            )
        for screen in self._data_screens():
            screen.post_message(DownloadProgressed(snapshot))

    def _data_screens(self) -> list[Screen]:
        """Where data goes: the dashboard, and the screen on top of it if another.

        Not every screen on the stack: a screen under the top one repaints the top one
        wherever it is itself dirty once it has handled a message (it may show through),
        and Textual's default screen under the dashboard is dirty all over, so a message
        to it made every flush a whole-screen write (measured: twice the bytes on --demo).
        """
        screens: list[Screen] = []
        if self._dashboard is not None and self._dashboard.is_mounted:
            screens.append(self._dashboard)
        top = self._screen_or_none()  # None: shutting down, the screens are gone
        if isinstance(top, Screen) and top is not self._dashboard:
            screens.append(top)
        return screens

    def _open_downloads(self) -> DownloadManager:
        return self.services.open_downloads(
            self._on_download_progress, self.ui_settings.download_dir
        )

    def _on_theme_changed(self, _theme: object) -> None:
        if self._dashboard is not None:
            self._dashboard.restyle()
        path = self.ui_settings.config_path
        if path is not None and self.ui_settings.save_theme:
            from axom_tui.config import save_theme_choice

            try:
                save_theme_choice(path, self.theme)
            except Exception as exc:  # a read-only config must not break theme switching
                self.notify(
                    f"Could not save theme choice: {clean_text(exc, 120)}", severity="warning"
                )
                return
            if not self._told_theme_saved:  # once: the file is written quietly after that
                self._told_theme_saved = True
                self.notify(f"Theme choice saved to {clean_text(str(path), 200)}", timeout=4)

    def get_system_commands(self, screen: Screen) -> Iterator[SystemCommand]:
        """Textual's palette entries but those ours already have (help, screenshot): one
        entry per thing to do."""
        for command in super().get_system_commands(screen):
            if command.title not in DUPLICATE_SYSTEM_COMMANDS:
                yield command

    # ------------------------------------------------------------ actions

    async def action_quit(self) -> None:
        """Quit; while downloads run, ask first (ui/screens/quit_confirm.py)."""
        manager = self.services.downloads
        running = len(manager.running) if manager is not None else 0
        if not running or isinstance(self._screen_or_none(), QuitConfirmScreen):
            self.exit()
            return

        def answered(quit_now: bool | None) -> None:
            if quit_now:
                self.exit()

        self.push_screen(QuitConfirmScreen(running), answered)

    def action_help(self) -> None:
        self.push_screen(HelpScreen(binding_sections(type(self)), self.ui_settings.keymap))

    def action_next_theme(self) -> None:
        names = sorted(n for n in self.available_themes if n.startswith("axom"))
        if names:
            current = names.index(self.theme) if self.theme in names else -1
            self.theme = names[(current + 1) % len(names)]
            self.notify(f"Theme: {self.theme}", timeout=2)

    # ------------------------------------------------------------ intents (messages up)

    def on_compare_requested(self, message: CompareRequested) -> None:
        from axom_tui.ui.screens.compare import CompareScreen

        job_ids = message.job_ids
        if len(job_ids) < 2:
            self.notify(
                "Mark 2–6 runs with space, then press c to compare them side by side.",
                severity="warning",
                timeout=4,
            )
            return
        self.push_screen(
            CompareScreen(
                job_ids[:6], self.services.store, self.services.scheduler, self.ui_settings
            )
        )

    def on_run_chosen(self, message: RunChosen) -> None:
        self._back_to_dashboard()
        if self._dashboard is not None:
            self._dashboard.go_to_run(message.job_id)

    async def on_dashboard_action(self, message: DashboardAction) -> None:
        self._back_to_dashboard()
        if self._dashboard is not None:
            await self._dashboard.run_action(message.action)

    def _back_to_dashboard(self) -> None:
        if self._dashboard is not None and self._screen_or_none() is not self._dashboard:
            self.pop_screen()

    def on_download_requested(self, message: DownloadRequested) -> None:
        if self.services.offline is not None:
            self.notify(
                "Downloads need the service: this dashboard shows a bundle file.",
                severity="warning",
                timeout=4,
            )
            return
        self.downloads.start(message.job_id)

    def on_download_cancel_requested(self, message: DownloadCancelRequested) -> None:
        self.downloads.cancel(message.task_id)

    def on_export_requested(self, message: ExportRequested) -> None:
        from axom_tui.ui.export_action import start_export

        start_export(self, message.job_id)

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        folder = Path(path) if path else self.ui_settings.screenshot_dir or Path.cwd()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = self.save_screenshot(filename, path=str(folder))
        except OSError as exc:
            self.notify(f"Screenshot failed: {clean_text(exc, 160)}", severity="error")
            return
        self.notify(f"Saved {clean_text(path, 160)}", title="Screenshot")


def _preload(modules: tuple[str, ...]) -> None:
    for module in modules:
        importlib.import_module(module)


GC_YOUNG_THRESHOLD = 10_000  # allocations between young collections (CPython: 700)


def _freeze_start_up_objects() -> None:
    gc.freeze()
    # Every repaint allocates thousands of short-lived segments and styles; at the default
    # threshold the collector ran ~3 times a second, 0.6 % of a core on --demo. At 10,000
    # most of them are gone before a collection looks: 0.2 %, pauses ~12 ms.
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    gc.enable()
