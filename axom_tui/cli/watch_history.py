"""What `watch` prints first for a run already under way: its past, in order, each line
stamped with its own time.

`watch` on a run that was uploading printed ``status uploading`` and the last step,
then the ~200 log lines from ``submitted`` on, every one stamped with the time they
were printed: the story came after its end, and no line said when it happened. The
run's events and logs (fetched once the run is focused) are merged by their own
timestamps and printed before any live line.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from axom_tui.api.records import Event, LogLine
from axom_tui.base.sanitize import clean_text

Line = tuple[datetime | None, str]


def event_text(event: Event) -> str:
    """One event as a line: ``event status running -> uploading``, ``event checkpoint 2000``."""
    payload: dict[str, Any] = event.payload or {}
    if event.kind == "status" and "to" in payload:
        detail = f"{payload.get('from', '?')} -> {payload['to']}"
    else:
        detail = " ".join(f"{k}={v}" for k, v in payload.items() if not isinstance(v, dict | list))
    return clean_text(f"event {event.kind} {detail}".rstrip(), 500)


def log_text(line: LogLine) -> str:
    return f"{'ERR' if line.stream == 'stderr' else 'log'} {clean_text(line.text, 2000)}"


def _keyed(lines: list[Line]) -> list[tuple[float, Line]]:
    """Each line with a sort time: its own, or (none given) the one before it's."""
    out: list[tuple[float, Line]] = []
    last = float("-inf")
    for stamp, text in lines:
        if stamp is not None:
            last = stamp.timestamp()
        out.append((last, (stamp, text)))
    return out


def history(events: Iterable[Event], logs: Iterable[LogLine]) -> list[Line]:
    """Events and log lines in the order they happened (events first on a tie)."""
    keyed = _keyed([(e.ts, event_text(e)) for e in events]) + _keyed(
        [(line.ts, log_text(line)) for line in logs]
    )
    return [line for _, line in sorted(keyed, key=lambda item: item[0])]  # stable: ties keep order
