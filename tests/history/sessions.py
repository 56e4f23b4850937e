"""One axom-tui "session" over a fake API that outlives it: a restart is a new Session on
the same FakeApi and the same cache file. Time is virtual (VirtualClock); the cache's
writer and reader threads are real."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path
from typing import Self

from axom_tui.api.records import LogsPage, MetricsPage
from axom_tui.history.cache import open_cache
from axom_tui.history.sync import HistorySync
from axom_tui.poll import PollPolicy, PollScheduler, VirtualClock
from axom_tui.store import RunStore
from poll_fakes import FakeApi


class RecordingApi(FakeApi):
    """FakeApi that also notes the cursor of every metrics and logs request."""

    def __init__(self, clock: VirtualClock, **kw) -> None:
        super().__init__(clock, **kw)
        self.since: list[tuple[str, str, int | None]] = []

    async def get_metrics(self, job_id: str, since_step: int | None = None) -> MetricsPage:
        self.since.append(("metrics", job_id, since_step))
        return await super().get_metrics(job_id, since_step)

    async def get_logs(self, job_id: str, since: int | None = None) -> LogsPage:
        self.since.append(("logs", job_id, since))
        return await super().get_logs(job_id, since)

    def history_calls(self, job_id: str | None = None) -> int:
        return sum(self.count(m, job_id) for m in ("get_metrics", "get_logs", "get_events"))


class Session:
    def __init__(
        self,
        api: RecordingApi,
        path: Path | None,
        *,
        log_cap: int = 10_000,
        policy: PollPolicy | None = None,
        cap_bytes: int | None = None,
    ) -> None:
        self.api = api
        self.clock = api.clock
        self.store = RunStore(clock=self.clock.now, log_cap=log_cap)
        self.sync: HistorySync | None = None
        if path is not None:
            self.cache = open_cache(path, origin="http://fake")
            self.sync = HistorySync(
                self.store, self.cache, log_limit=log_cap, flush_delay=0.005, cap_bytes=cap_bytes
            )
        self.scheduler = PollScheduler(
            api,
            self.store,
            policy=policy or PollPolicy(),
            clock=self.clock,
            rng=random.Random(3),
            history=self.sync,
        )
        if self.sync is not None:
            self.sync.tracker = self.scheduler
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self.sync is not None:
            self.sync.restore_index()
        self._task = asyncio.create_task(self.scheduler.run())
        await self.clock.settle()

    async def run_for(self, seconds: float, step: float = 0.5) -> None:
        for _ in range(int(seconds / step)):
            await self.clock.advance(step)
            await asyncio.sleep(0.002)  # let the cache's threads answer

    async def watch(self, job_id: str, seconds: float) -> None:
        """Put ``job_id`` on screen for ``seconds`` of virtual time."""
        self.scheduler.focus(job_id)
        await self.run_for(seconds)

    async def settle_cache(self) -> None:
        """Wait (in real time) until the cache wrote all it was given and loaded all
        it was asked."""
        for _ in range(400):
            await asyncio.sleep(0.01)
            sync = self.sync
            if sync is None:
                return
            busy = (
                sync._inflight is not None
                or sync._timer is not None
                or any(m.load is not None for m in sync._marks.values())
            )
            if not busy:
                return

    async def stop(self) -> None:
        self.scheduler.stop()
        if self._task is not None:
            await self._task
        if self.sync is not None:
            await self.sync.aclose()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


def new_api(**kw) -> RecordingApi:
    return RecordingApi(VirtualClock(start=1000.0), **kw)
