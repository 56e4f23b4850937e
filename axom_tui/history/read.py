"""Reading the cache file: the index of runs (at start) and one run's history (on view).

Reads run on a connection of their own; in WAL mode they never wait for a writer (this
process's or another's). Every function raises sqlite3.Error or CodecError on a damaged
file; callers turn that into a notice and carry on without the cache.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from axom_tui.api.records import Event, Job, LogLine, Model, Result
from axom_tui.history import codec
from axom_tui.history.codec import LabelRuns, MetricRows
from axom_tui.history.snapshot import Progress


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """What start-up needs of a cached run: enough for the job list and the scheduler."""

    job_id: str
    gen: int
    job: Job | None
    result: Result | None
    #: None: the cursors in the file are not to be trusted (fetch from the start).
    progress: Progress | None
    points: int
    log_lines: int
    viewed_at: float


@dataclass(frozen=True, slots=True)
class CachedRun:
    job_id: str
    gen: int
    events: list[Event] | None
    labels: LabelRuns | None
    metrics: MetricRows
    bad_losses: int
    logs: list[LogLine]


def read_index(conn: sqlite3.Connection) -> list[IndexEntry]:
    entries = []
    for (
        job_id,
        gen,
        job,
        result,
        progress,
        m_cursor,
        l_cursor,
        finished,
        points,
        lines,
        viewed,
    ) in conn.execute(
        "SELECT job_id, gen, job, result, progress, metrics_cursor, logs_cursor, finished, "
        "points, log_lines, viewed_at FROM runs"
    ):
        entries.append(
            IndexEntry(
                job_id=str(job_id),
                gen=int(gen),
                job=codec.decode_job(job) if job is not None else None,
                result=codec.decode_result(result) if result is not None else None,
                progress=Progress(m_cursor, l_cursor, frozenset(filter(None, finished.split(","))))
                if progress
                else None,
                points=int(points),
                log_lines=int(lines),
                viewed_at=float(viewed),
            )
        )
    return entries


def read_order(conn: sqlite3.Connection) -> list[str]:
    row = conn.execute("SELECT data FROM globals WHERE name = 'order'").fetchone()
    return codec.decode_strings(row[0]) if row else []


def read_models(conn: sqlite3.Connection) -> list[Model] | None:
    row = conn.execute("SELECT data FROM globals WHERE name = 'models'").fetchone()
    return codec.decode_models(row[0]) if row else None


def read_events(conn: sqlite3.Connection, job_id: str) -> list[Event] | None:
    row = conn.execute("SELECT events FROM runs WHERE job_id = ?", (job_id,)).fetchone()
    return codec.decode_events(row[0]) if row is not None and row[0] is not None else None


def read_metrics(conn: sqlite3.Connection, job_id: str) -> tuple[MetricRows, int]:
    """Every cached point of a run, and how many have a non-finite loss."""
    rows = MetricRows.empty()
    bad = 0
    last: int | None = None
    for data, count_bad in conn.execute(
        "SELECT data, bad_loss FROM metric_blocks WHERE job_id = ? ORDER BY first_step", (job_id,)
    ):
        block = codec.decode_block(data)
        if not len(block):
            continue
        if last is not None and block.steps[0] <= last:  # overlapping blocks: never written so
            raise codec.CodecError(f"metric blocks of {job_id} overlap")
        rows.extend(block)
        last = block.steps[-1]
        bad += int(count_bad)
    return rows, bad


def read_last_points(conn: sqlite3.Connection, job_id: str) -> MetricRows:
    """The run's last block of points (up to 2,048, the newest last)."""
    row = conn.execute(
        "SELECT data FROM metric_blocks WHERE job_id = ? ORDER BY first_step DESC LIMIT 1",
        (job_id,),
    ).fetchone()
    return codec.decode_block(row[0]) if row is not None else MetricRows.empty()


def read_logs(conn: sqlite3.Connection, job_id: str, limit: int) -> list[LogLine]:
    """The last ``limit`` cached log lines of a run, in seq order."""
    blocks: list[list[LogLine]] = []
    held = 0
    for (data,) in conn.execute(
        "SELECT data FROM log_blocks WHERE job_id = ? ORDER BY first_seq DESC", (job_id,)
    ):
        block = codec.decode_log_block(data)
        blocks.append(block)
        held += len(block)
        if held >= limit:
            break
    lines = [line for block in reversed(blocks) for line in block]
    return lines[-limit:] if limit > 0 else []


def read_run(conn: sqlite3.Connection, job_id: str, log_limit: int) -> CachedRun | None:
    """A run's whole cached history in one read transaction (a consistent view)."""
    conn.execute("BEGIN")
    try:
        row = conn.execute(
            "SELECT gen, events, labels FROM runs WHERE job_id = ?", (job_id,)
        ).fetchone()
        if row is None:
            return None
        gen, events, labels = row
        metrics, bad = read_metrics(conn, job_id)
        logs = read_logs(conn, job_id, log_limit)
    finally:
        conn.execute("COMMIT")
    return CachedRun(
        job_id=job_id,
        gen=int(gen),
        events=codec.decode_events(events) if events is not None else None,
        labels=codec.decode_labels(labels) if labels is not None else None,
        metrics=metrics,
        bad_losses=bad,
        logs=logs,
    )


def cached_job_ids(conn: sqlite3.Connection) -> list[str]:
    return [str(r[0]) for r in conn.execute("SELECT job_id FROM runs ORDER BY viewed_at DESC")]
