"""Which log lines look like trouble, for the log pane's next/previous-error keys.

lnav's ``e``/``E`` jump between error messages; here ``]``/``[`` do (``e`` exports on the
dashboard). An error *block* (a traceback, a burst of stderr) is one stop: the jump lands
on the block's first line and the next jump skips to the block after it, so a 40-line
traceback is not 40 presses. A block runs on over lines that look like errors too and
over indented lines (a traceback's code lines).

A line looks like trouble when it came on stderr or its text matches
:data:`ERROR_PATTERN`. Lines are scanned when a key is pressed, not on append: the scan
stops at the first hit, and ingest (the log pane's hot path) pays nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Protocol

ERROR_PATTERN = re.compile(
    r"Traceback \(most recent call last\)"
    r'|^\s*File ".*", line \d+'  # a traceback's frames
    r"|(?:Error|Exception)\b"  # RuntimeError, ValueError:, Exception, Error:
    r"|\b(?:error|fatal|Fatal|FATAL|panic)\b"  # "error: ...", "fatal: ..."
    r"|\b(?:NaN|nan)\b"  # loss=nan
    r"|(?i:out of memory)|\bOOM\b",
)
"""Text that marks a line as error-looking, whatever stream it came on."""

# Every match of ERROR_PATTERN contains one of these: a line without any is not searched
# with the full pattern (0.6 us a line instead of 6.6 us, measured on a 75-character line).
_HINT = re.compile(r'rror|xception|raceback|File "|NaN|nan|atal|FATAL|anic|emory|MEMORY|OOM')


class ErrorLines(Protocol):
    """What the search needs of a :class:`~axom_tui.logview.index.LogIndex`."""

    def __len__(self) -> int: ...
    def text(self, i: int) -> str: ...
    def is_stderr(self, i: int) -> bool: ...
    @property
    def filter_active(self) -> bool: ...
    def row_of_line(self, i: int) -> int | None: ...


def looks_like_error(text: str, stderr: bool = False) -> bool:
    """Whether one line looks like an error (stderr, a traceback, ``Error``, NaN, OOM)."""
    return stderr or (_HINT.search(text) is not None and ERROR_PATTERN.search(text) is not None)


def _is_error(lines: ErrorLines, i: int) -> bool:
    return looks_like_error(lines.text(i), lines.is_stderr(i))


def _shown(lines: ErrorLines, indices: range) -> Iterator[int]:
    """``indices`` without the lines the filter hides (all of them when not filtering)."""
    if not lines.filter_active:
        yield from indices
        return
    for i in indices:
        if lines.row_of_line(i) is not None:
            yield i


def _continues(lines: ErrorLines, i: int) -> bool:
    """Whether line ``i`` carries on an error block above it: it looks like an error too,
    or it is indented (a traceback's code lines, a wrapped message)."""
    text = lines.text(i)
    return text[:1] in (" ", "\t") or _is_error(lines, i)


def next_error(lines: ErrorLines, line: int | None) -> int | None:
    """First line of the next error block after the one holding ``line``.

    ``line`` None starts from the top of the log. Returns None when there is none.
    """
    n = len(lines)
    start = 0 if line is None else max(0, line)
    in_block = line is not None and start < n and _is_error(lines, start)
    for i in _shown(lines, range(start, n)):
        if in_block:
            in_block = _continues(lines, i)
            if in_block:
                continue
        if _is_error(lines, i):
            return i
    return None


def prev_error(lines: ErrorLines, line: int | None) -> int | None:
    """First line of the nearest error block that starts before ``line``.

    ``line`` None starts from the end of the log (so it finds the newest block).
    """
    n = len(lines)
    stop = n if line is None else max(0, min(line, n))
    found: int | None = None
    for i in _shown(lines, range(stop - 1, -1, -1)):
        if found is None:
            if _is_error(lines, i):
                found = i
        elif _continues(lines, i):
            if _is_error(lines, i):
                found = i
        else:
            return found
    return found
