"""When each held step was logged, exact to 25 ms in a little over a byte per point.

The chart's cursor is a *moment* of a run (a step and its time), the log pane follows it
by time, and the chart's x axis can show elapsed or clock time; so the store must keep
each point's ``ts``. Eight bytes a point would break the series' budget of 48 B (45-46 B
without it, ``bench/store_bench.py``). But a run logs at a steady pace: step → time is
close to a straight line for long stretches. So the times are kept as

* *segments*: from step ``seg_steps[k]`` on, a line ``seg_secs[k] + seg_slopes[k] *
  (step - seg_steps[k])`` (24 B a segment), and
* one signed byte per point (``residuals``, parallel to the series' ``steps``): the
  point's distance from its segment's line in units of :attr:`StepTimes.quantum`
  (50 ms), or :data:`NO_STAMP`.

A point too far from its line (more than 127 quanta: 6.35 s) starts a new segment with
the slope the last one measured, so a steady run needs a segment per few thousand
points (a preemption: one more). Stamps so irregular that segments would pass one per
:data:`POINTS_PER_SEGMENT` points double the quantum instead (never seen from a real
run; :attr:`StepTimes.max_error` says how far a time read back may then be off).

A batch that re-sends held steps (a resume redoes the steps after its checkpoint, with
new stamps) rebuilds the segments over the points it covers; the next held point
after them gets a segment carrying its old line, so it keeps its time.
"""

from __future__ import annotations

import sys
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence

#: Residual meaning "this point came without a ``ts``".
NO_STAMP = -128
_LIMIT = 127
#: Seconds per residual unit to begin with (the error of a time read back is half that).
QUANTUM = 0.05
#: More segments than one per this many points (and than _MIN_SEGMENTS) coarsens.
POINTS_PER_SEGMENT = 24
_MIN_SEGMENTS = 64


class StepTimes:
    """Times of the points of one series (epoch seconds), by index and step."""

    __slots__ = (
        "_pace",
        "edits",
        "max_error",
        "quantum",
        "residuals",
        "seg_secs",
        "seg_slopes",
        "seg_steps",
    )

    def __init__(self) -> None:
        self.seg_steps: array[int] = array("q")
        self.seg_secs: array[float] = array("d")
        self.seg_slopes: array[float] = array("d")
        self.residuals: array[int] = array("b")
        self.quantum = QUANTUM
        #: Bound on ``|time read back - stamp|``.
        self.max_error = QUANTUM / 2
        #: Bumped whenever a time other than the newest may have changed (a cache of all
        #: the times is then stale; otherwise only points appended since are new).
        self.edits = 0
        self._pace: tuple[int, float] | None = None  # the last stamp fitted

    def memory_bytes(self) -> int:
        return (
            sys.getsizeof(self.seg_steps)
            + sys.getsizeof(self.seg_secs)
            + sys.getsizeof(self.seg_slopes)
            + sys.getsizeof(self.residuals)
        )

    # ------------------------------------------------------------ reading

    def at(self, index: int, step: int) -> float | None:
        """Time of the point at ``index`` (whose step is ``step``), None if unstamped."""
        if not 0 <= index < len(self.residuals):
            return None
        r = self.residuals[index]
        if r == NO_STAMP:
            return None
        k = bisect_right(self.seg_steps, step) - 1
        return self._line(k, step) + r * self.quantum

    def _line(self, k: int, step: int) -> float:
        return self.seg_secs[k] + self.seg_slopes[k] * (step - self.seg_steps[k])

    def _residual(self, k: int, step: int, t: float) -> int | None:
        """``t`` as a residual of segment ``k`` at ``step``; None when out of its reach."""
        if k < 0:
            return None
        q = round((t - self._line(k, step)) / self.quantum)
        return q if -_LIMIT <= q <= _LIMIT else None

    # ------------------------------------------------------------ writing

    def append(self, step: int, t: float | None) -> None:
        """A point after every held one (``t`` None: no stamp)."""
        q = NO_STAMP if t is None else self._fit(step, t, len(self.seg_steps))
        self.residuals.append(q)  # after the fit: a coarsening replaces the array

    def extend(self, steps: Sequence[int], stamps: Sequence[float | None]) -> None:
        """Points after every held one, in order: :meth:`append` for each, with the
        common case (the point fits the last segment) kept to a few operations."""
        out: list[int] = []
        quantum = self.quantum
        k = len(self.seg_steps) - 1
        s0, t0, slope = (
            (self.seg_steps[k], self.seg_secs[k], self.seg_slopes[k]) if k >= 0 else (0, 0.0, 0.0)
        )
        last = None
        for step, t in zip(steps, stamps, strict=True):
            if t is None:
                out.append(NO_STAMP)
                continue
            if k >= 0:
                q = round((t - t0 - slope * (step - s0)) / quantum)
                if -_LIMIT <= q <= _LIMIT:
                    out.append(q)
                    last = (step, t)
                    continue
            if last is not None:
                self._pace = last
            self.residuals.extend(out)
            out = []
            self.append(step, t)  # a new segment (and maybe a coarser quantum)
            quantum = self.quantum
            k = len(self.seg_steps) - 1
            s0, t0, slope = self.seg_steps[k], self.seg_secs[k], self.seg_slopes[k]
            last = None
        if last is not None:
            self._pace = last
        self.residuals.extend(out)

    def pad(self, count: int) -> None:
        """Grow to ``count`` points, the new ones without a stamp (a series restored from
        columns that kept no times)."""
        missing = count - len(self.residuals)
        if missing > 0:
            self.residuals.extend(array("b", [NO_STAMP]) * missing)

    def insert(self, index: int) -> None:
        """A point inserted at ``index``, stamped later by :meth:`restamp`."""
        self.residuals.insert(index, NO_STAMP)
        self.edits += 1

    def _fit(self, step: int, t: float, end: int) -> int:
        """The residual of ``(step, t)`` against the segment before index ``end`` of the
        segment list, or 0 from a new segment inserted there when it is out of reach."""
        k = end - 1
        q = self._residual(k, step, t)
        if q is not None:
            self._pace = (step, t)
            return q
        slope = self._measured_slope(k)
        self.seg_steps.insert(end, step)
        self.seg_secs.insert(end, t)
        self.seg_slopes.insert(end, slope)
        self._pace = (step, t)
        self._cap()
        return 0

    def _measured_slope(self, k: int) -> float:
        """Seconds per step over segment ``k`` so far: from its start to the last point
        that fitted it (not to the point that did not: a preemption's gap is no pace)."""
        if k < 0:
            return 0.0
        last = self._pace
        if last is None or last[0] <= self.seg_steps[k]:
            return self.seg_slopes[k]
        return (last[1] - self.seg_secs[k]) / (last[0] - self.seg_steps[k])

    def restamp(self, stamped: Iterable[tuple[int, float]], steps: Sequence[int]) -> None:
        """Give held points (re-sent or inserted) their stamps; ``steps`` is every held step."""
        pairs = sorted(dict(stamped).items())
        if not pairs:
            return
        self.edits += 1
        indices = [bisect_left(steps, s) for s, _ in pairs]
        first = 0
        for j in range(1, len(pairs) + 1):
            if j == len(pairs) or indices[j] != indices[j - 1] + 1:
                self._restamp_run(pairs[first:j], indices[first], steps)
                first = j

    def _restamp_run(self, pairs: list[tuple[int, float]], a: int, steps: Sequence[int]) -> None:
        """Stamp the held points from index ``a`` on (consecutive) anew; the held point
        after them keeps the time it had."""
        b = a + len(pairs) - 1
        after = steps[b + 1] if b + 1 < len(steps) else None
        old: tuple[float, float] | None = None
        if after is not None and (k := bisect_right(self.seg_steps, after) - 1) >= 0:
            old = (self._line(k, after), self.seg_slopes[k])
        # The segments that start inside the run were the old stamps' lines.
        lo = bisect_left(self.seg_steps, steps[a])
        hi = bisect_right(self.seg_steps, steps[b])
        del self.seg_steps[lo:hi], self.seg_secs[lo:hi], self.seg_slopes[lo:hi]
        self._pace = None
        for index, (step, t) in enumerate(pairs, start=a):
            self.residuals[index] = self._fit(step, t, bisect_right(self.seg_steps, step))
        if after is None or old is None:
            return
        k = bisect_right(self.seg_steps, after) - 1
        if k < 0 or (self._line(k, after), self.seg_slopes[k]) != old:
            self.seg_steps.insert(k + 1, after)
            self.seg_secs.insert(k + 1, old[0])
            self.seg_slopes.insert(k + 1, old[1])

    def _cap(self) -> None:
        if len(self.seg_steps) <= max(_MIN_SEGMENTS, len(self.residuals) // POINTS_PER_SEGMENT):
            return
        # Too many segments for the points: coarser residuals reach further.
        self.quantum *= 2
        self.max_error += self.quantum / 2
        self.residuals = array(
            "b", (r if r == NO_STAMP else (r + (r > 0)) // 2 for r in self.residuals)
        )
        self.edits += 1
