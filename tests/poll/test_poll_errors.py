"""Errors: backoff, Retry-After, auth, forbidden, 404, bad payloads, offline, bugs."""

from __future__ import annotations

from axom_tui.api.errors import (
    AuthError,
    BadPayloadError,
    ForbiddenError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    TransportError,
)
from axom_tui.store import FeedKey, FeedKind
from poll_fakes import Harness, fail_when


async def test_backoff_grows_on_transient_errors_and_resets_on_success():
    h = Harness()
    h.api.add_run("a", "running", steps=5, lines=1)
    switch = fail_when(h, lambda: ServerError("GET /jobs/{id}/metrics", 503, "busy"), "get_metrics")
    async with h:
        h.scheduler.focus("a")
        await h.advance(200)
        failing_times = h.api.times("get_metrics", "a")
        switch["on"] = False
        mark = h.now
        await h.advance(200)
        recovered = [t for t in h.api.times("get_metrics", "a") if t > mark]
    gaps = [b - a for a, b in zip(failing_times, failing_times[1:])]
    assert len(gaps) >= 6
    assert gaps[0] <= 2.0  # first retry soon (1 s, jittered)
    assert all(g >= 8.0 for g in gaps[4:])  # then 2^(n-1) s, halved at worst by jitter
    assert all(30.0 - 1e-9 <= g <= 60.0 + 1e-9 for g in gaps[7:])  # capped at 60 s
    later = [b - a for a, b in zip(recovered[1:], recovered[2:])]
    assert later and all(abs(g - 2.0) < 1e-6 for g in later)  # back to normal after a success
    assert h.scheduler.feed_state(FeedKey("metrics", "a")).failures == 0
    # the other feeds of the run were not slowed down
    assert h.api.count("get_logs", "a") >= 190


async def test_retry_after_pauses_every_feed():
    h = Harness()
    h.api.add_run("a", "running", steps=5, lines=1)
    h.api.add_run("b", "running", steps=5)
    async with h:
        h.scheduler.focus("a")
        await h.advance(11)
        switch = fail_when(h, lambda: RateLimitedError("GET /jobs", 20.0), "list_jobs")
        await h.advance(5)
        limited_at = h.api.times("list_jobs")[-1]
        switch["on"] = False
        assert h.store.connection.state == "retrying"
        assert h.store.connection.retry_at == limited_at + 20.0
        await h.advance(40)
    during = [c for c in h.api.calls if limited_at < c[0] < limited_at + 20.0]
    assert during == []
    assert any(abs(t - (limited_at + 20.0)) < 1e-6 for t, _, _ in h.api.calls)
    assert h.store.connection.state == "live"


async def test_auth_error_pauses_all_but_a_slow_probe_of_the_job_list():
    h = Harness()
    h.api.add_run("a", "running", steps=5, lines=1)
    async with h:
        h.scheduler.focus("a")
        await h.advance(10)
        switch = fail_when(h, lambda: AuthError("GET /jobs", "key rejected (401)"))
        await h.advance(5)
        assert h.store.connection.state == "auth"
        mark = h.now
        await h.advance(300)
        calls = [c for c in h.api.calls if c[0] > mark]
        assert {m for _, m, _ in calls} == {"list_jobs"}
        gaps = [b[0] - a[0] for a, b in zip(calls, calls[1:])]
        assert gaps and all(abs(g - 30.0) < 1e-6 for g in gaps)
        assert h.store.connection.retry_at is not None
        switch["on"] = False  # the user fixed the key
        await h.advance(31)
        assert h.store.connection.state == "live"
        assert h.api.count("get_metrics", "a", since=h.now - 5) >= 2  # everything resumed
    assert len(h.store.runs["a"].metrics) == 5  # nothing held was dropped


async def test_forbidden_feed_backs_off_long_others_continue():
    h = Harness()
    h.api.add_run("a", "running", steps=5, lines=1)
    fail_when(h, lambda: ForbiddenError("GET /jobs/{id}/logs", "lacks scope (403)"), "get_logs")
    async with h:
        h.scheduler.focus("a")
        await h.advance(600)
    logs_at = h.api.times("get_logs", "a")
    assert len(logs_at) == 3 and logs_at[1] - logs_at[0] >= 300.0
    assert h.api.count("get_metrics", "a") >= 290
    assert h.store.runs["a"].feeds["logs"].error_kind == "ForbiddenError"
    assert h.store.connection.state == "live"


async def test_forbidden_job_list_means_the_key_cannot_read():
    h = Harness()
    fail_when(h, lambda: ForbiddenError("GET /jobs", "lacks the read scope (403)"), "list_jobs")
    async with h:
        await h.advance(100)
    assert h.store.connection.state == "forbidden"
    assert len(h.api.times("list_jobs")) == 4  # 0, 30, 60, 90


async def test_not_found_marks_the_run_gone_and_stops_its_feeds():
    h = Harness()
    h.api.add_run("a", "running", steps=5, lines=1)
    async with h:
        h.scheduler.focus("a")
        await h.advance(10)
        del h.api.runs["a"]
        await h.advance(3)
        assert h.store.runs["a"].gone and len(h.store.runs["a"].metrics) == 5
        mark = h.now
        await h.advance(120)
        assert h.api.count(job_id="a", since=mark) == 0
        h.scheduler.focus("never-existed")
        await h.advance(5)
    assert h.store.runs["never-existed"].gone
    assert h.api.count(job_id="never-existed") <= 4  # its first round only


async def test_bad_payload_is_an_error_on_that_feed_and_data_is_kept():
    h = Harness()
    h.api.add_run("a", "running", steps=5, lines=1)
    async with h:
        h.scheduler.focus("a")
        await h.advance(10)
        switch = fail_when(
            h, lambda: BadPayloadError("GET /jobs/{id}/metrics", "not JSON"), "get_metrics"
        )
        h.api.add_points("a", range(6, 9))
        await h.advance(20)
        health = h.store.runs["a"].feeds["metrics"]
        assert health.failing and "not JSON" in health.last_error
        assert len(h.store.runs["a"].metrics) == 5
        assert h.store.connection.state == "live"  # a bad body is not a connection problem
        switch["on"] = False
        await h.advance(40)
    assert len(h.store.runs["a"].metrics) == 8 and not h.store.runs["a"].feeds["metrics"].failing


async def test_offline_after_ten_seconds_of_transport_errors_probe_only_then_recover():
    h = Harness()
    h.api.add_run("a", "running", steps=5, lines=1)
    async with h:
        h.scheduler.focus("a")
        await h.advance(10)
        switch = fail_when(h, lambda: TransportError("GET", "cannot connect"))
        await h.advance(30)
        assert h.store.connection.state == "offline"
        retry_at = h.store.connection.retry_at
        assert retry_at is not None and retry_at > h.now
        mark = h.now
        await h.advance(120)
        assert {m for t, m, _ in h.api.calls if t > mark} == {"list_jobs"}
        switch["on"] = False
        await h.advance(61)
        assert h.store.connection.state == "live"
        assert h.api.count("get_metrics", "a", since=h.now - 5) >= 2


async def test_transient_errors_among_successes_show_retrying_not_offline():
    h = Harness()
    h.api.add_run("a", "running", steps=5, lines=1)
    fail_when(h, lambda: ServerError("GET /jobs", 502, "bad gateway"), "list_jobs")
    async with h:
        h.scheduler.focus("a")
        await h.advance(15)
        # list keeps failing, the run's feeds keep succeeding: mostly live
        assert h.store.connection.state in ("live", "retrying")
        assert h.store.global_feeds[FeedKind.LIST].failing


async def test_an_unexpected_exception_does_not_kill_the_loop():
    h = Harness()
    h.api.add_run("a", "running", steps=5)
    switch = fail_when(h, lambda: RuntimeError("bug in a parser"), "get_metrics")
    async with h:
        h.scheduler.focus("a")
        await h.advance(10)
        switch["on"] = False
        await h.advance(30)
    assert h.store.runs["a"].feeds["metrics"].last_ok is not None
    assert len(h.store.runs["a"].metrics) == 5


async def test_not_found_on_a_global_feed_is_just_an_error():
    h = Harness()
    fail_when(h, lambda: NotFoundError("GET /overview", "not found (404)"), "overview")
    async with h:
        await h.advance(120)
    assert h.store.global_feeds["overview"].failing
    assert 2 <= len(h.api.times("overview")) <= 5
