"""A frozen world for the SVG snapshot tests (tests/ui/test_snapshots.py).

The store is filled before the app starts, by the real scheduler polling the simulator
in process (``httpx.ASGITransport``) on virtual clocks: the simulator's ``ManualClock``
is set to a fixed moment and never moves again, the scheduler runs on a ``VirtualClock``.
The app then gets that store and a scheduler that never polls, so nothing arrives while
it runs; the clocks the screens read (the server's "now", the header's freshness, local
time zone) are frozen at the same moment. Same seed, same moment: the same pixels.

If the screens' clock functions move (``axom_tui.view.format.utcnow``, the header's
``time``), :func:`freeze_clocks` is the one place to update.
"""

from __future__ import annotations

import asyncio
import random
import time
import types
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from axom_tui.api import AxomClient
from axom_tui.api.secret import ApiKey
from axom_tui.poll import PollPolicy, PollScheduler, VirtualClock
from axom_tui.runtime.services import Services
from axom_tui.sim import ManualClock, SimConfig, Simulator, create_app
from axom_tui.store import RunStore
from axom_tui.ui.app import AxomApp
from axom_tui.ui.settings import UiSettings

KEY = "axom_live_snapshot0123456789abcdefSECRET"
SIM_AT = 40 * 60.0
"""Simulated seconds after the simulator's epoch at which its clock stops."""
POLL_SECONDS = 30.0
"""Virtual seconds the scheduler polls each run it is shown."""


class FrozenScheduler(PollScheduler):
    """The app's scheduler, parked: it keeps the user's focus but never polls."""

    async def run(self) -> None:
        await asyncio.Event().wait()


@dataclass
class FrozenWorld:
    store: RunStore
    sim: Simulator
    server_now: datetime
    """The simulator's frozen clock, as the server's "now"."""
    monotonic: float
    """The scheduler's VirtualClock when filling stopped (the store's time base)."""

    def role(self, name: str) -> str:
        from axom_tui.sim.scenario import ROLE_ORDER

        index = ROLE_ORDER.index(name)
        return next(r.spec.id for r in self.sim.runs if r.spec.index == index)


def build_world() -> FrozenWorld:
    """Poll a frozen simulator until the store holds every run's data (each run focused
    in turn, so its metrics, logs, events and result are all fetched)."""
    config = SimConfig(seed=7, key=KEY, history_runs=0, submit_every=0.0, model_bytes=256_000)
    sim_clock = ManualClock()
    sim = Simulator(config, clock=sim_clock)  # the world is laid out from its start...
    sim_clock.advance(SIM_AT)  # ...then looked at this far in
    clock = VirtualClock(start=1_000.0)

    async def fill() -> RunStore:
        transport = httpx.ASGITransport(create_app(sim))
        client = AxomClient("http://sim/api", KEY, transport=transport, retries=0)
        store = RunStore(clock=clock.now)
        scheduler = PollScheduler(
            client, store, clock=clock, rng=random.Random(1), policy=PollPolicy()
        )
        task = asyncio.create_task(scheduler.run())
        try:
            await clock.advance(POLL_SECONDS)
            for job_id in list(store.order):
                scheduler.focus(job_id)
                await clock.advance(POLL_SECONDS)
        finally:
            scheduler.stop()
            await task
            await client.aclose()
        return store

    store = asyncio.run(fill())
    server_now = datetime.fromtimestamp(sim.clock.now(), tz=UTC)
    return FrozenWorld(store, sim, server_now, clock.now())


def freeze_clocks(monkeypatch: pytest.MonkeyPatch, world: FrozenWorld) -> None:
    """Stop every clock a screen reads at the world's moment (and show times in UTC)."""
    import axom_tui.ui.widgets.header_bar as header_bar
    import axom_tui.view.derive as derive
    import axom_tui.view.format as fmt

    monkeypatch.setattr(fmt, "utcnow", lambda: world.server_now)
    monkeypatch.setattr(derive, "utcnow", lambda: world.server_now)
    frozen_time = types.SimpleNamespace(monotonic=lambda: world.monotonic)
    monkeypatch.setattr(header_bar, "time", frozen_time)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


def frozen_app(world: FrozenWorld, **settings: Any) -> AxomApp:
    """The dashboard over the world's store, polling nothing."""
    client = AxomClient("http://snapshot.invalid/api", ApiKey(KEY), retries=0)  # never used
    scheduler = FrozenScheduler(client, world.store, policy=PollPolicy())
    services = Services(client=client, store=world.store, scheduler=scheduler)
    options: dict[str, Any] = {"label": "snapshot", "theme": "axom-dark", "notify_desktop": False}
    options.update(settings)
    return AxomApp(services, UiSettings(**options))
