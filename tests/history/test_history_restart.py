"""Read first: a restart shows cached history at once and fetches only what comes after.

Each test runs two (or three) sessions on one fake API and one cache file; requests are
counted on the fake API.
"""

from __future__ import annotations

import dataclasses
from array import array

from axom_tui.history import db, read
from axom_tui.history.restore import series_from
from axom_tui.store import METRIC_COLUMNS
from history_helpers import assert_times, events, finished_world, job, points, result
from sessions import Session, new_api


def bits(column) -> bytes:
    return array("d", column).tobytes()


async def test_finished_run_restart_is_whole_at_once_and_costs_no_history_requests(tmp_path):
    api = new_api(metrics_page=400)
    finished_world(api)
    path = tmp_path / "c.sqlite3"
    async with Session(api, path) as first:
        await first.watch("done", 60)
        held = first.store.runs["done"]
        assert len(held.metrics) == 5001 and len(held.logs) == 300
    assert api.history_calls("done") >= 13  # 5001 points at 400 a page, logs, events

    api.calls.clear()
    second = Session(api, path)
    second.sync.restore_index()
    # the job list is on screen before any request
    assert second.store.order == ["done"] and second.store.runs["done"].job.status == "completed"
    assert second.store.runs["done"].result == result("done")
    await second.start()
    second.scheduler.focus("done")
    await second.sync.ready("done")
    run = second.store.runs["done"]
    assert len(run.metrics) == 5001 and list(run.metrics.steps) == list(held.metrics.steps)
    for name in METRIC_COLUMNS:
        assert bits(run.metrics.column(name)) == bits(held.metrics.column(name))
    assert bytes(run.metrics.column("phase")) == bytes(held.metrics.column("phase"))
    assert list(run.metrics.column("cycle")) == list(held.metrics.column("cycle"))
    assert run.metrics.phase_names == held.metrics.phase_names
    assert run.metrics.nan_count == held.metrics.nan_count == 1
    assert list(run.logs) == list(held.logs) and run.events == held.events
    await second.run_for(120)
    await second.stop()
    assert api.history_calls("done") == 0
    assert api.count("get_result", "done") == 0 and api.count("get_job", "done") == 0


async def test_live_run_resumes_from_cached_cursors(tmp_path):
    api = new_api(metrics_page=500)
    api.add_run("live", status="running", steps=0)
    api.runs["live"].points = points(1, 3000)
    api.set_status("live", "running", latest_step=3000)
    api.add_lines("live", 200)
    path = tmp_path / "c.sqlite3"
    async with Session(api, path) as first:
        await first.watch("live", 30)
        assert first.store.runs["live"].metrics.last_step == 3000

    api.runs["live"].points += points(3001, 3500)
    api.set_status("live", "running", latest_step=3500)
    api.add_lines("live", 50)
    api.since.clear()
    async with Session(api, path) as second:
        await second.watch("live", 30)
        run = second.store.runs["live"]
        assert run.metrics.last_step == 3500 and len(run.metrics) == 3500
        assert len(run.logs) == 250
    first_metrics = next(s for kind, j, s in api.since if kind == "metrics")
    first_logs = next(s for kind, j, s in api.since if kind == "logs")
    assert (first_metrics, first_logs) == (3000, 200)


async def test_preemption_resends_replace_cached_steps(tmp_path):
    api = new_api(metrics_page=500)
    api.add_run("pre", status="running")
    api.runs["pre"].points = points(1, 3000, seed=1)
    api.runs["pre"].events = events("submitted") + [
        dataclasses.replace(events("checkpoint")[0], payload={"step": 2000})
    ]
    api.set_status("pre", "running", latest_step=3000, retries=0)
    path = tmp_path / "c.sqlite3"
    async with Session(api, path) as first:
        await first.watch("pre", 30)
        assert first.store.runs["pre"].metrics.last_step == 3000

    # while nobody watched: preempted at 3000, resumed an hour later from the checkpoint
    # at 2000 and re-sent steps 2001..3000 with new values and stamps, then went on to 3200
    api.runs["pre"].points = points(1, 2000, seed=1) + points(2001, 3200, seed=2)
    api.runs["pre"].events += [dataclasses.replace(events("preempted")[0], payload={"retries": 1})]
    api.set_status("pre", "running", latest_step=3200, retries=1)
    async with Session(api, path) as second:
        await second.run_for(1)
        await second.watch("pre", 40)
        run = second.store.runs["pre"]
        want = points(1, 2000, seed=1) + points(2001, 3200, seed=2)
        assert list(run.metrics.steps) == [p.step for p in want]
        assert bits(run.metrics.column("loss")) == bits([p.loss for p in want])
        assert_times(run.metrics, want)

    conn = db.connect(path, readonly=True)
    rows, bad = read.read_metrics(conn, "pre")
    conn.close()
    assert list(rows.steps) == [p.step for p in want]
    assert bits(rows.columns[0]) == bits([p.loss for p in want])  # the cache holds the new values
    assert_times(series_from(rows, None, bad), want)  # and their new stamps
    async with Session(api, path) as third:  # which a restart shows
        third.scheduler.focus("pre")
        await third.sync.ready("pre")
        assert_times(third.store.runs["pre"].metrics, want)


async def test_without_a_cache_the_restart_fetches_everything_again(tmp_path):
    """The baseline the first test beats: no cache, the same restart."""
    api = new_api(metrics_page=400)
    finished_world(api)
    async with Session(api, None) as first:
        await first.watch("done", 60)
    api.calls.clear()
    async with Session(api, None) as second:
        await second.watch("done", 60)
    assert api.history_calls("done") >= 13


async def test_a_cached_failed_run_needs_no_tail_request_and_shows_its_loss(tmp_path):
    """The job list's Loss cell of a run not on screen comes from the cache, not from a
    tail request (poll/tail.py asks one for listed runs whose metrics are not held)."""
    api = new_api(metrics_page=500)
    run = api.add_run("failed", status="failed")
    run.points = points(1, 2000)
    run.job = dataclasses.replace(job("failed", "failed"), latest_step=2000)
    api.add_run("other", status="completed")  # the first row: "failed" stays off screen
    path = tmp_path / "c.sqlite3"
    async with Session(api, path) as first:
        await first.watch("failed", 20)
        await first.watch("other", 5)
    api.calls.clear()
    async with Session(api, path) as second:
        await second.watch("other", 30)
        held = second.store.runs["failed"]
        assert held.tail_step == 2000 and held.tail_losses[-1] == run.points[-1].loss
    assert api.count("get_metrics", "failed") == 0
