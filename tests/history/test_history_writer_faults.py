"""The cache writer on records it did not expect: it keeps writing, or says once that it
stopped; it never dies silently with the app running on unsaved.

Before a1e327b a job whose answer had a field the parser had to leave empty (its
``issues`` counts travelled with the record) made the writer thread raise a TypeError
and end: every later batch waited forever, with no notice.
"""

from __future__ import annotations

import dataclasses

from axom_tui.api.records import parse_job
from axom_tui.history import db, read, writer
from history_helpers import points
from sessions import Session, new_api

RAW_JOB = {
    "id": "odd",
    "name": "falcon-odd-fields",
    "status": "completed",
    "created_at": "2026-11-01T00:00:00Z",
    "started_at": "2026-11-01T00:01:00Z",
    "latest_step": 1500,
    "retries": "2",  # a string where a count belongs: left empty, counted in issues
}


def world():
    api = new_api(metrics_page=500)
    api.add_run("odd", status="completed")
    api.runs["odd"].points = points(1, 1500)
    api.add_lines("odd", 40)
    return api


async def test_a_job_with_a_bad_field_is_cached_and_the_writer_keeps_working(tmp_path):
    api = world()
    job = parse_job(RAW_JOB, "/jobs/odd")  # what the client hands the store
    assert not job.issues.clean
    api.runs["odd"].job = job
    path = tmp_path / "c.sqlite3"
    async with Session(api, path) as s:
        await s.watch("odd", 20)
        await s.settle_cache()
        assert s.sync.notices == []
        # a later change is written too: the writer is alive
        api.runs["odd"].job = dataclasses.replace(job, name="falcon-renamed")
        await s.run_for(20)
        await s.settle_cache()
        assert s.sync.writer is not None and s.sync.writer._thread.is_alive()
    conn = db.connect(path, readonly=True)
    [entry] = read.read_index(conn)
    rows, _ = read.read_metrics(conn, "odd")
    conn.close()
    assert entry.job is not None and entry.job.name == "falcon-renamed"
    assert entry.job.retries == job.retries and len(rows) == 1500


async def test_an_unexpected_error_in_the_writer_costs_one_notice_and_nothing_else(
    tmp_path, monkeypatch
):
    api = world()
    api.runs["odd"].job = parse_job(RAW_JOB, "/jobs/odd")

    def broken(*_args, **_kwargs):
        raise TypeError("Object of type ParseIssues is not JSON serializable")

    monkeypatch.setattr(writer, "write_batch", broken)
    path = tmp_path / "c.sqlite3"
    async with Session(api, path) as s:
        await s.watch("odd", 20)
        await s.settle_cache()
        assert s.sync._inflight is None  # the batch was answered, not lost
        [notice] = s.sync.notices
        assert "run cache failed" in notice and "TypeError" in notice
        assert not s.sync.writing  # nothing more is tried this session
        assert len(s.store.runs["odd"].metrics) == 1500  # the app runs on
        await s.run_for(10)
        assert len(s.sync.notices) == 1
