"""The Axom Fusion API simulator: a real HTTP server, deterministic from a seed.

::

    from axom_tui.sim import SimConfig, Simulator, SimServer, ManualClock
    sim = Simulator(SimConfig(seed=7, speed=30))
    with SimServer(sim) as server:
        print(server.base_url)            # http://127.0.0.1:PORT/api

No Textual imports here: the simulator is plain asyncio/Starlette.
"""

from .app import create_app
from .catalog import GPU_HOUR_USD, LEGAL_TRANSITIONS, STATUSES, TERMINAL
from .clock import ManualClock, RealClock
from .config import SimConfig
from .faults import FaultConfig
from .server import SimServer
from .world import GroundTruth, Simulator

__all__ = [
    "FaultConfig", "GPU_HOUR_USD", "GroundTruth", "LEGAL_TRANSITIONS", "ManualClock",
    "RealClock", "STATUSES", "SimConfig", "SimServer", "Simulator", "TERMINAL", "create_app",
]
