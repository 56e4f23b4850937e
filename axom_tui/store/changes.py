"""Coalesced change notification: what changed since the UI last looked.

Changes accumulate as ``{job_id or None: {aspect, ...}}``. The dirty callback fires once
when the tracker goes from clean to dirty; the UI then drains at its own pace (a few
times a second), so a burst of a hundred merges costs one wake-up and one redraw.
"""

from __future__ import annotations

from collections.abc import Callable

#: Aspects of one run.
RUN_ASPECTS = frozenset({"job", "metrics", "logs", "events", "result", "health"})
#: Aspects of the store as a whole (reported under the key None).
GLOBAL_ASPECTS = frozenset({"list", "models", "overview", "connection", "health"})

Changes = dict[str | None, set[str]]


class ChangeTracker:
    __slots__ = ("_pending", "_callback", "_listeners")

    def __init__(self) -> None:
        self._pending: Changes = {}
        self._callback: Callable[[], None] | None = None
        #: Told of every change as it happens (the run cache's write-behind).
        self._listeners: list[Callable[[str | None, str], None]] = []

    @property
    def dirty(self) -> bool:
        return bool(self._pending)

    def set_callback(self, callback: Callable[[], None] | None) -> None:
        self._callback = callback

    def add_listener(self, listener: Callable[[str | None, str], None]) -> None:
        self._listeners.append(listener)

    def mark(self, job_id: str | None, aspect: str) -> None:
        for listener in self._listeners:
            listener(job_id, aspect)
        was_clean = not self._pending
        self._pending.setdefault(job_id, set()).add(aspect)
        if was_clean and self._callback is not None:
            self._callback()

    def peek(self) -> Changes:
        return {key: set(aspects) for key, aspects in self._pending.items()}

    def drain(self) -> Changes:
        pending, self._pending = self._pending, {}
        return pending
