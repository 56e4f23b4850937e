"""A cache in trouble — damaged, locked, read-only, on a full disk — costs one notice;
the app runs on (without it, or on a rebuilt one), nothing crashes, nothing shown is lost.
"""

from __future__ import annotations

import sqlite3

from axom_tui.history import db
from axom_tui.history.cache import CacheFile, damage_marker, open_cache
from history_helpers import points
from sessions import Session, new_api
from test_history_crash import check_file

STEPS = 20_000


def world(steps: int = STEPS):
    api = new_api(metrics_page=500)
    api.add_run("done", status="completed")
    api.runs["done"].points = points(1, steps)
    api.set_status("done", "completed", latest_step=steps)
    api.add_lines("done", 100)
    return api


async def view(session: Session, job_id: str = "done", seconds: float = 60) -> None:
    await session.watch(job_id, seconds)
    await session.settle_cache()


def notices(session: Session) -> list[str]:
    return list(session.sync.notices) if session.sync else []


async def fill_cache(api, path):
    async with Session(api, path) as s:
        await view(s)
        assert len(s.store.runs["done"].metrics) == STEPS


async def test_a_file_that_is_not_a_database_is_set_aside_and_rebuilt(tmp_path):
    path = tmp_path / "c.sqlite3"
    path.write_bytes(b"this is not sqlite at all" * 400)
    api = world()
    async with Session(api, path) as s:
        await view(s)
        assert len(s.store.runs["done"].metrics) == STEPS
        [notice] = notices(s)
        assert "damaged" in notice and "set aside" in notice
    aside = list(tmp_path.glob("c.sqlite3.damaged-*"))
    assert aside and aside[0].read_bytes().startswith(b"this is not sqlite")
    assert check_file(path)["done"][0] == STEPS  # the new file holds the run


async def test_a_damaged_page_found_while_reading_costs_a_notice_and_a_refetch(tmp_path):
    path = tmp_path / "c.sqlite3"
    api = world()
    await fill_cache(api, path)
    size = path.stat().st_size
    data = bytearray(path.read_bytes())  # the metric blocks fill the middle of the file
    data[size // 2 : size // 2 + size // 4] = b"\xde\xad" * (size // 8)
    path.write_bytes(bytes(data))
    api.calls.clear()
    async with Session(api, path) as s:
        await view(s)
        run = s.store.runs["done"]
        assert len(run.metrics) == STEPS and list(run.metrics.steps) == list(range(1, STEPS + 1))
        [notice] = notices(s)
        assert "damaged" in notice and "fetched from the service" in notice
    assert api.count("get_metrics", "done") >= STEPS // 500  # fetched again, whole
    assert damage_marker(path).exists()
    async with Session(api, path) as s:  # the next start sets the file aside
        assert any("set aside" in n for n in notices(s))
        await view(s)
    assert not damage_marker(path).exists()
    assert check_file(path)["done"][0] == STEPS


async def test_a_cache_locked_by_another_process_is_written_once_it_is_free(tmp_path):
    path = tmp_path / "c.sqlite3"
    open_cache(path)
    api = world(3000)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("PRAGMA journal_mode = WAL")
    session = Session(api, path)
    session.cache.busy_ms = 50
    session.sync.writer._connect = session.cache.connect
    async with session as s:
        other.execute("BEGIN EXCLUSIVE")  # another axom-tui in the middle of a long write
        await view(s, seconds=30)
        assert len(s.store.runs["done"].metrics) == 3000  # shown all the same
        [notice] = notices(s)
        assert "locked" in notice
        other.execute("COMMIT")
        written = {}
        for _ in range(50):  # the writer tries again (after a second, then two) on its own
            await s.run_for(0.5)
            await s.settle_cache()
            written = check_file(path)
            if written.get("done", (0, 0))[0] == 3000:
                break
        assert written["done"] == (3000, 100)
    other.close()
    assert len(notices(s)) == 1


async def test_a_read_only_cache_still_shows_cached_history(tmp_path):
    path = tmp_path / "c.sqlite3"
    api = world(3000)
    await fill_cache_n(api, path, 3000)
    api.calls.clear()

    def read_only(p, **kw):  # a file, folder or filesystem that refuses writes
        return db.connect(p, readonly=True, busy_ms=kw.get("busy_ms", 2000))

    session = Session(api, None)
    session.cache = open_cache(path, connect=read_only)
    assert session.cache.ok and not session.cache.writable
    await _attach(session)
    async with session as s:
        await view(s)
        assert len(s.store.runs["done"].metrics) == 3000
        [notice] = notices(s)
        assert "read-only" in notice
    assert api.history_calls("done") == 0  # what the cache held was used


async def test_a_full_disk_costs_a_notice_and_loses_nothing_shown(tmp_path):
    path = tmp_path / "c.sqlite3"
    open_cache(path)
    pages = sqlite3.connect(path).execute("PRAGMA page_count").fetchone()[0]

    def tiny_disk(p, **kw):
        conn = db.connect(p, **kw)
        conn.execute(f"PRAGMA max_page_count = {pages + 30}")  # ~120 kB more, then full
        return conn

    api = world()
    session = Session(api, None)
    session.cache = CacheFile(path, ok=True, writable=True, connect_fn=tiny_disk)
    await _attach(session)
    async with session as s:
        await view(s)
        run = s.store.runs["done"]
        assert len(run.metrics) == STEPS and len(run.logs) == 100
        assert [n for n in notices(s) if "full" in n] == notices(s) and len(notices(s)) == 1
    check_file(path)  # whatever made it in is consistent


async def fill_cache_n(api, path, steps):
    async with Session(api, path) as s:
        await view(s)
        assert len(s.store.runs["done"].metrics) == steps


async def _attach(session: Session) -> None:
    from axom_tui.history.sync import HistorySync

    session.sync = HistorySync(session.store, session.cache, log_limit=10_000, flush_delay=0.005)
    session.sync.tracker = session.scheduler
    session.scheduler.history = session.sync
    session.scheduler._fetcher.history = session.sync


async def test_a_cache_locked_too_long_at_start_is_not_used_and_nothing_breaks(tmp_path):
    path = tmp_path / "c.sqlite3"
    open_cache(path)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # held past our busy timeout
    cache = open_cache(path, busy_ms=50)
    assert not cache.ok and "locked" in (cache.notice or "")
    api = world(3000)
    session = Session(api, None)
    session.cache = cache
    await _attach(session)
    async with session as s:
        await view(s, seconds=30)
        assert len(s.store.runs["done"].metrics) == 3000
        [notice] = notices(s)
        assert "running without it" in notice
    other.execute("ROLLBACK")
    other.close()
