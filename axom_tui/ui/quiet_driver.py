"""Textual's Linux driver with an input thread that sleeps until there is input.

Textual's input thread polls stdin with a 0.1 s timeout, so that a lone Esc can be
told from the start of an escape sequence once its delay has passed: ten wake-ups a
second for the life of the app, about a quarter of the idle dashboard's CPU on a small
VM. Here the thread waits with no timeout unless the parser holds part of a sequence,
and then exactly until the parser's deadline; a pipe wakes it when input is disabled
(quit, suspend). Everything else, including how input is parsed and posted, is
Textual's. This follows ``LinuxDriver.run_input_thread`` of Textual 8.2.8; the guard
below makes ``tests/test_upstream_copies.py`` fail when the installed Textual differs.

Input that is lost ends the app. Textual's loop takes end-of-file for "nothing typed"
and selects again at once: a terminal that hung up (the pty of an `ssh` session whose
client died, a closed tmux pane) then cost a whole core for as long as the process
lived. Here end-of-file, EIO and EBADF on standard input end the app with
:data:`INPUT_LOST` (as SIGHUP does, see :mod:`axom_tui.ui.session`), and writes to a
terminal that is gone are dropped rather than killing the output thread (whose full
queue would then block the app's shutdown for ever).
"""

from __future__ import annotations

import os
import selectors
import sys
from codecs import getincrementaldecoder
from typing import TextIO

from textual._parser import ParseError
from textual._time import get_time
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver

from axom_tui.ui.session import INPUT_LOST

UPSTREAM_VERSION = "textual 8.2.8"
#: What this module copies or relies on, by digest of its source.
UPSTREAM: dict[str, tuple[str, str]] = {
    "textual.drivers.linux_driver:LinuxDriver.run_input_thread": (
        "03c4634c663e82c5",
        "QuietLinuxDriver.run_input_thread is a copy: port the change",
    ),
    "textual.drivers.linux_driver:LinuxDriver.disable_input": (
        "d19b820bfe914abc",
        "disable_input must still join the input thread after exit_event",
    ),
    "textual._parser:Parser.tick": (
        "ca5178b1f48d5432",
        "input_timeout reads _timeout_time: tick must still clear it",
    ),
    "textual._parser:Parser.feed": (
        "73c101c780461d02",
        "input_timeout reads _timeout_time: feed must still set it",
    ),
    "textual.drivers.linux_driver:LinuxDriver.__init__": (
        "8ffb11d084a66090",
        "__init__ swaps self._file for TerminalOutput: still the output?",
    ),
    "textual.drivers.linux_driver:LinuxDriver.start_application_mode": (
        "a6a78976dcf6f302",
        "the writer thread must still be given self._file",
    ),
}

#: Poll period while input is being disabled (Textual's own, so stopping is as quick).
STOPPING_POLL = 0.1


class TerminalOutput:
    """The terminal as the output thread writes to it; once a write fails (the terminal
    hung up: EIO), everything after it is dropped."""

    def __init__(self, file: TextIO) -> None:
        self._file = file
        self.lost = False

    def write(self, text: str) -> None:
        if not self.lost:
            try:
                self._file.write(text)
            except (OSError, ValueError):
                self.lost = True

    def flush(self) -> None:
        if not self.lost:
            try:
                self._file.flush()
            except (OSError, ValueError):
                self.lost = True

    def fileno(self) -> int:
        return self._file.fileno()

    def isatty(self) -> bool:
        return not self.lost and self._file.isatty()


class QuietLinuxDriver(LinuxDriver):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._wake_read, self._wake_write = os.pipe()
        self._stopping = False
        self._file = TerminalOutput(sys.__stderr__)  # type: ignore[arg-type, assignment]
        self.input_lost = False

    def disable_input(self) -> None:
        self._stopping = True
        try:
            os.write(self._wake_write, b"\0")
        except OSError:
            pass  # closed: the thread is gone already
        try:
            super().disable_input()
        finally:
            self._stopping = False

    def close(self) -> None:
        super().close()
        for fd in (self._wake_read, self._wake_write):
            try:
                os.close(fd)
            except OSError:
                pass

    def input_timeout(self, parser: XTermParser) -> float | None:
        """How long the thread may sleep: until the parser's deadline, else for input."""
        if self._stopping:
            return STOPPING_POLL
        deadline = parser._timeout_time  # set while a partial sequence waits for more
        return None if deadline is None else max(0.0, deadline - get_time())

    def run_input_thread(self) -> None:
        selector = selectors.SelectSelector()  # as Textual: works with ttys everywhere
        selector.register(self.fileno, selectors.EVENT_READ)
        selector.register(self._wake_read, selectors.EVENT_READ)
        parser = XTermParser(self._debug)
        # Not strict as Textual's: one byte that is not UTF-8 (a meta key on a Latin-1
        # terminal, line noise) raised in this thread and ended the app with a traceback.
        decode = getincrementaldecoder("utf-8")(errors="replace").decode

        def process(ready: list[tuple[selectors.SelectorKey, int]]) -> bool:
            """Handle what is ready; False once input is lost."""
            for key, mask in ready:
                if key.fd == self._wake_read:
                    os.read(self._wake_read, 64)
                elif mask & selectors.EVENT_READ:
                    try:
                        data = os.read(self.fileno, 4096)
                    except OSError:  # EIO: the terminal hung up; EBADF: stdin closed
                        data = b""
                    if not data:
                        return False
                    for event in parser.feed(decode(data)):
                        self.process_message(event)
            for event in parser.tick():
                self.process_message(event)
            return True

        try:
            while not self.exit_event.is_set():
                try:
                    ready = selector.select(self.input_timeout(parser))
                except OSError:  # EBADF: stdin was closed under us
                    ready = None
                if ready is None or not process(ready):
                    self._lose_input()
                    return
            selector.unregister(self.fileno)
            process([])  # a lone Esc whose deadline has passed
        finally:
            selector.close()
            try:
                for _ in parser.feed(""):
                    pass
            except (EOFError, ParseError):
                pass

    def _lose_input(self) -> None:
        """End the app: its terminal is gone (called from the input thread)."""
        if self.exit_event.is_set():
            return  # stopping anyway
        self.input_lost = True
        try:
            self._loop.call_soon_threadsafe(self._app.exit, None, INPUT_LOST)
        except RuntimeError:
            pass  # the loop is closed: the app has ended already
