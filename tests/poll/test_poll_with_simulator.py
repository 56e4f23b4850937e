"""The scheduler and store against the real simulator, in process, in virtual time.

The simulator's ManualClock and the scheduler's VirtualClock advance in step (1 s at a
time); at the end the world is frozen while the scheduler catches up, and the store
must equal the simulator's ground truth.
"""

from __future__ import annotations

import math
import random

import httpx
import pytest

from axom_tui.api import AxomClient
from axom_tui.poll import PollPolicy, PollScheduler, VirtualClock
from axom_tui.sim import FaultConfig, ManualClock, SimConfig, Simulator, create_app
from axom_tui.sim.scenario import ROLE_ORDER
from axom_tui.store import METRIC_COLUMNS, RunStore

KEY = "axom_live_polltest0123456789abcdefgh"


class World:
    def __init__(self, faults: FaultConfig | None = None, policy: PollPolicy | None = None) -> None:
        # the scripted roles up to "near-finish", no history, no new submissions: a small
        # world keeps the test fast (each in-process request costs a few milliseconds)
        config = SimConfig(
            seed=7,
            key=KEY,
            faults=faults or FaultConfig(),
            initial_runs=6,
            history_runs=0,
            submit_every=0,
        )
        self.sim = Simulator(config, clock=ManualClock())
        self.clock = VirtualClock(start=500.0)
        self.client = AxomClient(
            "http://sim/api",
            KEY,
            transport=httpx.ASGITransport(create_app(self.sim)),
            sleep=self.clock.sleep,
        )
        self.store = RunStore(clock=self.clock.now)
        self.scheduler = PollScheduler(
            self.client, self.store, clock=self.clock, policy=policy, rng=random.Random(5)
        )

    def job_id(self, role: str) -> str:
        index = ROLE_ORDER.index(role)
        return next(r.spec.id for r in self.sim.runs if r.spec.index == index)

    async def run_for(self, seconds: int, *, world_moves: bool = True) -> None:
        for _ in range(seconds):
            if world_moves:
                self.sim.clock.advance(1.0)
            await self.clock.advance(1.0)


def assert_metrics_match(store: RunStore, sim: Simulator, job_id: str) -> None:
    """Every step the simulator holds is in the store once, with the newest value.

    The store never drops data, so steps a preempted attempt reached and the server
    has since withdrawn (not yet re-done) may remain beyond the server's last step.
    """
    truth = sim.ground_truth(job_id).metrics
    series = store.runs[job_id].metrics
    held = list(series.steps)
    assert held == sorted(set(held)), "each step once, in order"
    assert set(truth) <= set(held)
    assert all(step > max(truth) for step in set(held) - set(truth))
    index = {step: i for i, step in enumerate(held)}
    for name in METRIC_COLUMNS:
        column = series.column(name)
        for step, point in truth.items():
            got, want = column[index[step]], float(point[name])
            assert got == want or (math.isnan(want) and math.isnan(got)), (name, step)
    cycles = series.column("cycle")
    assert all(cycles[index[s]] == p["cycle"] for s, p in truth.items())
    assert all(series.phase_at(s) == truth[s]["phase"] for s in sorted(truth)[::97])


def assert_logs_match(store: RunStore, sim: Simulator, job_id: str) -> None:
    truth = sim.ground_truth(job_id).logs
    held = list(store.runs[job_id].logs)
    assert [line.seq for line in held] == [line["seq"] for line in truth]
    assert [line.text for line in held] == [line["text"] for line in truth]


async def start(world: World):
    import asyncio

    task = asyncio.create_task(world.scheduler.run())
    await world.clock.settle()
    return task


async def finish(world: World, task) -> None:
    world.scheduler.stop()
    await task
    await world.client.aclose()


async def test_focused_run_through_a_preemption_equals_ground_truth():
    # slower than the default rhythm (fewer requests, and more re-done steps per poll)
    world = World(policy=PollPolicy(focused_active=5.0, jobs_list=10.0))
    job_id = world.job_id("preempt-twice")  # preempted at E+240 s at step 1650; resumes
    task = await start(world)  # from checkpoint 1000 about 220 s later
    world.scheduler.focus(job_id)
    await world.run_for(560)
    await world.run_for(15, world_moves=False)  # world frozen: let the scheduler catch up
    try:
        run = world.store.runs[job_id]
        assert run.job.retries >= 1, "the scenario preempted this run"
        assert run.metrics.resume_points, "re-sent steps were seen and replaced"
        assert run.metrics.last_step > 1100 and run.job.status == "running"
        assert_metrics_match(world.store, world.sim, job_id)
        assert_logs_match(world.store, world.sim, job_id)
        truth = world.sim.ground_truth(job_id)
        assert [e.kind for e in run.events] == [e["kind"] for e in truth.events]
        assert world.store.connection.state == "live"
        # focused ~2 s rhythm plus background work: within the global budget
        assert world.scheduler.stats.requests_per_second(world.clock.now()) <= 8.0
    finally:
        await finish(world, task)


async def test_run_finishing_in_background_gets_final_fetches_then_silence():
    world = World()
    job_id = world.job_id("near-finish")  # completes at E+150 s
    task = await start(world)
    try:
        await world.run_for(200)
        run = world.store.runs[job_id]
        assert run.job.status == "completed"
        assert run.result is not None and run.result.ppl_final is not None
        assert world.store.model_for_job(job_id) is not None
        assert_metrics_match(world.store, world.sim, job_id)
        counted = world.scheduler.stats.by_job[job_id]
        await world.run_for(150)
        assert world.scheduler.stats.by_job[job_id] == counted  # never polled again
        assert len(run.logs) == 0  # logs are fetched lazily, only when viewed
        world.scheduler.focus(job_id)
        await world.run_for(5)
        assert_logs_match(world.store, world.sim, job_id)
    finally:
        await finish(world, task)


@pytest.mark.parametrize(
    "faults",
    [
        FaultConfig(error_rate=0.15, rate_limit=0.05, retry_after=2, drop=0.05, seed=11),
    ],
)
async def test_store_converges_to_ground_truth_under_faults(faults):
    world = World(faults)
    job_id = world.job_id("nan")  # NaN losses at some steps
    task = await start(world)
    world.scheduler.focus(job_id)
    try:
        await world.run_for(200)
        await world.run_for(60, world_moves=False)
        assert_metrics_match(world.store, world.sim, job_id)
        assert_logs_match(world.store, world.sim, job_id)
        assert world.store.runs[job_id].metrics.nan_count >= 1
        assert world.scheduler.stats.errors_by_kind, "faults were actually injected"
    finally:
        await finish(world, task)
