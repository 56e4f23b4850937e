"""Budget and ordering: in-flight cap, rps budget, one poll per feed, catch-up, focus, refresh."""

from __future__ import annotations

from axom_tui.api.errors import ServerError
from axom_tui.poll import PollPolicy
from poll_fakes import Harness


async def test_in_flight_cap_is_never_exceeded():
    h = Harness(latency=3.0)  # slow server: requests pile up
    for i in range(20):
        h.api.add_run(f"r{i}", "running", steps=5, lines=2)
    async with h:
        h.scheduler.focus("r0")
        h.scheduler.set_visible([f"r{i}" for i in range(1, 8)])
        await h.advance(120)
    assert h.api.max_in_flight == 4
    assert h.scheduler.stats.max_in_flight == 4


async def test_request_rate_respects_the_token_bucket():
    policy = PollPolicy(rps=5.0, burst=5.0, max_in_flight=50)
    h = Harness(policy=policy)
    for i in range(40):
        h.api.add_run(f"r{i}", "running", steps=5, lines=2)
    async with h:
        h.scheduler.focus("r0")
        h.scheduler.set_visible([f"r{i}" for i in range(1, 30)])  # wants ~15 req/s
        await h.advance(120)
    times = sorted(t for t, _, _ in h.api.calls)
    # any window of w seconds holds at most burst + rate * w requests
    for i, start in enumerate(times):
        for window in (1.0, 10.0, 60.0):
            inside = sum(1 for t in times[i:] if t <= start + window)
            assert inside <= policy.burst + policy.rps * window + 1e-6, (start, window, inside)
    assert len(times) / 120 > 4.0  # and the budget is actually used


async def test_never_two_polls_of_one_feed_at_once():
    h = Harness(latency=7.0)  # slower than every interval
    h.api.add_run("a", "running", steps=5, lines=2)
    async with h:
        h.scheduler.focus("a")
        for _ in range(10):
            await h.advance(1.5)
            h.scheduler.refresh_now("a")
            h.scheduler.focus(None)
            h.scheduler.focus("a")
        await h.advance(60)
    assert h.api.max_same_feed == 1


async def test_catch_up_follows_at_once_while_more_is_waiting():
    h = Harness(metrics_page=500, logs_page=1000)
    h.api.add_run("a", "running", steps=1700, lines=2500)
    async with h:
        h.scheduler.focus("a")
        await h.advance(0.5)
        # 4 pages of 500, each fetched as soon as the budget (8 req/s, shared with the
        # logs catch-up) gives a token, not at the 2 s rhythm
        metrics_at = h.api.times("get_metrics", "a")
        assert len(metrics_at) == 4
        assert all(b - a <= 2 / 8 + 1e-9 for a, b in zip(metrics_at, metrics_at[1:]))
        assert len(h.api.times("get_logs", "a")) == 3  # 1000 + 1000 + 500 lines
        assert len(h.store.runs["a"].metrics) == 1700 and len(h.store.runs["a"].logs) == 2500
        await h.advance(10)
    # then back to the normal 2 s rhythm
    later = h.api.times("get_metrics", "a")[4:]
    assert all(b - a >= 2.0 - 1e-9 for a, b in zip(later, later[1:]))


async def test_sparse_points_do_not_trigger_a_useless_catch_up():
    h = Harness()
    h.api.add_run("a", "running")
    h.api.add_points("a", range(10, 200, 10))
    async with h:
        h.scheduler.focus("a")
        await h.advance(1)
        h.api.runs["a"].job = h.api.runs["a"].job.__class__(
            id="a", status="running", latest_step=195
        )
        await h.advance(20)
    # latest_step 195 vs last point 190: between points, not "more waiting"
    assert len(h.api.times("get_metrics", "a")) <= 11


async def test_focus_makes_the_runs_feeds_due_now():
    h = Harness()
    h.api.add_run("a", "running", steps=5, lines=2)
    async with h:
        await h.advance(33.3)
        h.scheduler.focus("a")
        await h.clock.settle()
        now = h.now
        for method in ("get_job", "get_metrics", "get_logs", "get_events"):
            assert now in h.api.times(method, "a"), method
        assert h.api.count("get_logs", "a") == 1  # background until now: no logs before


async def test_refresh_now_makes_global_and_run_feeds_due_and_clears_backoff():
    h = Harness()
    h.api.add_run("a", "running", steps=5)
    failing = {"on": True}
    h.api.errors.append(
        lambda m, j: (
            ServerError("GET /jobs/{id}/metrics", 503, "busy")
            if failing["on"] and m == "get_metrics"
            else None
        )
    )
    async with h:
        h.scheduler.focus("a")
        await h.advance(60)
        assert h.scheduler.feed_state(("metrics", "a")).failures >= 4
        failing["on"] = False
        h.scheduler.refresh_now()
        await h.clock.settle()
        now = h.now
        for method in ("list_jobs", "list_models", "overview"):
            assert now in h.api.times(method), method
        assert now in h.api.times("get_metrics", "a")
        assert h.scheduler.feed_state(("metrics", "a")).failures == 0
        assert not h.store.runs["a"].feeds["metrics"].failing


async def test_runs_on_the_real_monotonic_clock():
    import asyncio

    from axom_tui.poll import PollScheduler, VirtualClock
    from axom_tui.store import RunStore
    from poll_fakes import FakeApi

    api = FakeApi(VirtualClock())  # only its latency path uses that clock (latency 0: unused)
    api.add_run("a", "running", steps=3, lines=2)
    store = RunStore()
    scheduler = PollScheduler(api, store)  # MonotonicClock by default
    scheduler.focus("a")
    task = asyncio.create_task(scheduler.run())
    await asyncio.sleep(0.2)
    scheduler.stop()
    await asyncio.wait_for(task, 2.0)
    assert len(store.runs["a"].metrics) == 3 and len(store.runs["a"].logs) == 2
    assert store.connection.state == "live"
