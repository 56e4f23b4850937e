"""The input thread sleeps until input (Textual's polls ten times a second), still
times out a lone Esc, and stops when input is disabled."""

from __future__ import annotations

import os
import selectors
import signal
import sys
import threading
import time

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the Linux/macOS driver")


class RecordingSelector(selectors.SelectSelector):
    timeouts: list[float | None] = []

    def select(self, timeout=None):
        RecordingSelector.timeouts.append(timeout)
        return super().select(timeout)


def wait_for(predicate, what: str, limit: float = 5.0) -> None:
    end = time.monotonic() + limit
    while not predicate():
        if time.monotonic() > end:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.01)


@pytest.fixture
async def driver(monkeypatch):  # async: a driver takes the running loop
    from axom_tui.ui import quiet_driver

    monkeypatch.setattr(quiet_driver.selectors, "SelectSelector", RecordingSelector)
    RecordingSelector.timeouts = []
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTSTP, signal.SIGCONT)}

    class Recording(quiet_driver.QuietLinuxDriver):
        def process_message(self, message) -> None:
            self.messages.append(message)

    drv = Recording(object(), mouse=False, size=(80, 24))  # type: ignore[arg-type]
    drv.messages = []
    read, write = os.pipe()
    drv.fileno = read
    drv._key_thread = threading.Thread(target=drv.run_input_thread, daemon=True)
    drv._key_thread.start()
    try:
        yield drv, write
    finally:
        drv.disable_input()
        drv.close()
        os.close(read)
        os.close(write)
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def keys(drv) -> list[str]:
    return [m.key for m in drv.messages if type(m).__name__ == "Key"]


async def test_idle_input_thread_waits_without_a_timeout(driver) -> None:
    drv, stdin = driver
    wait_for(lambda: RecordingSelector.timeouts, "a first select")
    assert RecordingSelector.timeouts == [None]  # Textual's own thread: 0.1 s, again and again
    os.write(stdin, b"a")
    wait_for(lambda: keys(drv) == ["a"], "the key a")
    wait_for(lambda: len(RecordingSelector.timeouts) >= 2, "the next select")
    assert RecordingSelector.timeouts == [None, None]


async def test_a_lone_escape_is_delivered_after_the_escape_delay(driver) -> None:
    from textual import constants

    drv, stdin = driver
    wait_for(lambda: RecordingSelector.timeouts, "a first select")
    os.write(stdin, b"\x1b")
    wait_for(lambda: keys(drv) == ["escape"], "the escape key")
    waits = RecordingSelector.timeouts[1:]
    assert waits and all(w is not None and 0 <= w <= constants.ESCAPE_DELAY for w in waits[:1])
    # an escape sequence still parses as one key
    os.write(stdin, b"\x1b[B")
    wait_for(lambda: keys(drv) == ["escape", "down"], "the down key")


async def test_disabling_input_wakes_and_ends_the_thread(driver) -> None:
    drv, _ = driver
    wait_for(lambda: RecordingSelector.timeouts, "a first select")
    thread = drv._key_thread
    drv.disable_input()  # joins the thread: would hang here if it slept on
    assert not thread.is_alive()


def test_the_app_runs_on_the_quiet_driver(tmp_path, monkeypatch) -> None:
    from textual import constants

    from axom_tui.ui.quiet_driver import QuietLinuxDriver
    from ui_helpers import make_app, sim_server

    monkeypatch.setattr(constants, "DRIVER", None)
    with sim_server() as server:
        app, _ = make_app(server, tmp_path)
        assert app.driver_class is QuietLinuxDriver
