"""Input that is lost (end of file, EIO, a closed descriptor) ends the app once, and the
input thread with it; Textual's loop selected again at once, for ever, at 100 % of a core.
Writes to a terminal that is gone are dropped instead of killing the output thread."""

from __future__ import annotations

import asyncio
import errno
import os
import signal
import sys
import threading

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the Linux/macOS driver")


class FakeApp:
    def __init__(self) -> None:
        self.exits: list[tuple[object, int]] = []

    def exit(self, result: object = None, return_code: int = 0) -> None:
        self.exits.append((result, return_code))


async def _driver_on(fd: int):
    from axom_tui.ui import quiet_driver

    class Recording(quiet_driver.QuietLinuxDriver):
        def process_message(self, message) -> None:
            self.messages.append(message)

    app = FakeApp()
    drv = Recording(app, mouse=False, size=(80, 24))  # type: ignore[arg-type]
    drv.messages = []
    drv.fileno = fd
    drv._key_thread = threading.Thread(target=drv.run_input_thread, daemon=True)
    return drv, app


async def _ends(drv, app) -> None:
    drv._key_thread.start()
    drv._key_thread.join(10)
    for _ in range(100):  # the exit is handed to the loop
        if app.exits:
            break
        await asyncio.sleep(0.01)


async def _ends_with_the_hang_up_status(drv, app, *pipe: int) -> None:
    """The key thread ends and so does the app, with 129; then the driver and pipe close."""
    try:
        await _ends(drv, app)
        assert not drv._key_thread.is_alive() and app.exits == [(None, 129)]
    finally:
        drv.close()
        for fd in pipe:
            os.close(fd)


@pytest.fixture(autouse=True)
def _keep_signal_handlers():
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTSTP, signal.SIGCONT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


async def test_end_of_file_ends_the_thread_and_the_app_with_the_hang_up_status() -> None:
    from axom_tui.ui.session import INPUT_LOST

    read, write = os.pipe()
    os.write(write, b"ab")
    os.close(write)  # then end of file
    drv, app = await _driver_on(read)
    try:
        await _ends(drv, app)
        assert not drv._key_thread.is_alive()
        assert [m.key for m in drv.messages if type(m).__name__ == "Key"] == ["a", "b"]
        assert app.exits == [(None, INPUT_LOST)] and INPUT_LOST == 129
        assert drv.input_lost
    finally:
        drv.close()
        os.close(read)


async def test_a_terminal_that_hung_up_ends_the_app(monkeypatch) -> None:
    """EIO, as a pty whose other side closed answers a read."""
    from axom_tui.ui import quiet_driver

    read, write = os.pipe()
    os.write(write, b"x")
    real_read = os.read

    def hung_up(fd: int, n: int) -> bytes:
        if fd == read:
            raise OSError(errno.EIO, "Input/output error")
        return real_read(fd, n)

    monkeypatch.setattr(quiet_driver.os, "read", hung_up)
    drv, app = await _driver_on(read)
    await _ends_with_the_hang_up_status(drv, app, read, write)


async def test_a_descriptor_closed_under_the_thread_ends_the_app() -> None:
    read, write = os.pipe()
    drv, app = await _driver_on(read)
    closed = os.dup(read)
    os.close(closed)  # a descriptor number nobody holds: select says EBADF
    drv.fileno = closed
    await _ends_with_the_hang_up_status(drv, app, read, write)


def test_writes_to_a_terminal_that_is_gone_are_dropped() -> None:
    from axom_tui.ui.quiet_driver import TerminalOutput

    class Gone:
        writes = 0

        def write(self, text: str) -> None:
            Gone.writes += 1
            raise OSError(errno.EIO, "Input/output error")

        def flush(self) -> None:
            raise OSError(errno.EIO, "Input/output error")

    out = TerminalOutput(Gone())  # type: ignore[arg-type]
    out.write("\x1b[?1049h")
    out.write("frame")
    out.flush()
    assert out.lost and Gone.writes == 1
