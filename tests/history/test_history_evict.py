"""The size cap: least recently viewed runs leave first; a run evicted under a session's
feet is fetched again whole when it is viewed."""

from __future__ import annotations

from axom_tui.history import db, read
from history_helpers import points
from sessions import Session, new_api
from test_history_crash import check_file

STEPS = 20_000


def world():
    api = new_api(metrics_page=1000)
    for job_id in ("a", "b", "c"):
        api.add_run(job_id, status="completed")
        api.runs[job_id].points = points(1, STEPS, seed=ord(job_id))
        api.set_status(job_id, "completed", latest_step=STEPS)
    return api


async def view(s: Session, job_id: str) -> None:
    await s.watch(job_id, 15)
    await s.settle_cache()
    assert len(s.store.runs[job_id].metrics) == STEPS


def cached_runs(path) -> set[str]:
    """Runs whose points the file holds (every listed run has its record there)."""
    conn = db.connect(path, readonly=True)
    try:
        return {e.job_id for e in read.read_index(conn) if e.points}
    finally:
        conn.close()


async def test_least_recently_viewed_runs_are_evicted_first(tmp_path):
    path = tmp_path / "c.sqlite3"
    api = world()
    async with Session(api, path) as s:
        await view(s, "a")
        await view(s, "b")
    one_run = db.connect(path).execute("SELECT max(bytes) FROM runs").fetchone()[0]
    assert cached_runs(path) == {"a", "b"}

    # room for about two runs: viewing a third pushes out the one viewed longest ago
    async with Session(api, path, cap_bytes=int(one_run * 2.6)) as s:
        await view(s, "c")
        await s.run_for(2)
        await s.settle_cache()
        assert cached_runs(path) == {"b", "c"}
        # "a" was evicted after this session seeded its cursors: viewing it fetches it whole
        api.calls.clear()
        await view(s, "a")
        assert list(s.store.runs["a"].metrics.steps) == list(range(1, STEPS + 1))
        assert api.count("get_metrics", "a") >= STEPS // 1000
    assert "a" in cached_runs(path) and check_file(path)["a"][0] == STEPS
    size = sum(p.stat().st_size for p in db.companions(path) if p.exists())
    assert size < one_run * 6  # evicted space went back (no endless growth)


async def test_runs_held_in_memory_are_not_evicted(tmp_path):
    path = tmp_path / "c.sqlite3"
    api = world()
    async with Session(api, path, cap_bytes=10_000) as s:  # far below one run
        await view(s, "a")
        await view(s, "b")
        await s.run_for(2)
        await s.settle_cache()
        assert cached_runs(path) == {"a", "b"}  # this session holds both: kept
