"""Run a program in a pseudo-terminal, the way a user's terminal would, and watch it.

:class:`PtyProcess` opens a pty with a fixed window size (TIOCSWINSZ), starts the
program with the pty as its stdin/stdout/stderr and controlling terminal, and drains
the master side in a thread, counting bytes (so the program never blocks on a full
pty buffer, and we know exactly what it wrote to "the terminal"). It can wait for a
marker to appear in the output and read the process's CPU time from ``/proc``.
"""

from __future__ import annotations

import atexit
import fcntl
import os
import pty
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLK_TCK = os.sysconf("SC_CLK_TCK")


def clean_env(**extra: str) -> dict[str, str]:
    """A terminal-like environment with no user settings: a private HOME/XDG config,
    no AXOM_* or TEXTUAL_* variables, a 256-colour truecolor terminal."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AXOM_", "TEXTUAL", "COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR"))
    }
    home = tempfile.mkdtemp(prefix="axom-bench-home-")
    atexit.register(shutil.rmtree, home, ignore_errors=True)
    env.update(
        HOME=home,
        XDG_CONFIG_HOME=f"{home}/.config",
        XDG_DATA_HOME=f"{home}/.local/share",
        XDG_CACHE_HOME=f"{home}/.cache",
        TERM="xterm-256color",
        COLORTERM="truecolor",
        LANG=env.get("LANG", "C.UTF-8") if "UTF-8" in env.get("LANG", "") else "C.UTF-8",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def cpu_seconds(pid: int) -> float:
    """utime + stime of ``pid`` (all its threads), from /proc/<pid>/stat."""
    try:
        import psutil  # type: ignore[import-not-found]

        t = psutil.Process(pid).cpu_times()
        return t.user + t.system
    except ImportError:
        pass
    with open(f"/proc/{pid}/stat", "rb") as f:
        data = f.read()
    fields = data[data.rindex(b")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # fields 14 and 15 of stat(5)


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class PtyProcess:
    def __init__(
        self,
        argv: list[str],
        cols: int = 160,
        rows: int = 48,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        keep_output: int = 4 << 20,
    ) -> None:
        self.argv = argv
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.master = master
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env or clean_env(),
            cwd=str(cwd or ROOT),
            start_new_session=True,
            close_fds=True,
            preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
        )
        os.close(slave)
        self.pid = self.proc.pid
        self.total = 0
        self._keep = keep_output
        self._tail = bytearray()
        self._markers: dict[bytes, float] = {}
        self._watch: list[bytes] = []
        self._cond = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(
            target=self._drain, name=f"pty-drain-{self.pid}", daemon=True
        )
        self._thread.start()

    # ------------------------------------------------------------ output

    def _drain(self) -> None:
        carry = b""
        while True:
            try:
                ready, _, _ = select.select([self.master], [], [], 0.5)
                if not ready:
                    if self.proc.poll() is not None:
                        break
                    continue
                data = os.read(self.master, 1 << 16)
            except OSError:  # EIO: the child side is closed
                break
            if not data:
                break
            now = time.perf_counter()
            with self._cond:
                self.total += len(data)
                if len(self._tail) < self._keep:
                    self._tail += data[: self._keep - len(self._tail)]
                if self._watch:
                    window = carry + data
                    for marker in list(self._watch):
                        if marker in window:
                            self._markers[marker] = now
                            self._watch.remove(marker)
                    carry = window[-256:]
                    self._cond.notify_all()
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def watch(self, *markers: bytes) -> None:
        """Record the time each marker first appears from now on."""
        with self._cond:
            self._watch.extend(m for m in markers if m not in self._markers)

    def wait_marker(self, marker: bytes, timeout: float) -> float | None:
        """perf_counter time ``marker`` appeared (None: timed out or the program ended)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while marker not in self._markers:
                left = deadline - time.monotonic()
                if left <= 0 or self._closed:
                    return None
                self._cond.wait(left)
            return self._markers[marker]

    @property
    def output(self) -> bytes:
        with self._cond:
            return bytes(self._tail)

    def bytes_written(self) -> int:
        with self._cond:
            return self.total

    # ------------------------------------------------------------ process

    def cpu(self) -> float:
        return cpu_seconds(self.pid)

    def rss(self) -> int:
        return rss_bytes(self.pid)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def type(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def stop(self, timeout: float = 5.0) -> int | None:
        """Quit: 'q' first (a clean exit restores the terminal), then SIGTERM, SIGKILL."""
        if self.alive():
            try:
                self.type(b"q")
                self.proc.wait(timeout)
            except (OSError, subprocess.TimeoutExpired):
                pass
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if not self.alive():
                break
            try:
                os.killpg(self.pid, sig)  # our own session: the child and its children only
                self.proc.wait(timeout)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        self._thread.join(2.0)
        try:
            os.close(self.master)
        except OSError:
            pass
        return self.proc.returncode


def python() -> str:
    return sys.executable
