"""Which log lines were logged nearest a moment (the chart's cursor), and back.

:class:`LineTimes` keeps the epoch seconds of a :class:`~axom_tui.logview.LogIndex`'s live
lines beside it (by absolute line id, so eviction at the front costs nothing), extended
as lines arrive. Lines come in seq order and a worker's clock moves forward, so the
times are nearly always sorted: then a lookup is a binary search; otherwise (a skewed
clock, lines without a ``ts``) it scans.

The lines chosen for a moment are *all* those at the nearest time: the contract's stamps
are whole seconds, and a busy worker logs several lines in one.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left, bisect_right
from datetime import datetime
from typing import Protocol


class _Index(Protocol):
    version: int

    @property
    def first_id(self) -> int: ...
    def __len__(self) -> int: ...
    def timestamp(self, i: int) -> datetime | None: ...
    def seq(self, i: int) -> int: ...


class LineTimes:
    """Epoch seconds of an index's live lines (NaN: no ``ts``), kept in step with it."""

    def __init__(self) -> None:
        self._base = 0  # absolute id of self._secs[0]
        self._secs: array[float] = array("d")
        self._sorted = True
        self._index: object = None
        self._version = -1
        self._last_seq: int | None = None  # seq of the last line held: tells a reset

    def sync(self, index: _Index) -> None:
        """Catch up with ``index`` (new lines at the end, evicted ones at the front)."""
        if index is self._index and index.version == self._version:
            return
        first, count = index.first_id, len(index)
        held_end = self._base + len(self._secs)
        if (
            index is not self._index
            or first < self._base
            or first > held_end
            or first + count < held_end
            or (held_end > first and index.seq(held_end - 1 - first) != self._last_seq)
        ):
            self._base, self._secs, self._sorted = first, array("d"), True
            held_end = first
        if first > self._base:  # evicted at the front
            del self._secs[: first - self._base]
            self._base = first
        for i in range(held_end - first, count):
            ts = index.timestamp(i)
            t = math.nan if ts is None else ts.timestamp()
            if math.isnan(t) or (self._secs and not t >= self._secs[-1]):
                self._sorted = False
            self._secs.append(t)
        self._last_seq = index.seq(count - 1) if count else None
        self._index, self._version = index, index.version

    def nearest(self, t: float) -> tuple[int, int] | None:
        """Live indices ``[i, j)`` of the lines logged nearest ``t`` (all those sharing
        the nearest time; the earlier ones on a tie), None without timed lines."""
        secs = self._secs
        if not secs:
            return None
        if self._sorted:
            k = bisect_left(secs, t)
            best = None
            for cand in (k - 1, k):
                if 0 <= cand < len(secs):
                    d = abs(secs[cand] - t)
                    if best is None or d < best[0]:
                        best = (d, secs[cand])
            assert best is not None
            value = best[1]
            return bisect_left(secs, value), bisect_right(secs, value)
        found = [(abs(v - t), v) for v in secs if not math.isnan(v)]
        if not found:
            return None
        value = min(found)[1]
        hits = [i for i, v in enumerate(secs) if v == value]
        first = hits[0]
        last = first
        while last + 1 < len(secs) and secs[last + 1] == value:
            last += 1
        return first, last + 1

    def at(self, i: int) -> float | None:
        """Time of live line ``i`` (None without a ``ts``)."""
        t = self._secs[i]
        return None if math.isnan(t) else t
