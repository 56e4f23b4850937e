"""The points' times as the cache keeps them: the store's own segments and residuals.

A :class:`~axom_tui.store.step_times.StepTimes` describes the times of a run of points
(see there): lines from step to time, and a signed byte per point off its line. The
cache keeps exactly that, a block of points at a time, so a time read back is the one
the store had (to float rounding), and a block costs its points' bytes plus a few
lines. Each block's times stand alone: its first line is re-based to start at the
block's first step, so blocks cut, merged or written by different processes (whose
lines differ) never borrow each other's lines.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Sequence

from axom_tui.store.step_times import NO_STAMP, QUANTUM, StepTimes


def unstamped(count: int) -> StepTimes:
    """Times for ``count`` points that came without a ``ts`` (or a cache that kept none)."""
    times = StepTimes()
    times.pad(count)
    return times


def clip(times: StepTimes, steps: Sequence[int], start: int, end: int) -> StepTimes:
    """The times of points ``start..end-1`` alone: their residuals and the lines that
    cover their steps, the first re-based to ``steps[start]``."""
    out = _like(times)
    end = min(end, len(steps))
    out.residuals = times.residuals[start:end]
    if start >= end:
        return out
    first, last = steps[start], steps[end - 1]
    k = bisect_right(times.seg_steps, first) - 1
    if k >= 0:
        _add_line(out, first, _line(times, k, first), times.seg_slopes[k])
    for j in range(k + 1, bisect_right(times.seg_steps, last)):
        _add_line(out, times.seg_steps[j], times.seg_secs[j], times.seg_slopes[j])
    return out


def concat(head: StepTimes, tail: StepTimes) -> StepTimes:
    """``tail``'s points after ``head``'s (each with lines of its own range only); ``head``
    itself is extended when the quanta agree (the usual case)."""
    quantum = max(head.quantum, tail.quantum)
    head, tail = coarsened(head, quantum), coarsened(tail, quantum)
    head.residuals.extend(tail.residuals)
    head.seg_steps.extend(tail.seg_steps)
    head.seg_secs.extend(tail.seg_secs)
    head.seg_slopes.extend(tail.seg_slopes)
    head.max_error = max(head.max_error, tail.max_error)
    return head


def pick(
    sources: Sequence[tuple[StepTimes, Sequence[int]]], chosen: Sequence[tuple[int, int]]
) -> StepTimes:
    """Times of points taken one by one from ``sources`` (``(times, steps)`` each):
    ``chosen`` lists ``(source, index)`` in the order of the result's steps."""
    quantum = max((t.quantum for t, _ in sources), default=QUANTUM)
    coarse = [coarsened(t, quantum) for t, _ in sources]
    out = _like(coarse[0]) if coarse else StepTimes()
    out.max_error = max((t.max_error for t in coarse), default=out.max_error)
    residuals = []
    last: tuple[int, int] | None = None
    for source, index in chosen:
        times, steps = coarse[source], sources[source][1]
        step = steps[index]
        k = bisect_right(times.seg_steps, step) - 1
        if k >= 0 and (source, k) != last:
            _add_line(out, step, _line(times, k, step), times.seg_slopes[k])
            last = (source, k)
        residuals.append(times.residuals[index])
    out.residuals = array("b", residuals)
    return out


def coarsened(times: StepTimes, quantum: float) -> StepTimes:
    """``times`` with residuals in units of ``quantum`` (a power of two times theirs), as
    the store coarsens them; the same object when it already is."""
    if times.quantum >= quantum:
        return times
    out = _like(times)
    out.seg_steps = array("q", times.seg_steps)
    out.seg_secs, out.seg_slopes = array("d", times.seg_secs), array("d", times.seg_slopes)
    residuals = times.residuals
    while out.quantum < quantum:
        out.quantum *= 2
        out.max_error += out.quantum / 2
        residuals = array("b", (r if r == NO_STAMP else (r + (r > 0)) // 2 for r in residuals))
    out.residuals = residuals
    return out


def _like(times: StepTimes) -> StepTimes:
    out = StepTimes()
    out.quantum, out.max_error = times.quantum, times.max_error
    return out


def _line(times: StepTimes, k: int, step: int) -> float:
    return times.seg_secs[k] + times.seg_slopes[k] * (step - times.seg_steps[k])


def _add_line(times: StepTimes, step: int, secs: float, slope: float) -> None:
    times.seg_steps.append(step)
    times.seg_secs.append(secs)
    times.seg_slopes.append(slope)
