"""kill -9 while writing never leaves a cursor ahead of its data; two processes writing
at once never lose each other's points."""

from __future__ import annotations

import itertools
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from axom_tui.history import db, read
from axom_tui.history.cache import open_cache

CHILD = Path(__file__).resolve().parent / "crash_child.py"
ROOT = Path(__file__).resolve().parents[2]


def start_child(path: Path, *run_ids: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, str(CHILD), str(path), *run_ids],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == "writing", line
    return proc


def check_file(path: Path) -> dict[str, tuple[int, int]]:
    """Every cursor in the file has all its data: steps 1..cursor and seqs 1..cursor.
    Returns {run: (metrics cursor, logs cursor)}."""
    conn = db.connect(path, readonly=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        found = {}
        for entry in read.read_index(conn):
            rows, _ = read.read_metrics(conn, entry.job_id)
            steps = set(rows.steps)
            seqs = {line.seq for line in read.read_logs(conn, entry.job_id, 10**9)}
            if entry.progress is None:
                continue
            m, lg = entry.progress.metrics_cursor or 0, entry.progress.logs_cursor or 0
            assert steps >= set(range(1, m + 1)), f"{entry.job_id}: metrics cursor {m} ahead"
            assert seqs >= set(range(1, lg + 1)), f"{entry.job_id}: logs cursor {lg} ahead"
            assert len(rows.steps) == len(steps)  # each step once
            found[entry.job_id] = (m, lg)
        return found
    finally:
        conn.close()


def test_kill_9_at_any_moment_never_leaves_a_cursor_ahead_of_its_data(tmp_path):
    path = tmp_path / "c.sqlite3"
    rng = random.Random(11)
    last: dict[str, tuple[int, int]] = {}
    for _ in range(6):
        proc = start_child(path, "a", "b")
        time.sleep(rng.uniform(0.05, 0.8))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        found = check_file(path)
        assert set(found) == {"a", "b"}
        for job_id, (m, lg) in found.items():  # each life resumed from the last one's data
            assert m >= last.get(job_id, (0, 0))[0] and lg >= last.get(job_id, (0, 0))[1]
        last = found
    assert all(m > 1000 for m, _ in last.values())


def test_two_processes_writing_the_same_file_keep_all_data(tmp_path):
    path = tmp_path / "c.sqlite3"
    open_cache(path)
    one = start_child(path, "shared", "only-one")
    two = start_child(path, "shared", "only-two")
    time.sleep(1.5)
    for proc in (one, two):
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    found = check_file(path)
    assert {"shared", "only-one", "only-two"} <= set(found)
    assert all(m > 0 and lg > 0 for m, lg in found.values())
    conn = sqlite3.connect(path)
    blocks = conn.execute(
        "SELECT first_step, last_step FROM metric_blocks "
        "WHERE job_id = 'shared' ORDER BY first_step"
    ).fetchall()
    conn.close()
    for (_, last_a), (first_b, _) in itertools.pairwise(blocks):
        assert last_a < first_b  # blocks never overlap, whoever wrote them
