"""The real `axom-tui` on a pty that a test can hang up, signal and inspect afterwards.

Unlike ``comfort_helpers.run_in_pty`` this keeps the pty's terminal side open in the
test, so the tty modes can be read (``stty -a``) after the program has ended, and it can
close the terminal's master side while the program runs: what a closed tmux pane, a
dead ssh client or a closed terminal window does.
"""

from __future__ import annotations

import fcntl
import os
import select
import signal
import subprocess
import termios
import threading
import time

from comfort_helpers import spawn_on_pty

MOUSE_AND_SCREEN = (  # (turned on, turned off) by the app
    (b"\x1b[?1049h", b"\x1b[?1049l"),  # alternate screen
    (b"\x1b[?1000h", b"\x1b[?1000l"),  # mouse reporting
    (b"\x1b[?1003h", b"\x1b[?1003l"),
    (b"\x1b[?1006h", b"\x1b[?1006l"),
    (b"\x1b[?2004h", b"\x1b[?2004l"),  # bracketed paste
    (b"\x1b[?25l", b"\x1b[?25h"),  # cursor hidden / shown
)


class PtySession:
    def __init__(
        self,
        args: list[str],
        env: dict[str, str],
        *,
        controlling: bool = True,
        cols: int = 120,
        rows: int = 36,
    ) -> None:
        master, slave, self.proc = spawn_on_pty(
            args,
            env,
            cols,
            rows,
            # controlling: the pty is the session's terminal (a hang-up sends SIGHUP);
            # otherwise as under `setsid` with no terminal of its own (only EIO tells).
            preexec_fn=(lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0)) if controlling else None,
        )  # noqa: PLW1509
        self.master: int | None = master
        self.slave = slave  # kept: the terminal's modes can be read after the program ends
        self._out = bytearray()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        while True:
            fd = self.master
            if fd is None:
                return
            try:
                ready, _, _ = select.select([fd], [], [], 0.1)
                data = os.read(fd, 65536) if ready else None
            except (OSError, ValueError):
                return
            if data == b"":
                return
            if data:
                with self._lock:
                    self._out += data

    @property
    def output(self) -> bytes:
        with self._lock:
            return bytes(self._out)

    def wait_for(self, marker: bytes, timeout: float = 40.0) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if marker in self.output:
                return True
            if self.proc.poll() is not None:
                return False
            time.sleep(0.05)
        return False

    def hang_up(self) -> None:
        """Close the terminal's master side, as a terminal window that closes does."""
        fd, self.master = self.master, None
        self._thread.join(2)
        if fd is not None:
            os.close(fd)

    def wait(self, timeout: float = 30.0) -> int | None:
        """The exit status, or None if the program was still running after ``timeout``."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stty(self) -> str:
        return subprocess.run(
            ["stty", "-a"],
            check=False,
            stdin=self.slave,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout

    def session_alive(self) -> bool:
        """Whether any process of the program's session (it and its children) is left."""
        try:
            os.killpg(self.proc.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(10)
        self.hang_up()
        os.close(self.slave)


def cooked(stty_a: str) -> bool:
    """``stty -a`` shows a line-editing terminal: canonical input, echo, signals."""
    flags = set(stty_a.replace(";", " ").split())
    return {"icanon", "echo", "isig", "icrnl"} <= flags


def left_in_app_modes(output: bytes) -> list[bytes]:
    """The modes the app turned on and did not turn off again before it ended."""
    return [on for on, off in MOUSE_AND_SCREEN if output.rfind(on) > output.rfind(off)]
