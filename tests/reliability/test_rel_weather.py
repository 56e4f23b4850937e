"""Bad weather, round two (issue 17): one bad record, a body that never ends, a body too big.

Against ``rel_weather.WeatherApi``: in process for the records, over a real socket for the
transport (a read timeout only exists on a socket).
"""

from __future__ import annotations

import asyncio
import random
import tracemalloc

import httpx
import pytest

from axom_tui.api import AxomClient
from axom_tui.api.errors import BadPayloadError, TransportError
from axom_tui.poll import PollPolicy, PollScheduler, VirtualClock
from axom_tui.store import FeedKey, RunStore
from axom_tui.store.vocab import FeedKind
from rel_helpers import KEY, ThreadServer, figure
from rel_weather import WeatherApi, job

BAD_JOBS = [
    job("z", started_at="0001-01-01T00:00:00Z"),  # Go's zero time: "unset", not an error
    job("far", started_at="9999-12-31T23:59:59Z"),
    job("yday", started_at="yesterday"),
    job("step", latest_step="12"),
    job("retry", retries="2"),
    job("num", name=123),
]


def _in_process(api: WeatherApi, **options) -> AxomClient:
    return AxomClient(
        "http://weather/api", KEY, transport=httpx.ASGITransport(api), retries=0, **options
    )


async def test_one_bad_field_per_job_spoils_only_that_field_at_start_up():
    api = WeatherApi([job("good-1"), *BAD_JOBS, job("good-2"), {"status": "running"}])
    async with _in_process(api) as client:
        jobs = await client.list_jobs()
    by_id = {j.id: j for j in jobs}
    assert set(by_id) == {
        "good-1",
        "good-2",
        *(j["id"] for j in BAD_JOBS),
    }  # the id-less one: skipped
    assert by_id["z"].started_at is None and "z" not in jobs.issues.first
    assert by_id["far"].started_at is None and by_id["yday"].started_at is None
    assert by_id["step"].latest_step is None and by_id["step"].total_steps == 6000
    assert (
        by_id["retry"].retries == 0 and by_id["num"].name == "" and by_id["num"].status == "running"
    )
    assert (jobs.issues.skipped, jobs.issues.emptied, jobs.issues.items) == (1, 5, 9)
    figure("weather: bad fields left empty", jobs.issues.emptied)


async def test_mid_session_a_bad_job_does_not_freeze_the_list():
    """A run that failed shows failed and a new run appears, though another job of the
    same answer is malformed; the store says what was left out."""
    api = WeatherApi([job("a"), job("b")])
    clock = VirtualClock(start=1000.0)
    store = RunStore(clock=clock.now)
    client = _in_process(api, timer=clock.sleep)
    scheduler = PollScheduler(client, store, policy=PollPolicy(), clock=clock, rng=random.Random(1))
    task = asyncio.create_task(scheduler.run())
    try:
        await clock.advance(10)
        assert store.runs["a"].job.status == "running"
        api.jobs = [
            job("new"),
            job("a", status="failed", finished_at="yesterday"),
            {"id": "b", "status": {"not": "text"}},
        ]
        await clock.advance(10)
        assert store.runs["a"].job.status == "failed"  # it left the active list: asked for
        assert "new" in store.runs and store.order[0] == "new"
        assert store.runs["b"].job.status == "running"  # held, not dropped
        assert store.feed_health(FeedKey(FeedKind.JOB, "b")).failing  # its own record is unreadable
        await clock.advance(60)  # the whole list, as it is now asked for now and then
        health = store.feed_health(FeedKey(FeedKind.LIST))
        assert not health.failing and health.issues.skipped == 1 and health.issues.emptied == 1
        assert FeedKey(FeedKind.LIST) in store.problems  # the UI reads this
    finally:
        scheduler.stop()
        await task
        await client.aclose()


async def test_a_metrics_page_with_one_string_loss_keeps_the_other_points():
    api = WeatherApi([job("a")])
    api.metrics["a"] = {
        "job_id": "a",
        "latest_step": 3,
        "points": [{"step": 1, "loss": 1.0}, {"step": 2, "loss": "0.9"}, {"step": 3, "loss": 0.8}],
    }
    api.results["a"] = {"ppl_final": "324", "ppl_baseline": 11023, "cost_usd": 25.0}
    api.logs["a"] = {
        "latest_seq": 3,
        "lines": [{"seq": 1, "text": "ok"}, {"seq": "two"}, {"seq": 3, "text": "three"}],
    }
    api.events["a"] = [{"kind": "submitted", "ts": TS_OK}, {"kind": 7, "ts": "later"}]
    async with _in_process(api) as client:
        page = await client.get_metrics("a")
        result = await client.get_result("a")
        logs = await client.get_logs("a")
        events = await client.get_events("a")
    assert [p.step for p in page.points] == [1, 2, 3] and page.issues.emptied == 1
    assert result.ppl_final is None and result.ppl_baseline == 11023 and result.issues.emptied == 1
    assert [line.seq for line in logs.lines] == [1, 3] and logs.issues.skipped == 1
    assert [e.kind for e in events] == ["submitted", "unknown"] and events.issues.emptied == 2


TS_OK = "2026-06-04T02:45:20Z"


async def test_a_body_dripping_a_byte_at_a_time_ends_at_the_deadline():
    api = WeatherApi([job("a")])
    api.drip, api.drip_bytes = 0.05, 60  # 3 s of drips, each well inside the read timeout
    with ThreadServer(api) as server:
        base = server.origin + "/api"
        # the failure: httpx's read timeout restarts on every byte, so it never fires
        async with httpx.AsyncClient(timeout=httpx.Timeout(5.0, read=0.5)) as plain:
            response = await plain.get(base + "/jobs", headers={"Authorization": f"Bearer {KEY}"})
        assert response.status_code == 200 and response.json()[0]["id"] == "a"
        api.sent = 0
        async with AxomClient(
            base, KEY, retries=0, deadline=1.0, timeout=httpx.Timeout(5.0, read=0.5)
        ) as client:
            with pytest.raises(TransportError) as info:
                await client.list_jobs()
    assert "within 1 s" in str(info.value)
    assert api.sent < 60  # it hung up before the drip was over
    figure("weather: dripped bytes before the deadline", api.sent)


@pytest.mark.parametrize("declared", [False, True], ids=["streamed", "declared"])
async def test_a_body_over_the_cap_is_an_error_and_is_not_read_to_the_end(declared: bool):
    api = WeatherApi([job(f"j{i}") for i in range(3)])
    api.oversize, api.declare_length = 50 * 1024 * 1024, declared
    with ThreadServer(api) as server:
        async with AxomClient(
            server.origin + "/api", KEY, retries=0, max_body=1024 * 1024
        ) as client:
            await client.overview()  # the HTTP stack loaded before memory is counted
            tracemalloc.start()
            try:
                with pytest.raises(BadPayloadError) as info:
                    await client.list_jobs()
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
            api.oversize = 0
            assert len(await client.list_jobs()) == 3  # the same client, the next poll: fine
    assert "cap" in str(info.value)
    assert peak < 8 * 1024 * 1024  # what was read stayed near the 1 MiB cap, not 50 MB
    assert api.sent < 50 * 1024 * 1024  # and the server was hung up on before the end
    figure("weather: peak bytes held reading a 50 MB body", peak)
