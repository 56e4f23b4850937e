"""One write transaction: a batch of snapshots merged into the file.

Data and cursors go in the same transaction, so the file never holds a cursor ahead of
its data, whatever moment a crash comes at. Blocks are merged, never overwritten
blindly: the blocks a batch touches are read, merged by step (or seq) with the new
points — the new value wins, as in the store — and written back, inside the write
lock. Two processes writing the same run therefore only ever add to each other's
data.

Cursors are written only when the writer's view of the run contains everything the
file had for it: the row is the one it loaded or created (same ``gen``), or the
snapshot is complete. Otherwise (the run was evicted and re-made by someone else
meanwhile) its points are merged in but the cursors are left alone, and the loop is
told to send the run whole next time.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Sequence

from axom_tui.api.records import LogLine
from axom_tui.history import codec
from axom_tui.history.codec import BLOCK_POINTS, LOG_BLOCK_LINES, MetricRows
from axom_tui.history.models_write import ModelsEncoder
from axom_tui.history.snapshot import Batch, BatchResult, RunSnapshot, RunWritten

EVICT_TO = 0.9  # an eviction brings the file down to this share of the cap
#: Remembers each model's JSON between writes (history/models_write.py). Shared by the
#: writer thread and bundles: at worst two writes encode the same model twice.
_MODELS = ModelsEncoder()


def new_gen() -> int:
    return secrets.randbits(62) + 1


def write_batch(conn: sqlite3.Connection, batch: Batch, now: float) -> BatchResult:
    """Write ``batch`` in one transaction (raises sqlite3.Error; nothing is half-written)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        written = tuple(write_run(conn, snap, now) for snap in batch.runs)
        if batch.order is not None:
            _put_global(conn, "order", codec.encode_strings(batch.order))
        if batch.models is not None:
            _put_global(conn, "models", _MODELS.encode(batch.models))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return BatchResult(batch.number, written)


def _put_global(conn: sqlite3.Connection, name: str, data: bytes) -> None:
    conn.execute(
        "INSERT INTO globals (name, data) VALUES (?, ?) "
        "ON CONFLICT (name) DO UPDATE SET data = excluded.data",
        (name, data),
    )


def write_run(conn: sqlite3.Connection, snap: RunSnapshot, now: float) -> RunWritten:
    job_id = snap.job_id
    row = conn.execute(
        "SELECT gen, length(job), length(events), length(result), length(labels) "
        "FROM runs WHERE job_id = ?",
        (job_id,),
    ).fetchone()
    if row is None:
        gen = new_gen()
        conn.execute(
            "INSERT INTO runs (job_id, gen, written_at) VALUES (?, ?, ?)", (job_id, gen, now)
        )
        old_sizes = [0, 0, 0, 0]
    else:
        gen = int(row[0])
        old_sizes = [int(v or 0) for v in row[1:]]
    trusted = snap.complete or (snap.gen is not None and snap.gen == gen)

    sets: list[str] = ["written_at = ?"]
    args: list[object] = [now]
    size = 0
    for index, (column, value) in enumerate(
        (
            ("job", codec.encode_job(snap.job) if snap.job is not None else None),
            ("events", codec.encode_events(snap.events) if snap.events is not None else None),
            ("result", codec.encode_result(snap.result) if snap.result is not None else None),
            ("labels", codec.encode_labels(snap.labels) if snap.labels is not None else None),
        )
    ):
        if value is not None:
            sets.append(f"{column} = ?")
            args.append(value)
            size += len(value) - old_sizes[index]
    points = lines = 0
    if snap.metrics is not None and len(snap.metrics):
        grown, points = write_metric_rows(conn, job_id, snap.metrics)
        size += grown
    if snap.logs:
        grown, lines = write_log_lines(conn, job_id, snap.logs)
        size += grown
    sets += ["bytes = bytes + ?", "points = points + ?", "log_lines = log_lines + ?"]
    args += [size, points, lines]
    if snap.viewed_at is not None:
        sets.append("viewed_at = max(viewed_at, ?)")
        args.append(snap.viewed_at)
    needs_full = False
    if snap.progress is not None:
        if trusted:
            p = snap.progress
            sets += ["progress = 1", "metrics_cursor = ?", "logs_cursor = ?", "finished = ?"]
            args += [p.metrics_cursor, p.logs_cursor, ",".join(sorted(p.finished))]
        else:
            needs_full = True
    conn.execute(f"UPDATE runs SET {', '.join(sets)} WHERE job_id = ?", (*args, job_id))
    return RunWritten(job_id, gen, needs_full)


def _touched(
    conn: sqlite3.Connection, table: str, key: str, job_id: str, lo: int, hi: int, cap: int
) -> list[tuple[int, int, int, bytes]]:
    """Blocks that a write of keys ``lo..hi`` rewrites: those overlapping the range, and
    the block just before it when that one has room (the growing last block)."""
    rows = conn.execute(
        f"SELECT rowid, count, length(data), data FROM {table} WHERE job_id = ? "
        f"AND last_{key} >= ? AND first_{key} <= ? ORDER BY first_{key}",
        (job_id, lo, hi),
    ).fetchall()
    before = conn.execute(
        f"SELECT rowid, count, length(data), data FROM {table} WHERE job_id = ? "
        f"AND first_{key} < ? ORDER BY first_{key} DESC LIMIT 1",
        (job_id, lo),
    ).fetchone()
    if before is not None and before[1] < cap and all(r[0] != before[0] for r in rows):
        rows.insert(0, before)
    return [(int(r[0]), int(r[1]), int(r[2]), bytes(r[3])) for r in rows]


def write_metric_rows(conn: sqlite3.Connection, job_id: str, rows: MetricRows) -> tuple[int, int]:
    """Merge points into the run's blocks; return (bytes added, points added)."""
    touched = _touched(
        conn, "metric_blocks", "step", job_id, rows.steps[0], rows.steps[-1], BLOCK_POINTS
    )
    held = MetricRows.empty()
    for _, _, _, data in touched:
        held = codec.merge_rows(held, codec.decode_block(data))
    merged = codec.merge_rows(held, rows)
    _delete_rows(conn, "metric_blocks", [t[0] for t in touched])
    size = -sum(t[2] for t in touched)
    for start in range(0, len(merged), BLOCK_POINTS):
        part = merged.slice(start, start + BLOCK_POINTS)
        data = codec.encode_block(part, deflate=len(part) == BLOCK_POINTS)
        conn.execute(
            "INSERT INTO metric_blocks (job_id, first_step, last_step, count, bad_loss, "
            "data) VALUES (?, ?, ?, ?, ?, ?)",
            (job_id, part.steps[0], part.steps[-1], len(part), codec.bad_losses(part), data),
        )
        size += len(data)
    return size, len(merged) - len(held)


def write_log_lines(
    conn: sqlite3.Connection, job_id: str, lines: Sequence[LogLine]
) -> tuple[int, int]:
    """Merge log lines into the run's blocks; return (bytes added, lines added)."""
    ordered = sorted({line.seq: line for line in lines}.values(), key=lambda line: line.seq)
    touched = _touched(
        conn, "log_blocks", "seq", job_id, ordered[0].seq, ordered[-1].seq, LOG_BLOCK_LINES
    )
    by_seq: dict[int, LogLine] = {}
    for _, _, _, data in touched:
        by_seq.update((line.seq, line) for line in codec.decode_log_block(data))
    held = len(by_seq)
    by_seq.update((line.seq, line) for line in ordered)
    merged = [by_seq[seq] for seq in sorted(by_seq)]
    _delete_rows(conn, "log_blocks", [t[0] for t in touched])
    size = -sum(t[2] for t in touched)
    for start in range(0, len(merged), LOG_BLOCK_LINES):
        part = merged[start : start + LOG_BLOCK_LINES]
        data = codec.encode_log_block(part, deflate=len(part) == LOG_BLOCK_LINES)
        conn.execute(
            "INSERT INTO log_blocks (job_id, first_seq, last_seq, count, data) "
            "VALUES (?, ?, ?, ?, ?)",
            (job_id, part[0].seq, part[-1].seq, len(part), data),
        )
        size += len(data)
    return size, len(merged) - held


def _delete_rows(conn: sqlite3.Connection, table: str, rowids: list[int]) -> None:
    if rowids:
        conn.executemany(f"DELETE FROM {table} WHERE rowid = ?", [(r,) for r in rowids])


# ---------------------------------------------------------------- removing runs


def delete_run(conn: sqlite3.Connection, job_id: str) -> None:
    """(Caller holds the transaction.)"""
    for table in ("metric_blocks", "log_blocks", "runs"):
        conn.execute(f"DELETE FROM {table} WHERE job_id = ?", (job_id,))


def used_bytes(conn: sqlite3.Connection) -> int:
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    free = conn.execute("PRAGMA freelist_count").fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    return int((pages - free) * size)


def evict(conn: sqlite3.Connection, cap: int, held: frozenset[str] = frozenset()) -> list[str]:
    """Remove least recently viewed runs until the file uses at most 90 % of ``cap``
    bytes. Runs in ``held`` (in this process's memory, and written back whole if gone)
    are kept. Returns the runs removed."""
    used = used_bytes(conn)
    if used <= cap:
        return []
    conn.execute("BEGIN IMMEDIATE")
    removed: list[str] = []
    try:
        total = conn.execute("SELECT coalesce(sum(bytes), 0) FROM runs").fetchone()[0] or 0
        ratio = used / total if total else 1.0  # page overhead on top of the blobs
        estimate = float(used)
        for job_id, size in conn.execute(
            "SELECT job_id, bytes FROM runs ORDER BY viewed_at, written_at"
        ).fetchall():
            if estimate <= cap * EVICT_TO:
                break
            if job_id in held:
                continue
            delete_run(conn, job_id)
            removed.append(job_id)
            estimate -= size * ratio
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    if removed:
        conn.execute("PRAGMA incremental_vacuum")
    return removed
