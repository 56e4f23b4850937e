"""Helpers for the simulator tests (imported by conftest and the test modules)."""

from __future__ import annotations

import httpx

from axom_tui.sim import ManualClock, SimConfig, Simulator, create_app

KEY = "axom_live_testkey0123456789abcdefghij"
READ_KEY = "axom_live_readonly0123456789abcdefgh"
AUTH = {"Authorization": f"Bearer {KEY}"}


def make_sim(**kw) -> Simulator:
    kw.setdefault("key", KEY)
    kw.setdefault("read_only_key", READ_KEY)
    return Simulator(SimConfig(**kw), clock=ManualClock())


def api_client(sim: Simulator, headers: dict | None = AUTH) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(create_app(sim)),
        base_url="http://sim.test/api",
        headers=headers or {},
    )


def storage_client(sim: Simulator, app=None) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app or create_app(sim)))


async def job_by_name_role(client, sim, role: str) -> dict:
    """The job JSON of a scripted scenario role (see axom_tui.sim.scenario)."""
    from axom_tui.sim.scenario import ROLE_ORDER

    run = next(r for r in sim.runs if r.spec.index == ROLE_ORDER.index(role))
    r = await client.get(f"/jobs/{run.spec.id}")
    assert r.status_code == 200
    return r.json()
