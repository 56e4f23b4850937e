"""Run a full-screen app so that every way it ends leaves the terminal as it was.

`kill` (SIGTERM), a hang-up (SIGHUP: the terminal or the ssh session closed) and an
interrupt from outside (SIGINT: with the terminal raw, Ctrl+C is a key, so SIGINT only
comes from `kill -INT`) each end the app through its normal exit, which takes the
terminal out of the alternate screen, turns mouse reporting off, shows the cursor and
restores the tty modes. Python's defaults did not: SIGTERM and SIGHUP killed the process
on the spot (raw mode, hidden cursor, mouse reports typed into the shell), and SIGINT
exited 0. The status is 128 + the signal's number, as a shell reports a process killed
by it; lost input ends the app with the SIGHUP status (:mod:`axom_tui.ui.quiet_driver`).
A second signal while the first exit is under way restores the terminal at once and
leaves without waiting.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from typing import Any

from textual.app import App

POSIX = sys.platform != "win32"
EXIT_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT) if POSIX else ()
#: The status when the input is lost: the terminal hung up, as for SIGHUP (1).
INPUT_LOST = 128 + 1
#: What the driver's own exit writes, in one go: mouse, paste, wrap, kitty keys, the
#: alternate screen, the cursor, focus reports.
RESET = (
    "\x1b[?1000l\x1b[?1003l\x1b[?1015l\x1b[?1006l\x1b[?2004l\x1b[?7h\x1b[<u"
    "\x1b[?1049l\x1b[?25h\x1b[?1004l"
)


def quiet_driver_class(default: type[Any]) -> type[Any]:
    """Our input thread in place of Textual's Linux driver (not another one a user chose
    with TEXTUAL_DRIVER, nor on Windows)."""
    if not POSIX:
        return default
    from textual.drivers.linux_driver import LinuxDriver

    from axom_tui.ui.quiet_driver import QuietLinuxDriver

    return QuietLinuxDriver if default is LinuxDriver else default


def run_app(app: App[Any], *, mouse: bool = True) -> int:
    """Run ``app`` to its end; returns the process's exit status."""
    received: list[int] = []

    def on_signal(signum: int) -> None:
        if received:
            _restore_now(app)
            os._exit(128 + received[0])
        received.append(signum)
        app.exit(return_code=128 + signum)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        for signum in EXIT_SIGNALS:
            loop.add_signal_handler(signum, on_signal, signum)
        try:
            await app.run_async(mouse=mouse)
        finally:
            for signum in EXIT_SIGNALS:
                loop.remove_signal_handler(signum)

    asyncio.run(main())
    code = 128 + received[0] if received else (app.return_code or 0)
    if code == INPUT_LOST:
        _detach_output()
    return code


def _restore_now(app: App[Any]) -> None:
    import termios

    attrs = getattr(getattr(app, "_driver", None), "attrs_before", None)
    try:
        if attrs is not None:
            termios.tcsetattr(0, termios.TCSANOW, attrs)
        os.write(2, RESET.encode())
    except (OSError, termios.error):
        pass  # the terminal is gone: nothing to restore


def _detach_output() -> None:
    """The terminal hung up: what Python flushes at exit goes nowhere, without an error."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for fd in (1, 2):
            os.dup2(devnull, fd)
    finally:
        os.close(devnull)
