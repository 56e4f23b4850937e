"""Promise 1 (defined in conftest.py): no data lost or duplicated under faults.

A bounded soak: three simulated hours of scheduler + store against the simulator served
in process (httpx.ASGITransport), the simulator's ManualClock advanced in step with the
scheduler's VirtualClock, with faults on the whole time: 5xx (some with HTML bodies), 429
with Retry-After, dropped connections, latency spikes in virtual time (some answers
arriving stale), overlapping pages (steps and lines already held, sent again), and the
scenario's preemptions that re-send steps with new values. The user moves focus and compare tiles around as runs come and go. At the end the world
stops, every run that was on screen is looked at once more (faults still on), and the
store must equal the simulator's ground truth: every metric step once with its newest
value, every log line once and in order, every event, every result, and every run's
status.
"""

from __future__ import annotations

import asyncio

import httpx

from axom_tui.api import AxomClient
from axom_tui.poll import VirtualClock
from axom_tui.sim import FaultConfig, create_app
from axom_tui.sim.scenario import ROLE_ORDER
from rel_helpers import KEY, Comparison, NetworkFaults, compare_run, figure
from rel_soak_world import SoakWorld, soak_simulator

SIM_SECONDS = 3 * 3600
STEP = 5.0  # both clocks move this much at a time
REFOCUS_EVERY = 900.0  # the user looks at another run every 15 simulated minutes
FAULTS = FaultConfig(error_rate=0.12, rate_limit=0.03, retry_after=3, drop=0.06, seed=23)


class FaultyNetworkWorld(SoakWorld):
    def __init__(self) -> None:
        sim = soak_simulator(11, FAULTS)
        self.app = create_app(sim)  # the fault middleware: it counts what it injected
        clock = VirtualClock(start=10_000.0)
        self.net = NetworkFaults(
            httpx.ASGITransport(self.app),
            clock.sleep,
            share=0.04,
            spike=(3.0, 40.0),
            overlap=0.05,
            seed=5,
        )
        client = AxomClient("http://sim/api", KEY, transport=self.net, retries=0)
        super().__init__(sim, clock, client, scheduler_seed=3, user_seed=17)

    def role(self, name: str) -> str:
        index = ROLE_ORDER.index(name)
        return next(r.spec.id for r in self.sim.runs if r.spec.index == index)


async def test_three_simulated_hours_under_faults_lose_and_duplicate_nothing(monkeypatch):
    # httpx's ASGITransport tries `import sniffio` (not installed) on every request: ~2 ms
    # each, most of this test's time. We run on asyncio, never trio.
    monkeypatch.setattr("httpx._transports.asgi.is_running_trio", lambda: False)
    world = FaultyNetworkWorld()
    sched, store, sim = world.scheduler, world.store, world.sim
    task = asyncio.create_task(sched.run())
    await world.clock.settle()
    world.look_at(world.role("preempt-twice"), [world.role("failing")])
    degraded_seen: set[str] = set()
    try:
        elapsed, next_refocus = 0.0, REFOCUS_EVERY
        while elapsed < SIM_SECONDS:
            await world.step(STEP)
            elapsed += STEP
            degraded_seen.add(store.connection.state)
            if elapsed >= next_refocus:
                world.refocus()
                next_refocus += REFOCUS_EVERY
        assert task.done() is False, "the scheduler loop never stops on errors"

        # The world stops; the user looks at every run that was on screen once more (the
        # faults stay on), until the store holds what the server holds or time runs out.
        total = Comparison()
        for job_id in sorted(world.attended):
            sched.focus(job_id)
            sched.set_visible([])
            truth = sim.ground_truth(job_id)
            for _ in range(120):  # at most 10 virtual minutes per run
                await world.step(5.0, world_moves=False)
                result = compare_run(store, truth, job_id)
                if not result.problems:
                    break
            total.add(result)
        # every run's status: the job list keeps them current
        await world.step(60.0, world_moves=False)
        # the faults stop: the connection is live again
        sim.faults = FaultConfig()
        await world.step(90.0, world_moves=False)
        recovered = store.connection.state
        statuses = {job_id: sim.job(job_id) for job_id in sim.job_ids()}
        wrong = [
            (
                j[:8],
                store.runs[j].job.status if j in store.runs and store.runs[j].job else None,
                s["status"],
            )
            for j, s in statuses.items()
            if j not in store.runs
            or store.runs[j].job is None
            or (store.runs[j].job.status, store.runs[j].job.retries) != (s["status"], s["retries"])
        ]
    finally:
        sched.stop()
        await task
        await world.client.aclose()

    counts = world.app.counts
    preemptions = sum(1 for j in sim.job_ids() for e in sim.events(j) if e["kind"] == "preempted")
    resent = sum(len(store.runs[j].metrics.resume_points) for j in world.attended)
    injected = (
        counts["5xx"] + counts["429"] + counts["drop"] + world.net.spikes + world.net.overlaps
    )
    figure("soak: simulated seconds", SIM_SECONDS)
    figure("soak: requests", world.net.requests)
    figure("soak: faults injected (5xx)", counts["5xx"])
    figure("soak: faults injected (429 + Retry-After)", counts["429"])
    figure("soak: faults injected (dropped connections)", counts["drop"])
    figure("soak: faults injected (virtual latency spikes)", world.net.spikes)
    figure("soak: faults injected (overlapping pages re-sent)", world.net.overlaps)
    figure("soak: faults injected (preemptions)", preemptions)
    figure("soak: faults injected total", injected + preemptions)
    figure("soak: runs compared in full", len(world.attended))
    figure("soak: metric points compared", total.points)
    figure("soak: log lines compared", total.lines)
    figure("soak: events compared", total.events)
    figure("soak: results compared", total.results)
    figure("soak: steps kept beyond the server's last (a preempted attempt's)", total.withdrawn)
    figure("soak: job statuses compared", len(statuses))

    assert total.problems == [], total.problems[:10]
    assert wrong == [], wrong
    # the soak did what it says
    assert counts["5xx"] > 100 and counts["429"] > 20 and counts["drop"] > 50
    assert world.net.spikes > 50 and world.net.overlaps > 50
    assert preemptions >= 3 and resent >= 1, "re-sent steps were seen and replaced"
    assert len(world.attended) >= 10
    assert total.points > 5_000 and total.lines > 5_000
    assert total.results >= 3
    assert "retrying" in degraded_seen, "the faults were visible as a degraded connection"
    assert recovered == "live"
