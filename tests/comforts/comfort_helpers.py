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
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from axom_tui.sim import ManualClock, SimConfig, SimServer, Simulator


def spawn_on_pty(
    args: list[str], env: dict[str, str], cols: int, rows: int, **popen: Any
) -> tuple[int, int, subprocess.Popen[bytes]]:
    """``python -m axom_tui ARGS`` in a session of its own on a new pty of ``cols`` x ``rows``
    (stdin, stdout and stderr); returns the pty's master and terminal sides and the process."""
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
        **popen,
    )
    return master, slave, proc


def read_ready(master: int, timeout: float = 0.1) -> bytes | None:
    """What the pty writes within ``timeout``: None if nothing came, b"" once it is closed
    (end of file, or EIO when the program has closed the terminal)."""
    if not select.select([master], [], [], timeout)[0]:
        return None
    try:
        return os.read(master, 65536)
    except OSError:
        return b""


def drain(master: int) -> bytes:
    """All the pty still holds: read until it is quiet for 0.1 s or closed."""
    out = bytearray()
    while chunk := read_ready(master):
        out += chunk
    return bytes(out)


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
    master, slave, proc = spawn_on_pty(args, env, cols, rows)
    os.close(slave)
    out = bytearray()
    deadline = time.monotonic() + seconds
    seen_at: float | None = None
    try:
        while time.monotonic() < deadline:
            chunk = read_ready(master)
            if chunk == b"":
                break
            out += chunk or b""
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
            chunk = read_ready(master)
            if chunk == b"":
                break
            out += chunk or b""
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


@contextmanager
def served_simulator(key: str) -> Iterator[tuple[Simulator, SimServer]]:
    """The simulator (seed 7, no new runs) on a ManualClock: nothing moves unless a test
    moves it; served on loopback for the ``with``."""
    sim = Simulator(SimConfig(seed=7, key=key, submit_every=0), clock=ManualClock())
    server = SimServer(sim)
    server.start()
    try:
        yield sim, server
    finally:
        server.stop()


def command_env(base_url: str, key: str) -> dict[str, str]:
    """The environment for an `axom-tui` command against ``base_url``: no config file and no
    AXOM_ variables of the user's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AXOM_")}
    env.update(
        {"AXOM_KEY": key, "AXOM_BASE_URL": base_url, "AXOM_CONFIG": "/nonexistent/axom.toml"}
    )
    return env
