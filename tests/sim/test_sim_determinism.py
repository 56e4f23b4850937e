"""Determinism: the world is a pure function of (seed, simulated time)."""

from __future__ import annotations

import time

from axom_tui.sim import ManualClock, RealClock, SimConfig, Simulator
from sim_helpers import api_client, make_sim


async def snapshot(sim) -> dict:
    async with api_client(sim) as c:
        jobs = (await c.get("/jobs", params={"limit": 200})).text
        out = {
            "jobs": jobs,
            "models": (await c.get("/models")).text,
            "overview": (await c.get("/overview")).text,
        }
        for jid in sim.job_ids():
            out[jid] = (
                (await c.get(f"/jobs/{jid}/metrics", params={"since_step": 0})).text,
                (await c.get(f"/jobs/{jid}/logs")).text,
                (await c.get(f"/jobs/{jid}/events")).text,
            )
        return out


async def test_same_seed_same_time_same_world_however_polled():
    a, b = make_sim(seed=11), make_sim(seed=11)
    # a: polled often along the way; b: one jump
    for _ in range(40):
        a.clock.advance(45)
        await snapshot(a) if _ == 17 else a.now()
    b.clock.advance(45 * 40)
    sa, sb = await snapshot(a), await snapshot(b)
    assert sa.keys() == sb.keys()
    assert sa == sb


async def test_different_seed_differs():
    a, b = make_sim(seed=1), make_sim(seed=2)
    assert a.job_ids() != b.job_ids()
    async with api_client(a) as ca, api_client(b) as cb:
        assert (await ca.get("/jobs")).text != (await cb.get("/jobs")).text


def test_ticks_quantize_time():
    sim = make_sim()
    t0 = sim.now()
    sim.clock.advance(0.4)
    assert sim.now() == t0
    sim.clock.advance(0.7)
    assert sim.now() == t0 + 1


def test_real_clock_runs_at_speed():
    c = RealClock(speed=200.0)
    t0 = c.now()
    time.sleep(0.05)
    assert 5 <= c.now() - t0 <= 40
    sim = Simulator(SimConfig(speed=50.0))
    assert isinstance(sim.clock, RealClock) and sim.clock.speed == 50.0


def test_manual_clock():
    c = ManualClock(start=1000.0)
    assert c.now() == 1000.0 and c.advance(5) == 1005.0
    try:
        c.advance(-1)
    except ValueError:
        pass
    else:
        raise AssertionError("a clock must not go backwards")


def test_step_rate_about_an_hour_per_6000_steps():
    sim = make_sim()
    run = next(
        r
        for r in sim.runs
        if r.spec.total_steps == 6000 and r.spec.type == "train" and not r.spec.interrupts
    )
    hours = run.plan.end / 3600
    assert 0.6 < hours < 1.8
    # at --speed 30, a running run shows progress within each real second
    rate = run.spec.rate(1) * 30
    assert rate > 20
