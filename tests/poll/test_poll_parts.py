"""Small parts of the scheduler: token bucket, backoff, due queue, connection monitor,
preemption rewind, catch-up spacing, fake clock."""

from __future__ import annotations

import asyncio
import random

from axom_tui.api.errors import ServerError, TransportError
from axom_tui.api.records import Event, MetricPoint, MetricsPage
from axom_tui.poll import ConnectionMonitor, PollPolicy, TokenBucket, VirtualClock, backoff_delay
from axom_tui.poll.due_queue import DueQueue, Verdict
from axom_tui.poll.feeds import rewind_after_preemptions
from axom_tui.poll.fetch import point_spacing
from axom_tui.store import FeedKey, FeedKind


def test_token_bucket_burst_then_rate():
    bucket = TokenBucket(rate=4.0, burst=2.0)
    assert bucket.has_token(0.0)
    bucket.take(0.0)
    bucket.take(0.0)
    assert not bucket.has_token(0.0)
    assert bucket.next_token_at(0.0) == 0.25
    assert not bucket.has_token(0.2) and bucket.has_token(0.25)
    assert bucket.has_token(100.0)
    bucket.take(100.0)
    bucket.take(100.0)
    assert not bucket.has_token(100.0)  # never more than the burst saved up


def test_backoff_grows_with_jitter_and_caps():
    rng = random.Random(3)
    delays = [backoff_delay(n, 1.0, 60.0, rng) for n in range(1, 12)]
    for n, d in enumerate(delays, start=1):
        ceiling = min(60.0, 2 ** (n - 1))
        assert ceiling / 2 <= d <= ceiling
    assert backoff_delay(0, 1.0, 60.0, rng) == 0.0
    assert len({round(d, 6) for d in delays[-4:]}) > 1  # jittered, not lockstep


def test_due_queue_orders_by_priority_once_due():
    q = DueQueue()
    bg, focused, late = FeedKey("metrics", "bg"), FeedKey("metrics", "f"), FeedKey("logs", "f")
    q.schedule(bg, 1.0, 3)
    q.schedule(focused, 2.0, 0)
    q.schedule(late, 50.0, 0)
    admit = lambda key, prio: Verdict.LAUNCH  # noqa: E731
    assert q.take(0.5, admit) is None and q.next_future_due() == 1.0
    assert q.take(5.0, admit) == (focused, 0)
    assert q.take(5.0, admit) == (bg, 3)
    assert q.take(5.0, admit) is None and q.next_future_due() == 50.0
    q.schedule(late, 4.0, 0)  # rescheduling replaces the entry
    assert q.take(5.0, admit) == (late, 0) and len(q) == 0


def test_due_queue_defer_keeps_and_drop_discards():
    q = DueQueue()
    a, b = FeedKey("metrics", "a"), FeedKey(FeedKind.LIST)
    q.schedule(a, 0.0, 0)
    q.schedule(b, 0.0, 1)
    assert q.take(1.0, lambda k, p: Verdict.LAUNCH if k == b else Verdict.DEFER) == (b, 1)
    assert a in q
    assert q.take(1.0, lambda k, p: Verdict.DROP) is None and a not in q


def test_connection_monitor_states():
    policy = PollPolicy()
    m = ConnectionMonitor(policy)
    m.start(0.0)
    assert m.state == "connecting"
    m.on_success(1.0)
    assert m.state == "live" and m.last_success_at == 1.0
    m.on_transient(2.0, ServerError("GET /jobs", 503, "x"), retry_at=3.0)
    assert m.state == "live"  # one failure among successes is not worth a banner
    m.on_transient(2.5, ServerError("GET /jobs", 503, "x"), retry_at=4.0)
    assert m.state == "retrying" and m.retry_at == 4.0
    m.on_transient(20.0, TransportError("GET /jobs", "cannot connect"), retry_at=25.0)
    assert m.state == "offline" and m.gated and m.retry_at == 25.0
    m.on_success(26.0)
    assert m.state == "live" and not m.gated and m.retry_at is None
    m.on_auth(Exception("key rejected"))
    m.on_transient(100.0, TransportError("GET /jobs", "x"), retry_at=101.0)
    assert m.state == "auth"


def test_rewind_after_preemptions_goes_to_the_checkpoint_before_each():
    ev = [
        Event("checkpoint", payload={"step": 1000}),
        Event("preempted"),
        Event("checkpoint", payload={"step": 2000}),
        Event("preempted"),
        Event("checkpoint", payload={"step": 3000}),
    ]
    assert rewind_after_preemptions(ev, 1, 3400) == 2000
    assert rewind_after_preemptions(ev, 2, 3400) == 1000
    assert rewind_after_preemptions([Event("preempted")], 1, 500) is None  # from the start
    assert rewind_after_preemptions(ev, 0, 3400) == 3400


def test_point_spacing():
    page = MetricsPage("a", 1005, [MetricPoint(step=s) for s in (980, 990, 1000)])
    assert point_spacing(page, 970) == 10
    assert point_spacing(MetricsPage("a", 5, [MetricPoint(step=5)]), None) == 1
    assert point_spacing(MetricsPage("a", 20, [MetricPoint(step=20)]), 10) == 10


async def test_fake_clock_wakes_sleepers_in_order_and_on_event():
    clock = VirtualClock(start=0.0)
    woke: list[tuple[str, float]] = []

    async def sleeper(name: str, delay: float) -> None:
        await clock.sleep(delay)
        woke.append((name, clock.now()))

    tasks = [asyncio.create_task(sleeper(n, d)) for n, d in (("b", 5.0), ("a", 2.0), ("c", 50.0))]
    await clock.advance(10.0)
    assert woke == [("a", 2.0), ("b", 5.0)] and clock.now() == 10.0
    event = asyncio.Event()
    waiter = asyncio.create_task(clock.sleep_until(1000.0, event))
    await clock.settle()
    event.set()
    await clock.settle()
    assert waiter.done() and clock.now() == 10.0
    await clock.advance(40.0)
    assert woke[-1] == ("c", 50.0)
    await asyncio.gather(*tasks)


def test_rewind_metrics_cursor_on_progress_going_back_or_retries_rising():
    from axom_tui.poll.feeds import RunTrack, rewind_metrics_cursor

    track = RunTrack("a", "running", retries=0, metrics_cursor=1650)
    rewind_metrics_cursor(track, 1000, 1, [])  # latest_step fell back to the checkpoint
    assert track.metrics_cursor == 1000 and track.retries == 1
    rewind_metrics_cursor(track, 1200, 1, [])  # moving forward again: no rewind
    assert track.metrics_cursor == 1000
    # a server without latest_step: the checkpoint before the preemption, from the events
    track = RunTrack("a", "running", retries=1, metrics_cursor=2500)
    events = [Event("checkpoint", payload={"step": 2000}), Event("preempted")]
    rewind_metrics_cursor(track, None, 2, events)
    assert track.metrics_cursor == 2000
    track = RunTrack("a", "running", retries=1, metrics_cursor=2500)
    rewind_metrics_cursor(track, None, 2, [])  # no checkpoint known: from the start
    assert track.metrics_cursor is None


def test_next_metrics_cursor_never_passes_latest_step():
    from axom_tui.poll.fetch import next_metrics_cursor

    stale = MetricsPage("a", 1005, [MetricPoint(step=s) for s in (1010, 1020, 1650)])
    assert next_metrics_cursor(stale, 1000) == 1000  # only leftovers beyond the run's progress
    mixed = MetricsPage("a", 1025, [MetricPoint(step=s) for s in (1010, 1020, 1030)])
    assert next_metrics_cursor(mixed, 1000) == 1020
    assert next_metrics_cursor(MetricsPage("a", None, [MetricPoint(step=7)]), None) == 7
