"""Request budget: the poll scheduler against the simulator with 5 / 50 / 200 runs.

The real ``PollScheduler`` + ``RunStore`` + ``AxomClient`` (the dashboard's default
policy) talk to the real simulator app in-process (ASGI transport) in virtual time:
the simulator's ManualClock and the scheduler's VirtualClock advance together in 0.25 s
steps, so minutes of polling take seconds and the figures do not depend on the
machine. The world is re-timed so that most runs are training (80 %), some are
finished (completed/failed), and a few finish during the measurement. One training
run is focused, as when it is selected in the dashboard.

After a warm-up (the first listing and the first pass over every run: catch-up pages
of each run's history; reported separately), requests are counted over the window:

* requests per second, all feeds together (budget: <= 4 / 6 / 10 for 5 / 50 / 200 runs);
* the focused run's metrics staleness: the longest time during the window since its
  metrics feed last succeeded, from the exact success times (budget: never above 2.5 s;
  request latency is zero in virtual time, so this is the scheduler's rhythm alone);
* requests to finished runs: once a finished run's final fetches are done (every feed
  of it parked: nothing due, nothing in flight) it must get no request at all (budget:
  0); runs finished before the window count too. The final fetches themselves (and how
  long they waited for the background budget) are shown.

The baseline is a naive poller: every feed (job, metrics, logs, events, result) of
every run each 2 s = 2.5 x runs requests per second (computed).

    .venv/bin/python bench/poll_bench.py [--quick]
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

try:
    from bench._common import BenchLine, at_most, run_standalone
except ImportError:  # pragma: no cover - run from inside bench/
    from _common import BenchLine, at_most, run_standalone  # type: ignore[no-redef]

import httpx

from axom_tui.api import AxomClient
from axom_tui.cli.launch import poll_policy
from axom_tui.config.schema import Settings
from axom_tui.poll import PollScheduler, VirtualClock
from axom_tui.sim import ManualClock, SimConfig, Simulator, create_app
from axom_tui.sim.world import Run
from axom_tui.store import RUN_FEEDS, FeedKey, RunStore

KEY = "axom_live_pollbench0123456789abcdefghij"
BUDGETS = {5: 4.0, 50: 6.0, 200: 10.0}
STALE_BUDGET = 2.5
STEP = 0.25
UNSETTLED_GRACE = 60.0  # a finished run whose feeds are still due after this is counted
NAIVE_FEEDS = 5
NAIVE_INTERVAL = 2.0
TERMINAL = ("completed", "failed")
ACTIVE = ("running", "checkpointing", "uploading")


def build_world(n: int, seed: int = 7) -> Simulator:
    """A simulator with ``n`` runs: ~80 % training now, ~10 % finishing within the next
    minutes, ~10 % already finished. (Re-times the runs the simulator drew: bench only.)"""
    sim = Simulator(
        SimConfig(
            seed=seed, key=KEY, initial_runs=n, history_runs=0, submit_every=0, max_live_runs=n
        ),
        clock=ManualClock(),
    )
    rng = random.Random(seed)
    e = sim.epoch
    runs = []
    for k, r in enumerate(sorted(sim.runs, key=lambda r: r.spec.index)):
        plan = r.plan
        first_run = plan.first("running")
        roll = (k * 0.37) % 1.0  # spread deterministically over the kinds below
        if first_run is None or roll < 0.10:  # finished well before the epoch
            rel = plan.end + rng.uniform(60, 3600)
        elif roll < 0.20:  # finishes 20-200 s after the epoch
            rel = plan.end - rng.uniform(20, 200)
        else:  # training, early enough to keep training through the measurement
            span = plan.end - first_run.t0
            rel = first_run.t0 + rng.uniform(0.05, 0.5) * span
            seg = plan.segment_at(rel)
            if seg.status != "running":  # land inside a running segment
                rel = (
                    next(s.t0 + 1 for s in plan.segments if s.status == "running" and s.t0 >= rel)
                    if any(s.status == "running" and s.t0 >= rel for s in plan.segments)
                    else first_run.t0 + 1
                )
        runs.append(Run(r.spec, plan, float(int(e - rel))))
    runs.sort(key=lambda r: (r.created, r.spec.index))
    sim.runs, sim._by_id, sim._by_model = [], {}, {}
    for r in runs:
        sim._add(r)
    sim._live = [r for r in sim.runs if r.end > e]
    return sim


class Probe:
    """Request timeline per job, from the scheduler's stats."""

    def __init__(self, scheduler: PollScheduler) -> None:
        self.by_job: dict[str, list[float]] = defaultdict(list)
        self.ok: dict[FeedKey, list[float]] = defaultdict(list)
        stats = scheduler.stats
        original, original_ok = stats.record_request, stats.record_ok

        def record(key: FeedKey, now: float, in_flight: int) -> None:
            if key.job_id is not None:
                self.by_job[key.job_id].append(now)
            original(key, now, in_flight)

        def record_ok(key: FeedKey, now: float) -> None:
            self.ok[key].append(now)
            original_ok(key, now)

        stats.record_request = record  # type: ignore[method-assign]
        stats.record_ok = record_ok  # type: ignore[method-assign]

    def worst_staleness(self, key: FeedKey, t0: float, t1: float) -> float:
        """Longest time within [t0, t1] since ``key`` last succeeded (exact, from the
        success times; inf if it never succeeded before t0)."""
        times = self.ok[key]
        before = [t for t in times if t <= t0]
        if not before:
            return float("inf")
        marks = [before[-1]] + [t for t in times if t0 < t <= t1] + [t1]
        return max(b - a for a, b in zip(marks, marks[1:]))


async def _scenario(n: int, warm: float, window: float) -> dict[str, float]:
    sim = build_world(n)
    clock = VirtualClock(start=500.0)
    client = AxomClient(
        "http://sim/api",
        KEY,
        transport=httpx.ASGITransport(create_app(sim)),
        sleep=clock.sleep,
        retries=0,
    )
    store = RunStore(clock=clock.now)
    scheduler = PollScheduler(
        client, store, policy=poll_policy(Settings()), clock=clock, rng=random.Random(5)
    )
    probe = Probe(scheduler)
    e = sim.epoch
    states = {r.spec.id: r.state(e).status for r in sim.runs}
    training = [r for r in sim.runs if states[r.spec.id] == "running"]
    # Focus a run that trains through the whole measurement (no preemption or queue wait,
    # when its metrics rightly stop): the newest such, as the first row of the list.
    steady = [
        r
        for r in training
        if all(r.state(e + t).status in ACTIVE for t in range(0, int(warm + window) + 30, 5))
    ]
    focused = max(steady or training, key=lambda r: r.created).spec.id
    task = asyncio.create_task(scheduler.run())
    await clock.settle()
    scheduler.focus(focused)
    terminal_seen: dict[str, float] = {}
    settled: dict[str, float] = {}

    def parked(job_id: str) -> bool:
        for kind in RUN_FEEDS:
            key = FeedKey(kind, job_id)
            state = scheduler.feed_state(key)
            if scheduler.due_at(key) is not None or (state is not None and state.in_flight):
                return False
        return True

    async def step() -> None:
        sim.clock.advance(STEP)
        await clock.advance(STEP)
        now = clock.now()
        for job_id, run in store.runs.items():
            if job_id not in terminal_seen and run.job is not None and run.job.status in TERMINAL:
                terminal_seen[job_id] = now
        for job_id in terminal_seen.keys() - settled.keys():
            if parked(job_id):
                settled[job_id] = now

    wall = time.perf_counter()
    t = 0.0
    while t < warm:
        await step()
        t += STEP
    t0, total0 = clock.now(), scheduler.stats.total
    warm_rps = total0 / warm
    while t < warm + window:
        await step()
        t += STEP
    t1 = clock.now()
    worst_stale = probe.worst_staleness(FeedKey("metrics", focused), t0, t1)
    requests = scheduler.stats.total - total0
    finished_before = [j for j, at in terminal_seen.items() if at <= t0]
    finished_during = [j for j, at in terminal_seen.items() if at > t0]
    after_final = 0
    for job_id, at in terminal_seen.items():
        done = settled.get(job_id, at + UNSETTLED_GRACE)
        after_final += sum(1 for r in probe.by_job[job_id] if r > max(t0, done))
    final_fetches = [
        sum(1 for r in probe.by_job[j] if terminal_seen[j] <= r <= settled.get(j, t1))
        for j in finished_during
    ]
    final_wait = max((settled.get(j, t1) - terminal_seen[j] for j in finished_during), default=0.0)
    live_now = sum(1 for r in sim.runs if r.state(sim.clock.now()).status not in TERMINAL)
    scheduler.stop()
    await task
    await client.aclose()
    return {
        "rps": requests / (t1 - t0),
        "warm_rps": warm_rps,
        "stale": worst_stale,
        "after_final": after_final,
        "finished_before": len(finished_before),
        "finished_during": len(finished_during),
        "final_fetches": sum(final_fetches) / len(final_fetches) if final_fetches else 0.0,
        "final_wait": final_wait,
        # (a run that finished in the last minute of the window may rightly be settling)
        "unsettled": sum(
            1 for j, at in terminal_seen.items() if j not in settled and at <= t1 - UNSETTLED_GRACE
        ),
        "live_start": sum(1 for s in states.values() if s not in TERMINAL),
        "live_end": live_now,
        "training": len(training),
        "focused_steady": bool(steady),
        "window": t1 - t0,
        "warm": warm,
        "wall": time.perf_counter() - wall,
    }


def scenario(n: int, warm: float, window: float) -> dict[str, float]:
    return asyncio.run(_scenario(n, warm, window))


def run(quick: bool = False) -> list[BenchLine]:
    lines = []
    for n, budget in BUDGETS.items():
        # warm-up: at least one full background interval (every live run polled once)
        warm = max(30.0, n / 2.5 + 10.0)
        window = 120.0 if quick else 600.0
        r = scenario(n, warm, window)
        naive = NAIVE_FEEDS * n / NAIVE_INTERVAL
        rps_note = (
            f"{r['live_start']} live at start; virtual {r['window']:.0f} s after a "
            f"{r['warm']:.0f} s warm-up (which ran at {r['warm_rps']:.1f} req/s); naive = "
            f"{NAIVE_FEEDS} feeds x {n} runs / {NAIVE_INTERVAL:g} s"
        )
        rps = f"requests/s, {n} runs on the simulator"
        lines.append(at_most(rps, r["rps"], naive, budget, "req/s", note=rps_note))
        steady = (
            "a run training through the whole window"
            if r["focused_steady"]
            else "(no run trains through the whole window: includes time it waited)"
        )
        stale_note = (
            f"longest time without a fresh metrics answer for the focused run, {steady}; "
            "the naive poller's is its 2 s period"
        )
        stale = f"focused run staleness, {n} runs"
        lines.append(at_most(stale, r["stale"], NAIVE_INTERVAL, STALE_BUDGET, "s", note=stale_note))
        lines.append(
            BenchLine(
                f"requests to finished runs after final fetches, {n} runs",
                r["after_final"],
                None,
                None,
                "0",
                r["after_final"] == 0 and r["unsettled"] == 0,
                "req",
                note=(
                    f"{r['finished_before']} finished before the window, {r['finished_during']} "
                    f"during it ({r['final_fetches']:.1f} final fetches per run, done within "
                    f"{r['final_wait']:.0f} s); {r['unsettled']} never settled"
                ),
            )
        )
    return lines


def main(argv: list[str]) -> int:
    return run_standalone("poll", argv, run)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
