"""Run the real `axom-tui` in a pseudo-terminal and collect what it writes."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time


def run_in_pty(
    args: list[str],
    env: dict[str, str],
    seconds: float,
    cols: int = 120,
    rows: int = 36,
    until: bytes | None = None,
) -> bytes:
    """Start ``python -m axom_tui ARGS`` on a pty of the given size; return its output bytes.

    Reads for ``seconds`` (or until ``until`` appears and one more second has passed),
    then sends q and, if needed, SIGTERM.
    """
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "axom_tui", *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        close_fds=True,
        start_new_session=True,
    )
    os.close(slave)
    out = bytearray()
    deadline = time.monotonic() + seconds
    seen_at: float | None = None
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
            if until is not None and seen_at is None and until in out:
                seen_at = time.monotonic()
            if seen_at is not None and time.monotonic() - seen_at > 1.5:
                break
            if proc.poll() is not None:
                break
        try:
            os.write(master, b"q")
        except OSError:
            pass
        end = time.monotonic() + 5
        while proc.poll() is None and time.monotonic() < end:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                out += chunk
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        os.close(master)
    return bytes(out)


def base_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AXOM_", "TEXTUAL"))}
    env.update({"TERM": "xterm-256color", "AXOM_CONFIG": "/nonexistent/axom-test-config.toml"})
    env.pop("NO_COLOR", None)
    env.pop("COLORTERM", None)
    env.update(extra)
    return env
