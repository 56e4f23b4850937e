"""A lost terminal ends the app, and the terminal is left as it was (issue 17).

The real `axom-tui` in a pty or with no terminal at all, as a user meets it: `< /dev/null`,
`nohup`, `<&-`, output to a file, `TERM=dumb`, `LANG=C`; `kill -TERM/-HUP/-INT`; and the
terminal closing under a running app (a closed window or tmux pane, a dead ssh client),
with the pty as the app's controlling terminal (SIGHUP) and without (`setsid`: EIO only).
"""

from __future__ import annotations

import os
import pty
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from comfort_helpers import base_env, drain, read_ready
from pty_session import PtySession, cooked, left_in_app_modes

BRAILLE = re.compile("[\u2800-\u28ff]")
BOX_OR_BLOCK = re.compile("[\u2500-\u259f]")
NO_TERMINAL = re.compile(
    r"axom-tui: standard (input|output|error) is not a terminal; "
    r"without one, use `axom-tui jobs`, `watch RUN` or `download RUN`"
)
REFUSAL_TIMEOUT = 25.0  # before the fix these ran (or spun) until killed


def _refused(
    tmp_path: Path,
    *,
    stdin: object = "pty",
    stdout: object = "pty",
    close_stdin: bool = False,
    env: dict[str, str] | None = None,
    args: tuple[str, ...] = ("--demo",),
) -> tuple[int | None, str]:
    """Run the dashboard with the given standard streams ("pty" for a terminal); return
    its exit status (None: still running at the timeout) and all it wrote."""
    master, slave = pty.openpty()
    log = tmp_path / "out.txt"
    files = []

    def stream(spec: object) -> object:
        if spec == "pty":
            return slave
        if spec == "file":
            handle = log.open("ab")
            files.append(handle)
            return handle
        return spec

    proc = subprocess.Popen(
        [sys.executable, "-m", "axom_tui", *args],
        stdin=stream(stdin),
        stdout=stream(stdout),
        stderr=stream("file" if stdout == "file" else "pty"),
        env=env or base_env(),
        start_new_session=True,
        close_fds=True,
        preexec_fn=(lambda: os.close(0)) if close_stdin else None,
    )  # noqa: PLW1509 - `<&-`
    os.close(slave)
    for handle in files:
        handle.close()
    out = bytearray()
    end = time.monotonic() + REFUSAL_TIMEOUT
    while proc.poll() is None and time.monotonic() < end:
        out += read_ready(master) or b""
    code = proc.poll()
    if code is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
    out += drain(master)
    os.close(master)
    text = out.decode("utf-8", "replace") + (log.read_text() if log.exists() else "")
    return code, text


@pytest.mark.parametrize("case", ["stdin /dev/null", "nohup", "stdin closed", "stdout to a file"])
def test_without_a_terminal_the_dashboard_says_so_in_one_line_and_exits_2(tmp_path, case) -> None:
    if case == "stdin /dev/null":  # `axom-tui < /dev/null`: spun at 100 % of a core
        code, text = _refused(tmp_path, stdin=subprocess.DEVNULL)
    elif case == "nohup":  # stdin on a write-only /dev/null (EBADF), output to nohup.out
        fd = os.open(os.devnull, os.O_WRONLY)
        try:
            code, text = _refused(tmp_path, stdin=fd, stdout="file")
        finally:
            os.close(fd)
    elif case == "stdin closed":  # `axom-tui <&-`: an AttributeError
        code, text = _refused(tmp_path, stdin=None, close_stdin=True)
    else:
        code, text = _refused(tmp_path, stdout="file")
    assert code == 2, (code, text[-500:])
    assert NO_TERMINAL.search(text), text[-500:]
    assert "Traceback" not in text and "\x1b[?1049h" not in text
    lines = [line for line in text.strip().splitlines() if "axom-tui: warning:" not in line]
    assert len(lines) == 1, text  # (the test's config path does not exist: a warning says so)


def test_the_no_key_screen_is_refused_without_a_terminal_too(tmp_path) -> None:
    code, text = _refused(tmp_path, stdin=subprocess.DEVNULL, args=())
    assert code == 2 and NO_TERMINAL.search(text), (code, text[-500:])


def test_a_dumb_terminal_is_refused_like_a_pipe(tmp_path) -> None:
    code, text = _refused(tmp_path, env=base_env(TERM="dumb"))
    assert code == 2, (code, text[-300:])
    assert "TERM=dumb cannot show the dashboard" in text and "axom-tui jobs" in text
    assert "\x1b[" not in text  # no alternate screen, no mouse mode, no colour


def test_a_locale_that_cannot_encode_the_glyphs_gets_ascii() -> None:
    env = {k: v for k, v in base_env().items() if not k.startswith(("LC_", "LANG"))}
    env["LANG"] = "C"
    session = PtySession(["--demo", "--speed", "60"], env)
    try:
        assert session.wait_for(b"step ", 40), session.output[-2000:]
        time.sleep(1.0)
        text = session.output.decode("utf-8", "replace")
    finally:
        session.close()
    assert "Name" in text and "Lifecycle" in text
    assert not BRAILLE.findall(text), "braille under LANG=C"
    assert not BOX_OR_BLOCK.findall(text), set(BOX_OR_BLOCK.findall(text))


@pytest.mark.parametrize(
    "signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=["SIGTERM", "SIGHUP", "SIGINT"]
)
def test_a_signal_restores_the_terminal_and_exits_128_plus_its_number(signum) -> None:
    session = PtySession(["--demo"], base_env())
    try:
        assert session.wait_for("·tui".encode()), session.output[-2000:]
        assert not cooked(session.stty())  # the app has the terminal raw
        os.kill(session.proc.pid, signum)
        code = session.wait()
        output = session.output
        modes = session.stty()
        alive = session.session_alive()
    finally:
        session.close()
    assert code == 128 + signum, code
    assert left_in_app_modes(output) == [], output[-400:]
    assert cooked(modes), modes
    assert not alive
    assert b"Traceback" not in output


@pytest.mark.parametrize(
    "controlling", [True, False], ids=["hang-up (SIGHUP)", "setsid (EIO only)"]
)
def test_a_terminal_that_closes_ends_the_app(controlling) -> None:
    """The ssh -T / closed tmux pane case: the remote app, orphaned, burned a core for
    ever (without a controlling terminal) or was killed by SIGHUP without its exit."""
    session = PtySession(["--demo"], base_env(), controlling=controlling)
    try:
        assert session.wait_for("·tui".encode()), session.output[-2000:]
        session.hang_up()
        code = session.wait()
        alive = session.session_alive()
    finally:
        session.close()
    assert code == 128 + signal.SIGHUP, code
    assert not alive, "a process of the app's session is still running"
