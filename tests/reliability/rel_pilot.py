"""The reliability suite's helpers for the whole app under Pilot (test_rel_app_*.py)."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console

from axom_tui.api.secret import ApiKey
from axom_tui.poll import PollPolicy
from axom_tui.runtime.services import build_services
from axom_tui.ui.app import AxomApp
from axom_tui.ui.settings import UiSettings
from rel_helpers import KEY


def app_at(base_url: str, policy: PollPolicy, tmp_path: Path) -> AxomApp:
    """The dashboard against ``base_url`` with the suite's key; screenshots into tmp_path."""
    services = build_services(base_url, ApiKey(KEY), policy=policy)
    return AxomApp(services, UiSettings(notify_desktop=False, screenshot_dir=tmp_path))


async def wait_for(
    pilot: Any, predicate: Callable[[], Any], timeout: float = 20.0, what: str = "condition"
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        await pilot.pause(0.05)


def text_of(widget: Any) -> str:
    """What a widget shows, as plain text (its composed text, or its content)."""
    console = Console(width=400, file=io.StringIO(), record=True, color_system=None)
    console.print(widget.compose_text() if hasattr(widget, "compose_text") else widget.content)
    return console.export_text()
