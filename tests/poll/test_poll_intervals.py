"""Request counts over simulated minutes, per run state and attention (virtual time)."""

from __future__ import annotations

import dataclasses

import pytest

from axom_tui.api.records import Event, Model, Result
from poll_fakes import Harness, fail_when

MINUTES = 10
SECONDS = MINUTES * 60


def record_times(h: Harness, job_id: str) -> list[float]:
    """When the run's job record was asked: its own job poll, or the job list."""
    return sorted(h.api.times("get_job", job_id) + h.api.times("list_jobs"))


def per_run(h: Harness, job_id: str) -> dict[str, int]:
    return {
        m: h.api.count(m, job_id)
        for m in ("get_job", "get_metrics", "get_logs", "get_events", "get_result")
    }


async def test_focused_visible_and_background_running_runs():
    h = Harness()
    h.api.add_run("focused", "running", steps=10, lines=5)
    h.api.add_run("visible", "running", steps=10)
    h.api.add_run("background", "running", steps=10)
    async with h:
        h.scheduler.focus("focused")
        h.scheduler.set_visible(["visible"])
        await h.advance(SECONDS)
    f, v, b = per_run(h, "focused"), per_run(h, "visible"), per_run(h, "background")
    for kind in ("get_metrics", "get_logs"):
        assert SECONDS / 2 - 2 <= f[kind] <= SECONDS / 2 + 2, (kind, f)
    # its record every other round: the job list, asked in those rounds, brings it, so
    # its own job poll goes only once, on focus
    assert f["get_job"] == 1, f
    refreshed = record_times(h, "focused")
    assert max(b - a for a, b in zip(refreshed, refreshed[1:])) <= 4.0 + 1e-9
    assert SECONDS / 10 - 1 <= f["get_events"] <= SECONDS / 10 + 2
    assert SECONDS / 4 - 2 <= v["get_metrics"] <= SECONDS / 4 + 2
    assert SECONDS / 4 - 2 <= v["get_logs"] <= SECONDS / 4 + 2
    assert v["get_job"] == v["get_events"] == 0
    assert SECONDS / 20 - 2 <= b["get_metrics"] <= SECONDS / 20 + 1
    assert b["get_logs"] == b["get_events"] == b["get_job"] == 0
    assert f["get_result"] == v["get_result"] == b["get_result"] == 0
    assert SECONDS / 4 - 1 <= h.api.count("list_jobs") <= SECONDS / 4 + 2
    assert SECONDS / 30 - 1 <= h.api.count("overview") <= SECONDS / 30 + 2
    assert SECONDS / 30 - 1 <= h.api.count("list_models") <= SECONDS / 30 + 2
    assert h.store.connection.state == "live"


async def test_a_run_the_job_list_leaves_out_keeps_its_own_job_poll():
    from axom_tui.poll import PollPolicy

    h = Harness(policy=PollPolicy(jobs_list_limit=1))
    h.api.add_run("old", "running", steps=10)
    h.api.add_run("new", "running", steps=10)  # newest first: the list shows only "new"
    async with h:
        h.scheduler.focus("old")
        await h.advance(120)
        h.scheduler.focus("new")
        await h.advance(120)
    old = [t for t in h.api.times("get_job", "old") if t < 1120]
    new = [t for t in h.api.times("get_job", "new") if t > 1130]
    assert 120 / 4 - 2 <= len(old) <= 120 / 4 + 2  # every other round: nothing else brings it
    assert len(new) <= 1  # on focus at most: the list brings it
    assert max(b - a for a, b in zip(old, old[1:])) <= 4.0 + 1e-9


async def test_a_failing_job_list_gives_the_focused_run_its_own_job_poll_back():
    from axom_tui.api.errors import ServerError

    h = Harness()
    h.api.add_run("a", "running", steps=10, lines=1)
    async with h:
        h.scheduler.focus("a")
        await h.advance(20)
        assert h.api.times("get_job", "a") == [1000.0]  # the list brought the record
        fail_when(h, lambda: ServerError("GET /jobs", 503, "busy"), method="list_jobs")
        broke_at = h.now
        await h.advance(60)
    own = [t for t in h.api.times("get_job", "a") if t > broke_at]
    assert 60 / 4 - 2 <= len(own) <= 60 / 4 + 1
    assert max(b - a for a, b in zip(own, own[1:])) <= 4.0 + 1e-9


async def test_a_starved_request_budget_still_refreshes_the_focused_runs_record():
    # One request a second: the focused run's metrics and logs take every token of a
    # round, so the job list (lower priority) waits. The list only replaces the run's
    # job poll by going out in its slot, so the record keeps coming.
    from axom_tui.poll import PollPolicy

    h = Harness(policy=PollPolicy(rps=1.0, burst=1.0))
    h.api.add_run("a", "running", steps=10, lines=1)
    async with h:
        h.scheduler.focus("a")
        await h.advance(120)
    record = [t for t in record_times(h, "a") if t > 1010]
    assert len(record) >= 15
    assert max(b - a for a, b in zip(record, record[1:])) <= 10.0


async def test_waiting_runs_poll_slowly_and_background_waiting_not_at_all():
    h = Harness()
    h.api.add_run("focused", "queued")
    h.api.add_run("idle", "provisioning")
    h.api.add_run("weird", "defrosting")  # unknown status: treated as waiting, no crash
    async with h:
        h.scheduler.focus("focused")
        await h.advance(SECONDS)
    f = per_run(h, "focused")
    # its record every 4 s: the job list, asked in the same rounds, carries it (so its
    # own job poll only goes once, on focus)
    assert f["get_job"] == 1
    assert SECONDS / 4 - 2 <= h.api.count("list_jobs") <= SECONDS / 4 + 2
    assert SECONDS / 4 - 2 <= f["get_logs"] <= SECONDS / 4 + 2
    assert f["get_metrics"] == 1 and f["get_events"] == 1  # once on focus (history, timeline)
    assert sum(per_run(h, "idle").values()) == 0 and sum(per_run(h, "weird").values()) == 0
    assert h.store.runs["weird"].job.status == "defrosting"


async def test_status_change_fetches_events_and_completion_fetches_models():
    h = Harness()
    h.api.add_run("a", "staging")
    async with h:
        h.scheduler.focus("a")
        await h.advance(20)
        h.api.set_status("a", "running")
        h.api.runs["a"].events.append(Event("status", payload={"from": "staging", "to": "running"}))
        changed_at = h.now
        await h.advance(4)
        # the run's record (its job poll, or the job list in the rounds that ask it) saw
        # the change: events fetched at that same moment
        job_seen = min(t for t in record_times(h, "a") if t > changed_at)
        assert job_seen in h.api.times("get_events", "a")
        assert h.store.runs["a"].events[-1].kind == "status"
        models_before = h.api.count("list_models")
        h.api.set_status("a", "completed")
        h.api.runs["a"].result = Result(job_id="a", ppl_final=3.0)
        h.api.models = [Model(id="m1", job_id="a")]
        await h.advance(6)
        assert h.api.count("list_models") == models_before + 1
        assert h.store.model_for_job("a").id == "m1"
        assert h.store.runs["a"].result.ppl_final == 3.0


async def test_background_live_runs_share_the_budget_at_200_runs():
    h = Harness()
    for i in range(200):
        h.api.add_run(f"r{i:03d}", "running", steps=5)
    async with h:
        h.scheduler.focus("r000")
        await h.advance(90)  # warm up: first polls are spread over one interval
        start_total, start = h.scheduler.stats.total, h.now
        await h.advance(320)
        rps = (h.scheduler.stats.total - start_total) / (h.now - start)
    assert rps <= 10.0, rps
    background_metrics = sum(
        h.api.count("get_metrics", f"r{i:03d}", since=start) for i in range(1, 200)
    )
    # 199 runs / 2.5 rps = 79.6 s each: about 2.5 req/s in all
    assert 2.0 <= background_metrics / 320 <= 2.6
    assert h.api.count("get_logs", "r005") == 0
    # every background run stays fresh to within about two intervals
    stale = [
        h.scheduler.stats.staleness(key, h.now)
        for key in h.scheduler.stats.last_ok
        if key.kind == "metrics"
    ]
    assert len(stale) == 200 and max(stale) <= 2 * 80


async def test_terminal_runs_get_final_fetches_then_never_again():
    h = Harness()
    h.api.add_run("done", "completed", steps=20, lines=20)
    h.api.runs["done"].result = Result(job_id="done", ppl_final=2.0)
    h.api.add_run("failed", "failed", steps=20)
    h.api.add_run("live", "running", steps=20, lines=5)
    async with h:
        h.scheduler.focus("live")
        await h.advance(30)
        # background terminal runs: the result of the completed one, nothing else
        assert per_run(h, "done") == {
            "get_job": 0,
            "get_metrics": 0,
            "get_logs": 0,
            "get_events": 0,
            "get_result": 1,
        }
        # the failed one: its last points once, for the job list's Loss (poll/tail.py)
        assert per_run(h, "failed") == {
            "get_job": 0,
            "get_metrics": 1,
            "get_logs": 0,
            "get_events": 0,
            "get_result": 0,
        }
        # the live run finishes while watched: final metrics/logs/events/result
        h.api.add_points("live", range(21, 40))
        h.api.add_lines("live", 3)
        h.api.set_status("live", "completed")
        h.api.runs["live"].result = Result(job_id="live", ppl_final=1.0)
        await h.advance(30)
        assert len(h.store.runs["live"].metrics) == 39 and len(h.store.runs["live"].logs) == 8
        assert h.store.runs["live"].result is not None
        # viewing a finished run fetches its logs/events/metrics lazily, once
        h.scheduler.focus("done")
        await h.advance(30)
        assert len(h.store.runs["done"].metrics) == 20 and len(h.store.runs["done"].logs) == 20
        settled = h.api.count()
        counts_at = {j: sum(per_run(h, j).values()) for j in ("done", "failed", "live")}
        h.scheduler.focus("failed")
        await h.advance(30)
        after_focus = sum(per_run(h, "failed").values())
        assert after_focus == 1 + 3  # the tail, then metrics, logs, events: once each
        mark = h.now
        await h.advance(SECONDS)
        for job_id in ("done", "failed", "live"):
            assert h.api.count(job_id=job_id, since=mark) == 0, job_id
    assert counts_at["done"] == 4  # result, then metrics, logs, events when focused
    assert settled > 0


@pytest.mark.parametrize("status", ["completed", "failed"])
async def test_a_run_seen_live_gets_its_final_metrics_even_in_background(status):
    h = Harness()
    h.api.add_run("bg", "running", steps=10)
    async with h:
        await h.advance(30)
        h.api.add_points("bg", range(11, 20))
        h.api.set_status("bg", status)
        h.api.runs["bg"].result = Result(job_id="bg") if status == "completed" else None
        await h.advance(30)
        assert list(h.store.runs["bg"].metrics.steps) == list(range(1, 20))
        mark = h.now
        await h.advance(300)
        assert h.api.count(job_id="bg", since=mark) == 0
        assert h.api.count("get_result", "bg") == (1 if status == "completed" else 0)


async def test_a_completed_run_without_result_yet_is_asked_again_less_and_less_often():
    h = Harness()
    h.api.add_run("done", "completed")
    async with h:
        await h.advance(100)
        h.api.runs["done"].result = Result(job_id="done", cost_usd=2.0)
        await h.advance(100)
        asked = h.api.times("get_result", "done")
        mark = h.now
        await h.advance(300)
    gaps = [b - a for a, b in zip(asked, asked[1:])]
    assert gaps == sorted(gaps) and gaps[0] == 5.0 and len(asked) <= 7
    assert h.store.runs["done"].result.cost_usd == 2.0
    assert h.api.count(job_id="done", since=mark) == 0


async def test_server_keeping_stale_points_after_a_preemption_still_converges():
    """Tolerance: a server may keep the pre-preemption points until the steps are re-done.
    The store must end with the new value of every step."""
    h = Harness()
    h.api.add_run("a", "running")
    h.api.add_points("a", range(1, 101), loss=9.0)  # attempt 1: steps 1..100
    async with h:
        h.scheduler.focus("a")
        await h.advance(5)
        assert len(h.store.runs["a"].metrics) == 100
        # preempted at 100, checkpoint 50; the server keeps 51..100 (stale) meanwhile
        h.api.set_status("a", "preempted", latest_step=50, retries=1)
        await h.advance(10)
        h.api.set_status("a", "running")
        run = h.api.runs["a"]
        for step in range(51, 131):  # re-done one step a second, then new steps
            old = [p for p in run.points if p.step != step]
            run.points = old + [dataclasses.replace(next(iter(run.points)), step=step, loss=1.0)]
            run.job = dataclasses.replace(run.job, latest_step=step)
            await h.advance(1)
        await h.advance(10)
    losses = dict(zip(h.store.runs["a"].metrics.steps, h.store.runs["a"].metrics.column("loss")))
    assert sorted(losses) == list(range(1, 131))
    assert all(losses[s] == 9.0 for s in range(1, 51))
    assert all(losses[s] == 1.0 for s in range(51, 131)), [
        s for s in range(51, 131) if losses[s] != 1.0
    ]
    assert 51 in h.store.runs["a"].metrics.resume_points


async def test_the_focused_runs_feeds_come_back_together():
    # Feeds are rescheduled as their own answers arrive, so they drift out of phase: a
    # run focused while staging (its job and logs on the waiting intervals) that starts
    # running had its job and metrics asked one second, its logs the next. On a shared
    # grid the dashboard gets one batch (one flush, one frame) per round instead of two.
    h = Harness()
    h.api.add_run("a", "staging")
    async with h:
        h.scheduler.focus("a")
        await h.advance(7)
        h.api.set_status("a", "running")
        await h.advance(14)
        recent = {
            kind: [t for t in h.api.times(kind, "a") if t > h.now - 8]
            for kind in ("get_metrics", "get_logs")
        }
        assert recent["get_metrics"] == recent["get_logs"]
        # the run's record (the job list's, every other round) comes in the same rounds
        record = [t for t in record_times(h, "a") if t > h.now - 8]
        assert record == recent["get_metrics"][1::2] or record == recent["get_metrics"][::2]
        assert {round(b - a, 6) for a, b in zip(recent["get_logs"], recent["get_logs"][1:])} == {
            2.0
        }
        # getting onto the grid never made a feed staler than its interval
        for times, interval in ((h.api.times("get_logs", "a"), 2.0), (record_times(h, "a"), 4.0)):
            times = [t for t in times if t > 1008]
            assert max(b - a for a, b in zip(times, times[1:])) <= interval + 1e-9


def test_aligned_due_is_on_the_grid_and_never_later_than_one_interval():
    from axom_tui.poll.policy import aligned_due

    for now in (0.0, 0.01, 0.99, 1.0, 1.5, 1.999, 1000.3):
        for interval in (2.0, 4.0, 10.0):
            due = aligned_due(now, interval, 2.0)
            assert now + interval - 2.0 < due <= now + interval
            assert due % 2.0 == 0


def test_aligned_due_takes_other_intervals_to_the_nearest_round():
    from axom_tui.poll.policy import aligned_due

    for now in (0.0, 0.3, 1000.2):  # answers of a round arrive a little after it
        assert aligned_due(now, 5.0, 2.0) == (now // 2) * 2 + 6.0
        assert aligned_due(now, 21.2, 2.0) == (now // 2) * 2 + 22.0
        assert aligned_due(now, 20.6, 2.0) == (now // 2) * 2 + 20.0
    # counted from the round the answer came in, so latency does not change the period
    assert aligned_due(9.1, 4.0, 3.0) == aligned_due(11.9, 4.0, 3.0) == 12.0
    assert aligned_due(10.3, 1.5, 2.0) == 10.3 + 1.5  # shorter than a round: as it is
    assert aligned_due(10.3, 7.0, 0.0) == 10.3 + 7.0  # no grid
