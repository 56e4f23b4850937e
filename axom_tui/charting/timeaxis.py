"""Time on the x axis: each point's time from the store's stamps, gaps, and time ticks.

The store keeps a point's time as a line per stretch of steps plus a byte per point
(``store.step_times``); :class:`TimeCache` turns that into one float64 per point (epoch
seconds, NaN where a point came without a stamp), extending it as points are appended
(a million points: ~15 ms once, then only the new ones).

Drawn against time, x must not go backwards (decimation and the cursor search it):
:meth:`TimeCache.drawn` is the times in integer milliseconds, unstamped points given
the time before them, made non-decreasing. A preemption leaves a long stretch with no
points; :func:`gap_threshold` says how long a stretch must be to break the line there.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

from axom_tui.base.cycling import CyclingEnum
from axom_tui.charting.decimate import as_steps

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

NO_STAMP = -128  # as in store.step_times
#: A stretch without points longer than this many typical spacings (and 30 s) is a gap.
GAP_SPACINGS = 20
MIN_GAP_MS = 30_000


class XMode(CyclingEnum):
    """What the x axis shows, in the order ``x`` cycles through them."""

    STEP = "step"
    ELAPSED = "elapsed"
    CLOCK = "clock"

    @property
    def is_time(self) -> bool:
        return self is not XMode.STEP


class Stamps(Protocol):
    """What :class:`axom_tui.store.step_times.StepTimes` offers (no import of the store)."""

    seg_steps: Sequence[int]
    seg_secs: Sequence[float]
    seg_slopes: Sequence[float]
    residuals: Sequence[int]
    quantum: float
    edits: int


class TimeCache:
    """Per-point times of one series, brought up to date from its stamps."""

    def __init__(self) -> None:
        self._stamps: object = None
        self._edits = -1
        self._quantum = 0.0
        self._n = 0
        self._secs = np.empty(0)
        self._drawn = np.empty(0, dtype=np.int64)
        self._drawn_n = 0

    def update(self, steps: Sequence[int] | npt.ArrayLike, stamps: Stamps) -> FloatArray:
        """Times of every point (epoch seconds, NaN if unstamped); a read-only view."""
        s = as_steps(steps)
        try:
            n = min(s.shape[0], len(stamps.residuals))
            fresh = (
                stamps is not self._stamps
                or stamps.edits != self._edits
                or stamps.quantum != self._quantum
                or n < self._n
            )
            start = 0 if fresh else self._n
            if fresh or n > self._n:
                if self._secs.shape[0] < n:
                    grown = np.empty(max(n, int(self._secs.shape[0] * 1.5) + 1024))
                    grown[:start] = self._secs[:start]
                    self._secs = grown
                self._secs[start:n] = _times(s[start:n], stamps, start)
                self._drawn_n = min(self._drawn_n, start)
            self._stamps, self._edits, self._quantum, self._n = (
                stamps,
                stamps.edits,
                stamps.quantum,
                n,
            )
        finally:
            del s
        out = self._secs[:n]
        out.flags.writeable = False
        return out

    def drawn(self) -> IntArray:
        """The times as x: integer ms, unstamped points at the time before them (or the
        first stamp), never decreasing. Valid after :meth:`update`; a read-only view."""
        n = self._n
        if self._drawn.shape[0] < n:
            grown = np.empty(max(n, int(self._drawn.shape[0] * 1.5) + 1024), dtype=np.int64)
            grown[: self._drawn_n] = self._drawn[: self._drawn_n]
            self._drawn = grown
        start = self._drawn_n
        if start < n:
            secs = self._secs[start:n]
            ms = np.rint(secs * 1000.0)
            bad = np.isnan(ms)
            prev = float(self._drawn[start - 1]) if start else np.nan
            if bad.any():
                # Forward fill: each NaN takes the last stamped value before it.
                idx = np.where(bad, 0, np.arange(ms.shape[0]))
                np.maximum.accumulate(idx, out=idx)
                filled = ms[idx]
                lead = np.isnan(filled)
                if lead.any():
                    first = prev if not math.isnan(prev) else _first_finite(self._secs[:n])
                    filled[lead] = first
                ms = filled
            if not math.isnan(prev):
                ms = np.maximum(ms, prev)
            ms = np.maximum.accumulate(np.nan_to_num(ms, nan=0.0))
            self._drawn[start:n] = ms.astype(np.int64)
            self._drawn_n = n
        out = self._drawn[:n]
        out.flags.writeable = False
        return out

    @property
    def stamped(self) -> bool:
        """Whether any point has a time."""
        return bool(self._n) and not bool(np.isnan(self._secs[: self._n]).all())


def _first_finite(secs: FloatArray) -> float:
    ok = np.flatnonzero(~np.isnan(secs))
    return float(np.rint(secs[ok[0]] * 1000.0)) if ok.shape[0] else 0.0


def _times(s: npt.NDArray[np.integer], stamps: Stamps, start: int) -> FloatArray:
    seg_steps = np.array(stamps.seg_steps, dtype=np.int64)
    seg_secs = np.array(stamps.seg_secs, dtype=np.float64)
    seg_slopes = np.array(stamps.seg_slopes, dtype=np.float64)
    res = np.array(stamps.residuals[start : start + s.shape[0]], dtype=np.float64)
    if seg_steps.shape[0] == 0:
        return np.full(s.shape[0], np.nan)
    k = np.searchsorted(seg_steps, s, side="right") - 1
    kc = k.clip(0)
    out: FloatArray = seg_secs[kc] + seg_slopes[kc] * (s - seg_steps[kc]) + res * stamps.quantum
    out[(res == NO_STAMP) | (k < 0)] = np.nan
    return out


def gap_threshold(x_ms: IntArray, lo: int = 0, hi: int | None = None) -> int:
    """Milliseconds without a point that count as a gap in ``x_ms[lo:hi]``: twenty typical
    spacings (the median of a sample of them), and at least 30 s."""
    hi = x_ms.shape[0] if hi is None else hi
    if hi - lo < 3:
        return MIN_GAP_MS
    picks = np.unique(np.linspace(lo, hi - 2, min(hi - lo - 1, 2048)).astype(np.int64))
    diffs = x_ms[picks + 1] - x_ms[picks]
    diffs = diffs[diffs > 0]
    typical = float(np.median(diffs)) if diffs.shape[0] else 0.0
    return int(max(MIN_GAP_MS, GAP_SPACINGS * typical))


# ----------------------------------------------------------------------- ticks

#: Tick spacings in seconds, shortest first (beyond the last: whole weeks).
_TIME_STEPS = (
    1,
    2,
    5,
    10,
    15,
    30,
    60,
    120,
    300,
    600,
    900,
    1800,
    3600,
    7200,
    10800,
    21600,
    43200,
    86400,
    172800,
    604800,
)


def time_step(span_s: float, target: int) -> float:
    """A round spacing (1 s … 1 week, then weeks) giving at most ~``target`` intervals."""
    for step in _TIME_STEPS:
        if span_s / step <= max(1, target):
            return float(step)
    weeks = math.ceil(span_s / max(1, target) / 604800)
    return float(weeks * 604800)


def time_ticks(lo_s: float, hi_s: float, target: int, origin_s: float = 0.0) -> list[float]:
    """Round times in ``[lo_s, hi_s]`` (epoch s), counted from ``origin_s`` (0: UTC)."""
    if not hi_s > lo_s:
        return [lo_s]
    step = time_step(hi_s - lo_s, target)
    first = math.ceil((lo_s - origin_s) / step - 1e-9)
    last = math.floor((hi_s - origin_s) / step + 1e-9)
    return [origin_s + k * step for k in range(first, min(last, first + 60) + 1)] or [lo_s]


def format_elapsed(seconds: float) -> str:
    """``0``, ``45s``, ``12m``, ``1h30m``, ``2d3h`` (whole units, two at most)."""
    sign = "-" if seconds < 0 else ""
    s = round(abs(seconds))
    if s == 0:
        return "0"
    days, rest = divmod(s, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "m"), (secs, "s")]
    first = next(i for i, (v, _) in enumerate(parts) if v)
    shown = [f"{v}{u}" for v, u in parts[first : first + 2] if v]
    return sign + "".join(shown)


def format_clock(epoch_s: float, step_s: float = 60.0) -> str:
    """UTC ``HH:MM`` (``HH:MM:SS`` when ticks are under a minute apart, ``MM-DD`` a day)."""
    t = time.gmtime(int(epoch_s))
    if step_s >= 86400:
        return f"{t.tm_mon:02d}-{t.tm_mday:02d}"
    if step_s < 60:
        return f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}"
    return f"{t.tm_hour:02d}:{t.tm_min:02d}"
