"""Opening the cache file, whatever state it is in.

* missing: made (mode 0600, folder 0700) with the current layout;
* damaged (not a database, or a page that does not read back): set aside as
  ``<name>.damaged-<time>`` and a new one is made; one notice says so;
* read-only (file, folder or filesystem): opened for reading, so cached history is
  still shown, and nothing is written; one notice;
* locked by another process past the busy timeout, made by a newer axom-tui, or
  unusable for any other reason: not used this session; one notice.

The app never fails to start because of its cache. ``CacheFile.ok`` is False when
there is none; ``writable`` when writes go to it.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from axom_tui.history import db
from axom_tui.history.db import Problem, classify
from axom_tui.history.schema import MIGRATED_NOTICES, SchemaError, ensure_schema

Connect = Callable[..., sqlite3.Connection]


@dataclass
class CacheFile:
    path: Path
    ok: bool = False
    writable: bool = False
    #: What went wrong, for the one notice (None: nothing to say).
    notice: str | None = None
    busy_ms: int = db.DEFAULT_BUSY_MS
    connect_fn: Connect = db.connect

    def connect(self) -> sqlite3.Connection:
        """A new connection (each thread makes its own)."""
        return self.connect_fn(self.path, readonly=not self.writable, busy_ms=self.busy_ms)


def describe(problem: Problem, exc: BaseException) -> str:
    what = {
        Problem.CORRUPT: "is damaged",
        Problem.LOCKED: "is locked by another program",
        Problem.READONLY: "cannot be written (read-only)",
        Problem.FULL: "cannot grow: the disk is full",
        Problem.IO: "cannot be read or written",
        Problem.OTHER: "cannot be used",
    }[problem]
    return f"{what} ({type(exc).__name__}: {str(exc)[:120]})"


def open_cache(
    path: Path,
    *,
    origin: str = "",
    kind: str = "cache",
    busy_ms: int = db.DEFAULT_BUSY_MS,
    connect: Connect = db.connect,
    readonly: bool = False,
) -> CacheFile:
    """Open (or make, or rebuild) the cache file at ``path``; never raises."""
    cache = CacheFile(path, busy_ms=busy_ms, connect_fn=connect)
    if readonly:
        return _open_readonly(cache, None)
    marker = damage_marker(path)
    if marker.exists():  # a page was found damaged last session
        marker.unlink(missing_ok=True)
        if path.exists():
            return _rebuild(cache, origin, kind)
    try:
        conn = connect(path, busy_ms=busy_ms)
        try:
            migrated = ensure_schema(conn, kind=kind, origin=origin)
            _check_readable(conn)
            _probe_write(conn)
        finally:
            conn.close()
        db.tighten_mode(path)
        cache.ok = cache.writable = True
        if migrated is not None:
            cache.notice = MIGRATED_NOTICES.get(migrated)
        return cache
    except SchemaError as exc:
        cache.notice = f"The run cache {path} was not used: {exc}."
        return cache
    except (sqlite3.Error, OSError) as exc:
        problem = classify(exc)
        if problem is Problem.CORRUPT:
            return _rebuild(cache, origin, kind)
        if problem is Problem.READONLY:
            return _open_readonly(cache, exc)
        cache.notice = f"The run cache {path} {describe(problem, exc)}; running without it."
        return cache


def _check_readable(conn: sqlite3.Connection) -> None:
    """Touch every table's first pages: a damaged header or root page shows here."""
    for table in ("meta", "runs", "metric_blocks", "log_blocks", "globals"):
        conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT 1)").fetchone()
    conn.execute("SELECT job_id, gen, progress FROM runs").fetchall()


def _probe_write(conn: sqlite3.Connection) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(
            "INSERT INTO meta VALUES ('opened', ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (str(time.time()),),
        )
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _open_readonly(cache: CacheFile, why: BaseException | None) -> CacheFile:
    try:
        conn = cache.connect_fn(cache.path, readonly=True, busy_ms=cache.busy_ms)
        try:
            _check_readable(conn)
        finally:
            conn.close()
    except (sqlite3.Error, OSError) as exc:
        if why is not None:
            cache.notice = (
                f"The run cache {cache.path} {describe(classify(why), why)}; running without it."
            )
        else:
            cache.notice = f"The file {cache.path} {describe(classify(exc), exc)}."
        return cache
    cache.ok, cache.writable = True, False
    if why is not None:
        cache.notice = (
            f"The run cache {cache.path} {describe(Problem.READONLY, why)}: cached "
            "history is shown, new data is not saved."
        )
    return cache


def damage_marker(path: Path) -> Path:
    """Left beside the file when a damaged page is met mid-session; the next start sets
    the file aside and begins a new one."""
    return path.with_name(path.name + ".damaged")


def set_aside(path: Path) -> Path:
    """Move a damaged file (and its WAL) out of the way; return its new name."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    for source in db.companions(path):
        if source.exists():
            source.replace(Path(str(source).replace(str(path), str(target), 1)))
    return target


def _rebuild(cache: CacheFile, origin: str, kind: str) -> CacheFile:
    try:
        aside = set_aside(cache.path)
        conn = cache.connect_fn(cache.path, busy_ms=cache.busy_ms)
        try:
            ensure_schema(conn, kind=kind, origin=origin)
        finally:
            conn.close()
    except (sqlite3.Error, OSError, SchemaError) as exc:
        cache.notice = (
            f"The run cache {cache.path} is damaged and could not be rebuilt "
            f"({type(exc).__name__}: {str(exc)[:80]}); running without it."
        )
        return cache
    cache.ok = cache.writable = True
    cache.notice = (
        f"The run cache was damaged; it was set aside as {aside.name} and a new one "
        "started (runs are fetched again)."
    )
    return cache
