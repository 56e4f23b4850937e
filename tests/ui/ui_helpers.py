"""Helpers for the dashboard's Pilot tests (tests/ui/test_app_*.py, tests/ui/test_log_view*.py).

The app runs against the real simulator over loopback HTTP (the same path as ``--demo``),
sped up so that runs move within a test's few seconds. Conditions are polled with
:func:`wait_for` in small steps; no test sleeps for a fixed long time.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from textual.app import App, ComposeResult
from textual.widgets import Footer

from axom_tui.api.records import LogLine
from axom_tui.api.secret import ApiKey
from axom_tui.poll import PollPolicy
from axom_tui.runtime.services import Services, build_services
from axom_tui.sim import SimConfig, SimServer, Simulator
from axom_tui.sim.scenario import ROLE_ORDER
from axom_tui.ui.app import AxomApp
from axom_tui.ui.messages import RunChosen
from axom_tui.ui.settings import UiSettings
from axom_tui.ui.widgets.log_view import LogView
from axom_tui.ui.widgets.log_view_chrome import LogStatusLine

KEY = "axom_live_uitest0123456789abcdefSECRET42"
WRONG_KEY = "axom_live_wrongwrongwrongwrongwrong0000"
SIZE = (160, 48)
SPEED = 60.0
# Small models: a download finishes in well under a second over loopback.
MODEL_BYTES = 256_000
# No old runs beyond the scripted ten (the default adds 8): a short job table redraws
# faster, and every test gets the same rows. No automatic submissions unless asked for.
HISTORY_RUNS = 0


@contextmanager
def sim_server(**overrides: Any) -> Iterator[SimServer]:
    """A simulator (seed 7, 60× speed) served on 127.0.0.1:<free port>; stopped on exit."""
    options: dict[str, Any] = {
        "seed": 7,
        "speed": SPEED,
        "key": KEY,
        "model_bytes": MODEL_BYTES,
        "history_runs": HISTORY_RUNS,
        "submit_every": 0.0,
    }
    options.update(overrides)
    server = SimServer(Simulator(SimConfig(**options)), host="127.0.0.1", port=0)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def role_id(sim: Simulator, role: str) -> str:
    """Job id of one run of the scripted opening scenario (see axom_tui/sim/scenario.py)."""
    index = ROLE_ORDER.index(role)
    return next(r.spec.id for r in sim.runs if r.spec.index == index)


def make_app(
    server: SimServer,
    tmp_path: Path,
    *,
    key: str = KEY,
    policy: PollPolicy | None = None,
    **settings: Any,
) -> tuple[AxomApp, Services]:
    services = build_services(server.base_url, ApiKey(key), policy=policy)
    options: dict[str, Any] = {
        "notify_desktop": False,
        "download_dir": tmp_path / "downloads",
        "export_dir": tmp_path / "exports",
        "screenshot_dir": tmp_path / "shots",
    }
    options.update(settings)
    return AxomApp(services, UiSettings(**options)), services


async def wait_for(
    pilot,
    predicate: Callable[[], Any],
    timeout: float = 15.0,
    step: float = 0.05,
    what: str = "condition",
) -> None:
    """Let the app run in small steps until ``predicate()`` is true; fail after ``timeout``.

    Plain sleeps, not ``pilot.pause``: that one forces a full screen refresh every step.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        await asyncio.sleep(step)


async def started(pilot, app: AxomApp) -> None:
    """Wait until the job list has loaded and the table shows every run."""
    from axom_tui.ui.widgets.job_table import JobTable

    store = app.services.store
    await wait_for(pilot, lambda: len(store.order) > 0, what="the first job list")
    table = app.screen.query_one(JobTable)
    await wait_for(
        pilot,
        lambda: table.row_count == len(store.order) and table.selected_job_id,
        what="the job table to fill",
    )


@asynccontextmanager
async def app_on(
    server: SimServer,
    tmp_path: Path,
    *,
    size: tuple[int, int] = SIZE,
    message_hook: Callable[[Any], None] | None = None,
    **options: Any,
) -> AsyncIterator[tuple[AxomApp, Services, Any, Toasts]]:
    """make_app's app run headless at ``size`` with its toasts recorded, once started (the
    job table full): ``async with app_on(server, tmp_path) as (app, services, pilot, toasts)``."""
    app, services = make_app(server, tmp_path, **options)
    toasts = record_notifications(app)
    async with app.run_test(size=size, message_hook=message_hook) as pilot:
        await started(pilot, app)
        yield app, services, pilot, toasts


async def choose(pilot: Any, app: AxomApp, sim: Simulator, role: str) -> str:
    """Choose the run that plays ``role`` (as a click in the table does); its id once the
    dashboard has it selected."""
    job_id = role_id(sim, role)
    app.post_message(RunChosen(job_id))
    await wait_for(pilot, lambda: app.screen.selected == job_id, what="selection")
    return job_id


@dataclass
class Toasts:
    """Every ``app.notify`` call (toasts expire from ``app._notifications``; these don't)."""

    calls: list[dict[str, Any]] = field(default_factory=list)

    def with_severity(self, severity: str) -> list[dict[str, Any]]:
        return [c for c in self.calls if c["severity"] == severity]

    def matching(self, needle: str) -> list[dict[str, Any]]:
        return [c for c in self.calls if needle in str(c["message"]) or needle in c["title"]]


def record_notifications(app: AxomApp) -> Toasts:
    toasts = Toasts()
    original = app.notify

    def notify(message, *, title: str = "", severity: str = "information", **options) -> None:
        toasts.calls.append({"message": message, "title": title, "severity": severity, **options})
        original(message, title=title, severity=severity, **options)  # the app's own defaults

    app.notify = notify  # type: ignore[method-assign]
    return toasts


def screen_text(app: AxomApp) -> str:
    """The current screen as plain text, rendered the way ``export_screenshot`` renders it."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text(styles=False)


def renderable_text(renderable: Any, width: int = 120) -> str:
    console = Console(width=width, file=io.StringIO(), record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def widget_text(widget: Any, width: int = 160) -> str:
    """What a Static holds (its content as last updated), as plain text."""
    content = widget.content
    if isinstance(content, str):
        return content
    return renderable_text(content, width)


# ---------------------------------------------------------------- the log pane on its own
# (tests/ui/test_log_view*.py: a LogView with its docked chrome in a tiny host app)

LOG_SIZE = (100, 30)


class Host(App[None]):
    """A bare app holding one focused LogView (and a Footer)."""

    def __init__(self, max_lines: int = 10_000) -> None:
        super().__init__()
        self.max_lines = max_lines

    def compose(self) -> ComposeResult:
        yield LogView(max_lines=self.max_lines)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(LogView).focus()


def batch(start: int, stop: int, fmt: str = "line {}", stream: str = "stdout") -> list[LogLine]:
    return [LogLine(seq=i, text=fmt.format(i), stream=stream) for i in range(start, stop)]


def screen_rows(view: LogView) -> list[str]:
    """The text of every log row visible above the docked chrome (padding stripped)."""
    return [view.render_line(y).text.rstrip() for y in range(view.view_height)]


def log_rows(view: LogView) -> int:
    """Rows of log content the view scrolls over (its virtual height minus the chrome)."""
    return view.virtual_size.height - view._chrome.rows


def status_text(app: App[None]) -> str:
    return app.query_one(LogStatusLine).content.plain


async def settle(pilot, view: LogView) -> None:  # type: ignore[no-untyped-def]
    view.flush()
    await pilot.pause()


@asynccontextmanager
async def log_view_holding(
    lines: list[LogLine] | None = None, *, max_lines: int = 10_000, size: tuple[int, int] = LOG_SIZE
) -> AsyncIterator[tuple[Host, Any, LogView]]:
    """Host's LogView running at ``size``, given ``lines`` and settled when there are any:
    ``async with log_view_holding(batch(0, 200)) as (app, pilot, view)``."""
    app = Host(max_lines)
    async with app.run_test(size=size) as pilot:
        view = app.query_one(LogView)
        if lines is not None:
            view.append(lines)
            await settle(pilot, view)
        yield app, pilot, view
