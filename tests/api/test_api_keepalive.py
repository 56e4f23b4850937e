"""A connection is reused across poll rounds (issue 17: httpx dropped an idle connection
after 5 s, so a feed asked every 20 s opened a new one each time, ~6 a minute at idle)."""

from __future__ import annotations

import time

import httpcore._async.http11 as http11

from axom_tui.api.client import AxomClient
from axom_tui.sim import ManualClock, SimConfig, SimServer, Simulator

KEY = "axom_live_keepaliveTESTKEY0123456789"


async def test_a_connection_idle_for_a_background_round_is_used_again(monkeypatch):
    sim = Simulator(SimConfig(seed=7, key=KEY, submit_every=0), clock=ManualClock())
    with SimServer(sim) as server:
        client = AxomClient(server.base_url, KEY)
        try:
            await client.list_jobs()
            pool = client._http._transport._pool  # type: ignore[attr-defined]
            [first] = pool.connections
            later = time.monotonic() + 20.0  # a background run's metrics period
            monkeypatch.setattr(http11.time, "monotonic", lambda: later)
            await client.list_jobs()
            assert pool.connections == [first]  # not closed and opened again
        finally:
            await client.aclose()


async def test_a_connection_the_server_closed_meanwhile_is_not_reused():
    import asyncio

    from axom_tui.sim.app import create_app
    from axom_tui.sim.server import AsgiThreadServer

    sim = Simulator(SimConfig(seed=7, key=KEY, submit_every=0), clock=ManualClock())
    with AsgiThreadServer(create_app(sim), timeout_keep_alive=1) as server:
        client = AxomClient(server.origin + "/api", KEY, retries=0)
        try:
            await client.list_jobs()
            await asyncio.sleep(1.5)  # the server has closed its side
            assert len(await client.list_jobs()) > 0  # a new connection, no error
        finally:
            await client.aclose()
