"""Fixtures for the simulator tests: a Simulator on a ManualClock, an in-process client."""

from __future__ import annotations

import pytest

from axom_tui.sim import Simulator
from sim_helpers import api_client, make_sim


@pytest.fixture
def sim() -> Simulator:
    return make_sim()


@pytest.fixture
async def client(sim):
    async with api_client(sim) as c:
        yield c
