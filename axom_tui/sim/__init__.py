"""The Axom Fusion API simulator: a real HTTP server, deterministic from a seed.

::

    from axom_tui.sim import SimConfig, Simulator, SimServer, ManualClock
    sim = Simulator(SimConfig(seed=7, speed=30))
    with SimServer(sim) as server:
        print(server.base_url)            # http://127.0.0.1:PORT/api

No Textual imports here: the simulator is plain asyncio/Starlette. Names load on first
use, so ``axom_tui.sim.cli``'s argument definitions cost no Starlette/uvicorn import.
"""

from typing import TYPE_CHECKING

from axom_tui.base.lazy import lazy_exports

_EXPORTS = {
    "create_app": "app",
    "GPU_HOUR_USD": "catalog",
    "LEGAL_TRANSITIONS": "catalog",
    "STATUSES": "catalog",
    "TERMINAL": "catalog",
    "ManualClock": "clock",
    "RealClock": "clock",
    "SimConfig": "config",
    "FaultConfig": "faults",
    "SimServer": "server",
    "GroundTruth": "world",
    "Simulator": "world",
}
__all__ = list(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

if TYPE_CHECKING:  # what the type checker sees of the names loaded on first use
    from axom_tui.sim.app import create_app as create_app
    from axom_tui.sim.catalog import (
        GPU_HOUR_USD as GPU_HOUR_USD,
        LEGAL_TRANSITIONS as LEGAL_TRANSITIONS,
        STATUSES as STATUSES,
        TERMINAL as TERMINAL,
    )
    from axom_tui.sim.clock import ManualClock as ManualClock, RealClock as RealClock
    from axom_tui.sim.config import SimConfig as SimConfig
    from axom_tui.sim.faults import FaultConfig as FaultConfig
    from axom_tui.sim.server import SimServer as SimServer
    from axom_tui.sim.world import GroundTruth as GroundTruth, Simulator as Simulator
