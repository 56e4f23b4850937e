"""The cache file's tables, its version, and the way from an older version to this one.

The version lives in SQLite's ``user_version``. A file at an older version is brought
up to date by the steps in :data:`MIGRATIONS` (version N → N+1 each), all in one
transaction, so a crash half-way leaves the old version intact. A file made by a
newer axom-tui (a higher version) is not touched: the cache is not used.

Tables:

* ``runs``: one row per run: its job record, events, result and label runs (deflated
  JSON), the feeds' cursors and which feeds are finished (``progress``: whether the
  cursors may be trusted, see :mod:`axom_tui.history.writer`), sizes, and when it
  was last viewed (eviction order). ``gen`` changes whenever the row is made anew,
  so a writer can tell "the run I loaded" from "a run evicted and re-created since".
* ``metric_blocks``: the points of a run, a block of up to 2048 consecutive points per
  row (see :mod:`axom_tui.history.codec`), keyed by the block's first step.
* ``log_blocks``: the log lines of a run, up to 512 per row, keyed by the first seq.
* ``globals``: the job list's order and the models list.
* ``meta``: what kind of file this is (a cache or a bundle), the API origin, when made.

Versions: 1 kept no point times; 2 keeps them in the metric blocks (block layout 2).
The step from 1 to 2 drops a cache's metric blocks and its metrics cursors (their
points are fetched again once, with their times; logs, records and the other cursors
stay); a bundle keeps its blocks (nothing could fetch them again): its points show
no time.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

SCHEMA_VERSION = 2
APPLICATION_ID = 0x41584F4D  # "AXOM": `file` and other tools can tell our files apart

CREATE = """
CREATE TABLE IF NOT EXISTS meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    job_id TEXT PRIMARY KEY,
    gen INTEGER NOT NULL,
    job BLOB,
    events BLOB,
    result BLOB,
    labels BLOB,
    progress INTEGER NOT NULL DEFAULT 0,
    metrics_cursor INTEGER,
    logs_cursor INTEGER,
    finished TEXT NOT NULL DEFAULT '',
    points INTEGER NOT NULL DEFAULT 0,
    log_lines INTEGER NOT NULL DEFAULT 0,
    bytes INTEGER NOT NULL DEFAULT 0,
    viewed_at REAL NOT NULL DEFAULT 0,
    written_at REAL NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS metric_blocks (
    job_id TEXT NOT NULL,
    first_step INTEGER NOT NULL,
    last_step INTEGER NOT NULL,
    count INTEGER NOT NULL,
    bad_loss INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS metric_blocks_by_run ON metric_blocks (job_id, first_step);
CREATE TABLE IF NOT EXISTS log_blocks (
    job_id TEXT NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    count INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS log_blocks_by_run ON log_blocks (job_id, first_seq);
CREATE TABLE IF NOT EXISTS globals (
    name TEXT PRIMARY KEY,
    data BLOB NOT NULL
);
"""

Migration = Callable[[sqlite3.Connection], None]


def _refetch_untimed_metrics(conn: sqlite3.Connection) -> None:
    """1 → 2: a cache's points without times go; their runs fetch metrics from the start."""
    kind = conn.execute("SELECT value FROM meta WHERE name = 'kind'").fetchone()
    if kind is not None and kind[0] == "bundle":
        return
    conn.execute("DELETE FROM metric_blocks")
    conn.execute(
        "UPDATE runs SET labels = NULL, metrics_cursor = NULL, points = 0, "
        "finished = trim(replace(',' || finished || ',', ',metrics,', ','), ','), "
        "bytes = coalesce(length(job), 0) + coalesce(length(events), 0) "
        "+ coalesce(length(result), 0) + (SELECT coalesce(sum(length(data)), 0) "
        "FROM log_blocks WHERE log_blocks.job_id = runs.job_id)"
    )


#: ``MIGRATIONS[n]`` brings a file from version n to n + 1 (inside a transaction).
MIGRATIONS: dict[int, Migration] = {1: _refetch_untimed_metrics}

#: What a user is told when a file of that version was brought up to date.
MIGRATED_NOTICES = {
    1: "The run cache was made by an older axom-tui that kept no point times: cached "
    "runs fetch their metrics again once.",
}


class SchemaError(Exception):
    """The file is not one this version of axom-tui can use."""


def user_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0]) if row else 0


def has_tables(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").fetchone()
    return bool(row and row[0])


def ensure_schema(conn: sqlite3.Connection, kind: str = "cache", origin: str = "") -> int | None:
    """Create the tables in an empty file, or migrate an older one; in one transaction.
    Returns the version the file was migrated from (None: it was new or up to date).

    ``conn`` must be in autocommit mode (``isolation_level=None``). Two processes may
    call this at once: the write lock taken first makes the second see the result.
    """
    conn.execute("BEGIN IMMEDIATE")
    migrated = None
    try:
        version = user_version(conn)
        if version == 0 and not has_tables(conn):
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            for statement in _statements(CREATE):
                conn.execute(statement)
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('kind', ?)", (kind,))
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('origin', ?)", (origin,))
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        elif version > SCHEMA_VERSION:
            raise SchemaError(
                f"made by a newer axom-tui (layout version {version}, this one "
                f"reads up to {SCHEMA_VERSION})"
            )
        elif version == 0:
            raise SchemaError("not an axom-tui cache file")
        elif version < SCHEMA_VERSION:
            migrate(conn, version)
            migrated = version
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return migrated


def migrate(conn: sqlite3.Connection, version: int) -> None:
    """Apply every step from ``version`` to :data:`SCHEMA_VERSION` (caller holds the
    transaction)."""
    while version < SCHEMA_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise SchemaError(f"no way from layout version {version} to {version + 1}")
        step(conn)
        version += 1
        conn.execute(f"PRAGMA user_version = {version}")


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
