"""A reader that went away (`axom-tui jobs | head`) ends a command quietly.

Python ignores SIGPIPE, so a write to a closed pipe raises ``BrokenPipeError`` (a
traceback), and the buffered rest fails again when the interpreter flushes at exit
("Exception ignored", exit status 120). The recipe from the Python docs (signal module,
"Note on SIGPIPE"): point the standard output at ``/dev/null`` once the pipe is gone, so
nothing more can fail, and exit with the status the command would have had.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import TextIO

#: The status of a command ended by a closed pipe while it still had work to do, as a
#: shell reports a process killed by SIGPIPE.
PIPE_CLOSED = 128 + signal.SIGPIPE


def silence(stream: TextIO | None = None) -> None:
    """Send what is still buffered for ``stream`` (standard output by default), and all
    later writes, to /dev/null; standard error too when it is the same closed pipe."""
    stream = stream or sys.stdout
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a file (a test's StringIO): nothing to silence
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        targets = [fd]
        if fd != 2 and _same_file(fd, 2):
            targets.append(2)
        for target in targets:
            os.dup2(devnull, target)
    finally:
        os.close(devnull)


def _same_file(a: int, b: int) -> bool:
    try:
        sa, sb = os.fstat(a), os.fstat(b)
    except OSError:
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)
