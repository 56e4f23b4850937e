"""Simulated clocks.

The world is a pure function of (seed, simulated time).  A clock only answers
"what simulated time is it now?" as Unix seconds (float):

* :class:`RealClock` -- ``start + real_elapsed * speed`` (``time.monotonic`` based,
  so wall-clock jumps do not move the world).
* :class:`ManualClock` -- stands still until a test calls :meth:`ManualClock.advance`.

Both expose ``start`` (the simulated epoch: the moment the simulator "opened";
the scenario places its runs relative to it).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol

#: Default epoch of a ManualClock: 2026-06-04T00:00:00Z (keeps tests reproducible).
DEFAULT_EPOCH = 1780531200.0


class SimClock(Protocol):
    start: float

    def now(self) -> float: ...


class RealClock:
    """Simulated time runs ``speed`` times faster than real time."""

    def __init__(self, speed: float = 1.0, start: float | None = None) -> None:
        if speed <= 0:
            raise ValueError("speed must be > 0")
        self.speed = float(speed)
        self.start = float(int(time.time() if start is None else start))
        self._m0 = time.monotonic()

    def now(self) -> float:
        return self.start + (time.monotonic() - self._m0) * self.speed


class ManualClock:
    """A clock that only moves when told to (for tests)."""

    def __init__(self, start: float = DEFAULT_EPOCH) -> None:
        self.start = float(start)
        self._now = float(start)

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("a clock does not go backwards")
        self._now += seconds
        return self._now

    def set(self, t: float) -> None:
        if t < self._now:
            raise ValueError("a clock does not go backwards")
        self._now = float(t)


_iso_cache: dict[int, str] = {}


def iso(t: float) -> str:
    """ISO-8601 UTC with a ``Z`` suffix, whole seconds (like the contract's examples)."""
    s = int(t // 1)
    r = _iso_cache.get(s)
    if r is None:
        if len(_iso_cache) > 200_000:
            _iso_cache.clear()
        r = datetime.fromtimestamp(s, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        _iso_cache[s] = r
    return r


def day(t: float) -> str:
    return datetime.fromtimestamp(int(t // 1), tz=UTC).strftime("%Y-%m-%d")
