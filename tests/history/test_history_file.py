"""The cache file itself: where it is, who may read it, what is (not) in it, its size
per point, and its layout version."""

from __future__ import annotations

import dataclasses
import sqlite3
import stat

from axom_tui.api.records import Event
from axom_tui.api.secret import ApiKey
from axom_tui.history import db, location, read, schema
from axom_tui.history.cache import open_cache
from axom_tui.history.codec import MetricRows
from axom_tui.history.snapshot import Batch, Progress, RunSnapshot
from axom_tui.history.write import write_batch
from history_helpers import KEY, points
from sessions import Session, new_api

BASE = "https://console.axomlabs.ai/api"


def test_one_file_per_origin_and_account_named_by_a_hash(tmp_path):
    a = location.cache_path(BASE, KEY, tmp_path)
    assert a.parent == tmp_path and a.name.startswith("console.axomlabs.ai-")
    assert location.cache_path(BASE + "/", KEY, tmp_path) == a  # same origin
    assert location.cache_path("https://console.axomlabs.ai:443/x", KEY, tmp_path) == a
    assert location.cache_path(BASE, KEY + "2", tmp_path) != a  # another account
    assert location.cache_path("https://staging.axomlabs.ai/api", KEY, tmp_path) != a
    assert KEY not in a.name and KEY[10:30] not in a.name


def test_cache_dir_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(location.CACHE_DIR_ENV, str(tmp_path / "x"))
    assert location.cache_dir() == tmp_path / "x"
    monkeypatch.delenv(location.CACHE_DIR_ENV)
    assert location.cache_dir().name == "runs" and "axom-tui" in str(location.cache_dir())


async def test_files_are_private_and_never_hold_the_key(tmp_path):
    folder = tmp_path / "cache"
    path = location.cache_path(BASE, KEY, folder)
    ApiKey(KEY)  # the app holds it: server text that echoes it must not reach the file
    api = new_api()
    api.add_run("r", status="running", steps=300, lines=40, name=f"run {KEY}")
    # server text that carries the key (a worker that printed its environment)
    api.runs["r"].lines[5] = dataclasses.replace(api.runs["r"].lines[5], text=f"AXOM_KEY={KEY}")
    api.runs["r"].events = [Event("error", None, {"message": f"bad key {KEY}"})]
    async with Session(api, path) as s:
        await s.watch("r", 10)
        await s.settle_cache()
        assert len(s.store.runs["r"].metrics) == 300 and len(s.store.runs["r"].events) == 1
        files = [p for p in db.companions(path) if p.exists()]
        assert len(files) == 3  # the WAL and shared-memory files exist while open
        for p in files:
            assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for p in [p for p in db.companions(path) if p.exists()]:
        blob = p.read_bytes()
        assert KEY.encode() not in blob and KEY[10:].encode() not in blob
        assert stat.S_IMODE(p.stat().st_mode) == 0o600
    conn = db.connect(path, readonly=True)  # nor inside what is deflated
    back = read.read_run(conn, "r", 10_000)
    [entry] = read.read_index(conn)
    conn.close()
    text = repr((back, entry))
    assert KEY not in text and KEY[10:] not in text and "«key hidden»" in text


def test_an_existing_file_readable_by_others_is_made_private(tmp_path):
    path = tmp_path / "c.sqlite3"
    open_cache(path)
    path.chmod(0o644)
    cache = open_cache(path)
    assert cache.ok and stat.S_IMODE(path.stat().st_mode) == 0o600


def test_bytes_on_disk_per_metric_point_with_every_field(tmp_path):
    path = tmp_path / "c.sqlite3"
    cache = open_cache(path)
    conn = cache.connect()
    n = 60_000
    pts = points(1, n)
    rows = MetricRows.empty()
    rows.steps.extend(p.step for p in pts)
    for k, name in enumerate(("loss", "grad_norm", "lr", "throughput", "vram_gb")):
        rows.columns[k].extend(getattr(p, name) for p in pts)
    for start in range(0, n, 400):  # as a catch-up writes it: a page at a time
        snap = RunSnapshot(
            "r",
            metrics=rows.slice(start, start + 400),
            complete=start == 0,
            progress=Progress(start + 400),
        )
        write_batch(conn, Batch((snap,)), 0.0)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    size = sum(p.stat().st_size for p in db.companions(path) if p.exists())
    assert size / n <= 48, f"{size / n:.1f} bytes per point"


def test_layout_version_is_recorded(tmp_path):
    path = tmp_path / "c.sqlite3"
    open_cache(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    assert conn.execute("PRAGMA application_id").fetchone()[0] == schema.APPLICATION_ID
    conn.close()


def test_an_older_file_is_migrated_in_one_transaction(tmp_path, monkeypatch):
    path = tmp_path / "c.sqlite3"
    open_cache(path)
    calls = []

    def add_column(conn: sqlite3.Connection) -> None:
        calls.append(conn.in_transaction)
        conn.execute("ALTER TABLE runs ADD COLUMN note TEXT")

    monkeypatch.setattr(schema, "SCHEMA_VERSION", schema.SCHEMA_VERSION + 1)
    monkeypatch.setitem(schema.MIGRATIONS, schema.SCHEMA_VERSION - 1, add_column)
    cache = open_cache(path)
    assert cache.ok and calls == [True]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    assert "note" in [r[1] for r in conn.execute("PRAGMA table_info(runs)")]
    conn.close()


def test_a_failed_migration_leaves_the_old_version(tmp_path, monkeypatch):
    path = tmp_path / "c.sqlite3"
    open_cache(path)
    version = schema.SCHEMA_VERSION

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE runs ADD COLUMN half TEXT")
        raise sqlite3.OperationalError("boom")

    monkeypatch.setattr(schema, "SCHEMA_VERSION", version + 1)
    monkeypatch.setitem(schema.MIGRATIONS, version, broken)
    cache = open_cache(path)
    assert not cache.ok and cache.notice
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == version
    assert "half" not in [r[1] for r in conn.execute("PRAGMA table_info(runs)")]
    conn.close()


def test_a_file_from_a_newer_version_is_left_alone(tmp_path):
    path = tmp_path / "c.sqlite3"
    open_cache(path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 5}")
    before = conn.execute("SELECT * FROM meta ORDER BY name").fetchall()
    conn.close()
    cache = open_cache(path)
    assert not cache.ok and "newer" in (cache.notice or "")
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION + 5
    assert conn.execute("SELECT * FROM meta ORDER BY name").fetchall() == before
    conn.close()
