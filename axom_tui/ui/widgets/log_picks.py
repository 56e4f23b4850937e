"""The log pane's picks: marking lines, jumping between errors, and what leaves the pane.

:class:`LogPicks` is the part of a ``LogView`` behind ``space``/``U`` (mark, unmark all),
``]``/``[`` (next/previous error-looking block), ``c`` (copy to the clipboard) and ``W``
(save every line held to a file). What is marked and where the errors are is
:class:`~axom_tui.logview.selection.LineSelection`'s (no Textual); this part turns the
keys into its calls and tells the user what happened.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from axom_tui.base.sanitize import clean_text
from axom_tui.logview.save import write_log
from axom_tui.logview.selection import CopyKind, CopyPick, clipboard_text
from axom_tui.logview.viewport import screen_lines

COPY_LIMIT_BYTES = 64 * 1024
"""Largest clipboard payload (OSC 52 is size-limited by many terminals)."""


def _lines(count: int, kind: str = "") -> str:
    """``"1 line"``, ``"1,200 marked lines"``."""
    return f"{count:,}{kind} line{'s' if count != 1 else ''}"


class LogPicks:
    def __init__(self, view: Any) -> None:  # the LogView (no import: it imports this)
        self._view = view

    # ------------------------------------------------------------------ marks, errors

    def toggle_mark(self) -> None:
        """Mark or unmark the current line, else the last line on screen."""
        view = self._view
        line = view.selection.current
        line = view.bottom_line() if line is None else line
        if line is not None:
            view.selection.toggle_mark(line)
            view.refresh()

    def clear_marks(self) -> None:
        count = self._view.selection.clear_marks()
        self._view.refresh()
        self._view.notify(f"Unmarked {_lines(count)}", timeout=2)

    def next_error(self) -> None:
        """Jump to the start of the next error-looking block (stderr, traceback, Error…)."""
        view = self._view
        self._goto_error(view.selection.next_error(view.top_line()), "below")

    def prev_error(self) -> None:
        """Jump to the start of the previous error-looking block."""
        view = self._view
        self._goto_error(view.selection.prev_error(view.bottom_line()), "above")

    def _goto_error(self, line: int | None, where: str) -> None:
        if line is None:
            self._view.notify(f"No error-looking line {where}", timeout=2)
        else:
            self._view.reveal(line, None)

    # ------------------------------------------------------------------ copy, save

    def copy_pick(self) -> CopyPick:
        """What ``c`` copies: the marked lines, else the lines the filter shows, else the
        current line, else the lines on screen."""
        view = self._view
        return view.selection.pick(screen_lines(view.index, view.window))

    def copy(self) -> None:
        view = self._view
        pick = self.copy_pick()
        text, cut = clipboard_text([view.index.text(i) for i in pick.lines], COPY_LIMIT_BYTES)
        if not text:
            return
        view.app.copy_to_clipboard(text)
        what = "" if pick.kind is CopyKind.SCREEN else f" {pick.kind.value}"
        cut_note = f" (the first {COPY_LIMIT_BYTES // 1024} KiB)" if cut else ""
        count = text.count("\n") + 1
        view.notify(f"Copied {_lines(count, what)}{cut_note}", timeout=2)

    def save(self) -> None:
        """Write every line held to ``<save_dir>/<save_name>-log.txt``."""
        view = self._view
        if not len(view.index):
            view.notify("The log is empty: nothing to save", timeout=2)
            return
        folder = view.save_dir if view.save_dir is not None else Path.cwd()
        view.run_worker(
            self._save(view.index.texts(), folder / f"{view.save_name}-log.txt"),
            exclusive=True,
            group="log-save",
            exit_on_error=False,
        )

    async def _save(self, texts: list[str], path: Path) -> None:
        try:
            await asyncio.to_thread(write_log, texts, path)
        except OSError as exc:
            self._view.notify(f"Saving the log failed: {clean_text(exc, 160)}", severity="error")
            return
        self._view.notify(
            f"Wrote {_lines(len(texts))} to {clean_text(path, 160)}", title="Log saved"
        )
