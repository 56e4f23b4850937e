"""LogRing: a run's most recent log lines, bounded, deduplicated by ``seq``."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator

from axom_tui.api.records import LogLine

DEFAULT_LOG_CAP = 10_000


class LogRing:
    """Keeps the last ``cap`` lines; a line whose ``seq`` is not beyond ``last_seq`` is a repeat."""

    __slots__ = ("_lines", "received", "dropped", "last_seq")

    def __init__(self, cap: int = DEFAULT_LOG_CAP) -> None:
        if cap < 1:
            raise ValueError("a log ring holds at least one line")
        self._lines: deque[LogLine] = deque(maxlen=cap)
        #: Lines accepted since the start (repeats excluded).
        self.received = 0
        #: Lines evicted to respect the cap.
        self.dropped = 0
        #: Highest seq ever accepted (the ``since`` cursor of the logs feed).
        self.last_seq: int | None = None

    @property
    def cap(self) -> int:
        return self._lines.maxlen or 0

    def __len__(self) -> int:
        return len(self._lines)

    def __iter__(self) -> Iterator[LogLine]:
        return iter(self._lines)

    def tail(self, count: int) -> list[LogLine]:
        if count <= 0:
            return []
        start = max(0, len(self._lines) - count)
        return [self._lines[i] for i in range(start, len(self._lines))]

    def append(self, lines: Iterable[LogLine]) -> list[LogLine]:
        """Add lines in ``seq`` order; return those actually new (and still held)."""
        fresh: list[LogLine] = []
        for line in sorted(lines, key=lambda item: item.seq):
            if self.last_seq is not None and line.seq <= self.last_seq:
                continue
            if len(self._lines) == self.cap:
                self.dropped += 1
            self._lines.append(line)
            self.last_seq = line.seq
            fresh.append(line)
        self.received += len(fresh)
        return fresh[-self.cap :] if len(fresh) > self.cap else fresh

    def resize(self, cap: int) -> None:
        """Change the cap, keeping the newest lines."""
        if cap < 1:
            raise ValueError("a log ring holds at least one line")
        self.dropped += max(0, len(self._lines) - cap)
        self._lines = deque(self._lines, maxlen=cap)
