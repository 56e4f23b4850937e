"""Fuzz: whatever arrives on the terminal before it goes away, the input thread ends.

The app's input thread (``QuietLinuxDriver.run_input_thread``) is fed random bytes —
arbitrary binary, broken UTF-8, escape sequences cut anywhere, pastes, mouse reports —
in random chunks, and then its input is lost: end of file, EIO (a terminal that hung
up) or a descriptor that was closed. Each case must end the thread, ask the app to exit
exactly once with the hang-up status (129), and raise nothing in the thread. Before the
fix end-of-file left the thread selecting again at once, for ever.
"""

from __future__ import annotations

import asyncio
import errno
import os
import signal
import threading

from hypothesis import HealthCheck, given, settings, strategies as st

from rel_helpers import figure

CASES = 120
PIECES = [
    b"\x1b",
    b"\x1b[",
    b"\x1b[<0;12;7M",
    b"\x1b[200~",
    b"\x1b[201~",
    b"\x1bO",
    b"\xe2\x9c",
    b"\xff\xfe",
    b"q",
    b"/",
    b"\x03",
    b"\x1b[1;5A",
    b"\x1b]11;rgb:0000/0000/0000\x1b\\",
    "日本語".encode(),
    b"\r",
    b"\x7f",
]


class FakeApp:
    def __init__(self) -> None:
        self.exits: list[int] = []

    def exit(self, result: object = None, return_code: int = 0) -> None:
        self.exits.append(return_code)


async def _feed(chunks: list[bytes], ending: str) -> tuple[bool, list[int], list[BaseException]]:
    from axom_tui.ui import quiet_driver

    app = FakeApp()
    drv = quiet_driver.QuietLinuxDriver(app, mouse=False, size=(80, 24))  # type: ignore[arg-type]
    drv.process_message = lambda message: None  # type: ignore[method-assign]
    read, write = os.pipe()
    drv.fileno = read
    errors: list[BaseException] = []
    original_read = quiet_driver.os.read

    def reading(fd: int, n: int) -> bytes:
        data = original_read(fd, n)
        if fd == read and not data and ending == "EIO":
            raise OSError(errno.EIO, "Input/output error")
        return data

    def run() -> None:
        try:
            drv.run_input_thread()
        except BaseException as exc:  # noqa: BLE001 - the point is that nothing escapes
            errors.append(exc)

    quiet_driver.os.read = reading  # type: ignore[attr-defined]
    thread = threading.Thread(target=run, daemon=True)
    try:
        thread.start()
        for chunk in chunks:
            os.write(write, chunk)
        if ending == "EBADF":
            await asyncio.sleep(0.01)
            closed = os.dup(read)
            os.close(closed)
            drv.fileno = closed  # the next read is of a closed descriptor
            os.write(write, b"x")
        os.close(write)
        write = -1
        thread.join(10)
        for _ in range(100):
            if app.exits:
                break
            await asyncio.sleep(0.005)
        return not thread.is_alive(), app.exits, errors
    finally:
        quiet_driver.os.read = original_read  # type: ignore[attr-defined]
        if thread.is_alive():
            drv.exit_event.set()
            thread.join(2)
        drv.close()
        os.close(read)
        if write >= 0:
            os.close(write)


chunk = st.one_of(
    st.binary(max_size=64),
    st.sampled_from(PIECES),
    st.lists(st.sampled_from(PIECES), max_size=6).map(b"".join),
)


@settings(
    max_examples=CASES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(chunks=st.lists(chunk, max_size=12), ending=st.sampled_from(["EOF", "EIO", "EBADF"]))
def test_any_input_then_lost_input_ends_the_thread_and_the_app_once(chunks, ending) -> None:
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTSTP, signal.SIGCONT)}
    try:
        ended, exits, errors = asyncio.run(_feed(chunks, ending))
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
    figure(f"fuzz: input cases ending in {ending}", 1)
    figure("fuzz: input bytes fed before the loss", sum(len(c) for c in chunks))
    assert errors == []
    assert ended, "the input thread is still running after its input was lost"
    assert exits == [129]
