"""What the run cache tells the user: one notice per kind of trouble, kept until the UI
listens (trouble found at start comes before the first frame)."""

from __future__ import annotations

from collections.abc import Callable

from axom_tui.history.db import Problem

#: The notice of a write that failed, by the kind of trouble.
WRITE_TROUBLE = {
    Problem.LOCKED: "The run cache is locked by another program: new history is not being "
    "saved for now (retrying).",
    Problem.FULL: "The disk holding the run cache is full: new history is not being saved "
    "for now (retrying).",
    Problem.READONLY: "The run cache cannot be written: new history is not saved.",
    Problem.CORRUPT: "The run cache is damaged: runs are fetched from the service and new "
    "history is not saved this session; it is rebuilt at the next start.",
    Problem.IO: "The run cache cannot be written (I/O error): retrying.",
    Problem.OTHER: "The run cache failed: new history is not saved this session.",
}


class Notices:
    """Each notice once per key; those given before a handler was set go to it then."""

    def __init__(self, handler: Callable[[str], None] | None = None) -> None:
        self._handler = handler
        self._keys: set[str] = set()
        #: Every notice given, in order.
        self.given: list[str] = []

    def set_handler(self, handler: Callable[[str], None]) -> None:
        self._handler = handler
        for text in self.given:
            handler(text)

    def give(self, key: str, text: str) -> None:
        if key in self._keys:
            return
        self._keys.add(key)
        self.given.append(text)
        if self._handler is not None:
            self._handler(text)
