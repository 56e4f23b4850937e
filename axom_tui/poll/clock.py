"""Clocks for the scheduler: real monotonic time, or virtual time for tests.

The scheduler never calls ``asyncio.sleep`` or ``time.monotonic`` itself; it asks its
clock. With :class:`VirtualClock`, time only moves when a test calls
:meth:`VirtualClock.advance`: every sleeper whose deadline falls in the window is woken in
deadline order, and the event loop is allowed to settle (run everything runnable)
between steps, so minutes of polling are simulated in milliseconds, deterministically.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from typing import Any, Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Monotonic seconds."""
        ...

    async def sleep(self, seconds: float) -> None: ...

    async def sleep_until(self, deadline: float | None, wake: asyncio.Event) -> None:
        """Return at ``deadline`` (None: never) or as soon as ``wake`` is set."""
        ...


class MonotonicClock:
    """Real time: ``time.monotonic`` and asyncio timers."""

    def now(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))

    async def sleep_until(self, deadline: float | None, wake: asyncio.Event) -> None:
        if wake.is_set():
            return
        timeout = None if deadline is None else max(0.0, deadline - self.now())
        try:
            await asyncio.wait_for(wake.wait(), timeout)
        except TimeoutError:
            pass


class VirtualClock:
    """Virtual time. Sleepers wait on futures that :meth:`advance` resolves in order."""

    def __init__(self, start: float = 1000.0, settle_spins: int = 10_000) -> None:
        self._now = float(start)
        self._timers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._settle_spins = settle_spins

    def now(self) -> float:
        return self._now

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        await self._timer(self._now + seconds)

    async def sleep_until(self, deadline: float | None, wake: asyncio.Event) -> None:
        if wake.is_set():
            return
        if deadline is not None and deadline <= self._now:
            await asyncio.sleep(0)
            return
        timer = self._new_timer(deadline) if deadline is not None else None
        waiter = asyncio.ensure_future(wake.wait())
        pending: set[asyncio.Future[Any]] = {waiter} | ({timer} if timer is not None else set())
        try:
            await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
            if timer is not None and not timer.done():
                timer.cancel()

    def _new_timer(self, deadline: float) -> asyncio.Future[None]:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._timers, (deadline, next(self._order), future))
        return future

    async def _timer(self, deadline: float) -> None:
        await self._new_timer(deadline)

    @property
    def next_deadline(self) -> float | None:
        self._drop_cancelled()
        return self._timers[0][0] if self._timers else None

    def _drop_cancelled(self) -> None:
        while self._timers and self._timers[0][2].done():
            heapq.heappop(self._timers)

    async def settle(self) -> None:
        """Let every runnable task run until all of them wait (on timers or I/O)."""
        loop = asyncio.get_running_loop()
        ready = getattr(loop, "_ready", None)  # CPython's run queue; absent on other loops
        quiet = 0
        for _ in range(self._settle_spins):
            await asyncio.sleep(0)
            if ready is None:
                quiet += 1
                if quiet >= 50:
                    return
            elif not ready:
                quiet += 1
                if quiet >= 3:
                    return
            else:
                quiet = 0

    async def advance(self, seconds: float) -> None:
        """Move virtual time forward by ``seconds``, firing timers in deadline order."""
        await self.run_until(self._now + seconds)

    async def run_until(self, target: float) -> None:
        await self.settle()
        while True:
            deadline = self.next_deadline
            if deadline is None or deadline > target:
                break
            self._now = max(self._now, deadline)
            while self._timers and self._timers[0][0] <= self._now:
                _, _, future = heapq.heappop(self._timers)
                if not future.done():
                    future.set_result(None)
            await self.settle()
        self._now = max(self._now, target)
        await self.settle()
