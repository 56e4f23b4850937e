"""Cached points keep their time: a a restart, a bundle, an old cache (the
preemption's re-sends: ``test_history_restart.py``).

The store keeps each point's ``ts`` as segments and a byte per point
(``store/step_times.py``); the cache keeps the same, so a time read back after a
restart is the one the live store had (to float rounding), within the store's
``max_error`` of the point's stamp.
"""

from __future__ import annotations

import csv
import io
import sqlite3

from axom_tui.history import db, schema
from axom_tui.history.bundle import make_bundle
from axom_tui.history.cache import open_cache
from axom_tui.history.sync import HistorySync
from axom_tui.store import RunStore
from axom_tui.store.csv_export import points_from_series, times_note, write_csv
from history_helpers import ROUNDING, assert_times, finished_world
from sessions import Session, new_api


def times_of(series) -> dict[int, float | None]:
    return {step: series.time_at(step) for step in series.steps}


async def test_a_restart_on_a_warm_cache_shows_the_cached_points_times(tmp_path):
    api = new_api(metrics_page=400)
    finished_world(api, log_lines=50)
    path = tmp_path / "c.sqlite3"
    async with Session(api, path) as first:
        await first.watch("done", 60)
        live = first.store.runs["done"].metrics
        assert len(live) == 5001
        live_times = times_of(live)
        max_error = live.times.max_error
    assert all(t is not None for t in live_times.values())

    api.calls.clear()
    async with Session(api, path) as second:
        second.scheduler.focus("done")
        await second.sync.ready("done")
        cached = second.store.runs["done"].metrics
        assert len(cached) == 5001
        for step, t in live_times.items():
            got = cached.time_at(step)
            assert got is not None, f"cached step {step} has no time"
            assert abs(got - t) <= ROUNDING, step
        assert cached.times.max_error == max_error
        assert_times(cached, api.runs["done"].points)
    assert api.history_calls("done") == 0


async def test_a_bundle_opened_offline_has_the_points_times(tmp_path):
    api = new_api(metrics_page=400)
    finished_world(api, steps=3000, log_lines=50)
    out = tmp_path / "one.axom"
    await make_bundle(api, ["done"], out)
    store = RunStore()
    sync = HistorySync(store, open_cache(out, readonly=True), log_limit=1000)
    sync.restore_index()
    await sync.ready("done")
    series = store.runs["done"].metrics
    assert_times(series, api.runs["done"].points)
    await sync.aclose()
    # and `e` on it writes them (what the key writes, no service needed)
    text = io.StringIO()
    write_csv(points_from_series(series), text)
    rows = list(csv.DictReader(io.StringIO(text.getvalue())))
    assert len(rows) == len(series) and all(r["timestamp"].endswith("Z") for r in rows)
    assert "timestamps within 25 ms" in times_note(series)


async def test_a_cache_of_the_old_layout_fetches_its_metrics_again_once_with_times(tmp_path):
    """Version 1 kept no times: its points are dropped (one notice) and fetched again;
    logs, records and cursors of the other feeds stay."""
    api = new_api(metrics_page=400)
    finished_world(api, steps=2000, log_lines=50)
    path = tmp_path / "c.sqlite3"
    async with Session(api, path) as first:
        await first.watch("done", 30)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()

    cache = open_cache(path, origin="http://fake")
    assert cache.ok and cache.notice is not None and "older" in cache.notice
    conn = db.connect(path, readonly=True)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    assert conn.execute("SELECT count(*) FROM metric_blocks").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM log_blocks").fetchone()[0] > 0
    conn.close()

    api.calls.clear()
    async with Session(api, path) as second:
        await second.watch("done", 30)
        assert_times(second.store.runs["done"].metrics, api.runs["done"].points)
    assert api.count("get_metrics", "done") >= 5 and api.count("get_logs", "done") == 0
