"""The world both soaks run in (test_rel_soak.py, test_rel_soak_weather.py): the simulator on
a manual clock, the scheduler and the store on a virtual one, and a user who looks at a run
and tiles another now and then. Each soak brings its own faults and its own transport."""

from __future__ import annotations

import random

from axom_tui.api import AxomClient
from axom_tui.poll import PollPolicy, PollScheduler, VirtualClock
from axom_tui.sim import FaultConfig, ManualClock, SimConfig, Simulator
from axom_tui.sim.scenario import ROLE_ORDER
from axom_tui.store import RunStore
from rel_helpers import KEY

# A calmer rhythm than the default (the default is covered by tests/poll); the faults and
# the data paths are the same, and hours fit in a few seconds of wall time.
SOAK_POLICY = PollPolicy(
    focused_active=8.0,
    focused_active_events=30.0,
    visible_active=16.0,
    background_min=120.0,
    jobs_list=30.0,
    overview=300.0,
    models=300.0,
    focused_waiting_job=10.0,
    focused_waiting_logs=20.0,
)


def soak_simulator(seed: int, faults: FaultConfig) -> Simulator:
    """Every role of the scenario live, two finished runs, a new one every ten minutes."""
    config = SimConfig(
        seed=seed,
        key=KEY,
        faults=faults,
        initial_runs=len(ROLE_ORDER),
        history_runs=2,
        submit_every=600,
        max_live_runs=8,
    )
    return Simulator(config, clock=ManualClock())


class SoakWorld:
    def __init__(
        self,
        sim: Simulator,
        clock: VirtualClock,
        client: AxomClient,
        *,
        policy: PollPolicy = SOAK_POLICY,
        scheduler_seed: int,
        user_seed: int,
    ) -> None:
        self.sim = sim
        self.clock = clock
        self.client = client
        self.store = RunStore(clock=clock.now)
        self.scheduler = PollScheduler(
            client, self.store, policy=policy, clock=clock, rng=random.Random(scheduler_seed)
        )
        self.attended: set[str] = set()
        self.rng = random.Random(user_seed)

    def look_at(self, focused: str, visible: list[str]) -> None:
        self.scheduler.focus(focused)
        self.scheduler.set_visible(visible)
        self.attended.update([focused, *visible])

    def refocus(self) -> None:
        """Like a user: look at a live run (or any, when none is live), tile one more."""
        live = [
            j
            for j in self.store.order
            if self.store.runs[j].job is not None and not self.store.runs[j].job.terminal
        ]
        pool = live or list(self.store.order)
        picks = self.rng.sample(pool, min(2, len(pool)))
        if picks:
            self.look_at(picks[0], picks[1:])

    async def step(self, seconds: float, world_moves: bool = True) -> None:
        if world_moves:
            self.sim.clock.advance(seconds)
        await self.clock.advance(seconds)
