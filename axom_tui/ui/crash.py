"""A crash report that never shows the API key: no locals, and the key redacted anyway."""

from __future__ import annotations

import io

from axom_tui.api.secret import ApiKey


def redacted_traceback_text(key: ApiKey | None, width: int = 100) -> str:
    """Render the current exception without locals; any occurrence of the key is masked."""
    from rich.console import Console
    from rich.traceback import Traceback  # loaded only on a crash

    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(Traceback(show_locals=False, width=width, suppress=[]))
    text = console.export_text()
    if key:
        raw = key.reveal()
        if raw:
            text = text.replace(raw, key.masked)
    return text
