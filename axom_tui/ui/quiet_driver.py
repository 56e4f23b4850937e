"""Textual's Linux driver with an input thread that sleeps until there is input.

Textual's input thread polls stdin with a 0.1 s timeout, so that a lone Esc can be
told from the start of an escape sequence once its delay has passed: ten wake-ups a
second for the life of the app, about a quarter of the idle dashboard's CPU on a small
VM. Here the thread waits with no timeout unless the parser holds part of a sequence,
and then exactly until the parser's deadline; a pipe wakes it when input is disabled
(quit, suspend). Everything else, including how input is parsed and posted, is
Textual's. This follows ``LinuxDriver.run_input_thread`` of Textual 8.2.8; the guard
below makes ``tests/test_upstream_copies.py`` fail when the installed Textual differs.
"""

from __future__ import annotations

import os
import selectors
from codecs import getincrementaldecoder

from textual._parser import ParseError
from textual._time import get_time
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver

UPSTREAM_VERSION = "textual 8.2.8"
#: What this module copies or relies on, by digest of its source.
UPSTREAM: dict[str, tuple[str, str]] = {
    "textual.drivers.linux_driver:LinuxDriver.run_input_thread": (
        "03c4634c663e82c5", "QuietLinuxDriver.run_input_thread is a copy: port the change"),
    "textual.drivers.linux_driver:LinuxDriver.disable_input": (
        "d19b820bfe914abc", "disable_input must still join the input thread after exit_event"),
    "textual._parser:Parser.tick": (
        "ca5178b1f48d5432", "input_timeout reads _timeout_time: tick must still clear it"),
    "textual._parser:Parser.feed": (
        "73c101c780461d02", "input_timeout reads _timeout_time: feed must still set it"),
}

#: Poll period while input is being disabled (Textual's own, so stopping is as quick).
STOPPING_POLL = 0.1


class QuietLinuxDriver(LinuxDriver):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._wake_read, self._wake_write = os.pipe()
        self._stopping = False

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
        decode = getincrementaldecoder("utf-8")().decode

        def process(ready: list[tuple[selectors.SelectorKey, int]]) -> None:
            for key, mask in ready:
                if key.fd == self._wake_read:
                    os.read(self._wake_read, 64)
                elif mask & selectors.EVENT_READ:
                    text = decode(os.read(self.fileno, 4096))
                    if not text:
                        break  # stdin is a pipe that closed
                    for event in parser.feed(text):
                        self.process_message(event)
            for event in parser.tick():
                self.process_message(event)

        try:
            while not self.exit_event.is_set():
                process(selector.select(self.input_timeout(parser)))
            selector.unregister(self.fileno)
            process([])  # a lone Esc whose deadline has passed
        finally:
            selector.close()
            try:
                for _ in parser.feed(""):
                    pass
            except (EOFError, ParseError):
                pass

