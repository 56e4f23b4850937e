"""The writer thread: batches from the event loop, written behind it.

The thread owns its own connection. It sleeps on a queue until a batch comes, takes
every batch waiting (they become one transaction), writes, and reports the outcome
through ``on_result`` (called on the writer thread: the caller hops back to its loop).
The loop never waits for it, so a slow disk or a lock held by another process never
stalls a frame.

A failed transaction leaves the file as it was; the loop is told, keeps what it sent
as still unwritten and sends it again with the next batch. While the file is locked
by another process or the disk is full, the writer waits a little longer each time
before trying again (up to a minute). Any other exception (a bug: data the codec
cannot take) fails the batch the same way, and the loop stops writing with one notice.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import replace

from axom_tui.history.db import Problem, classify
from axom_tui.history.snapshot import Batch, BatchResult, RunSnapshot
from axom_tui.history.write import evict, write_batch

RETRY_FIRST, RETRY_CAP = 1.0, 60.0
_STOP = object()


def combine(batches: list[Batch]) -> Batch:
    """Several batches as one (later snapshots of a run after earlier ones)."""
    if len(batches) == 1:
        return batches[0]
    runs: list[RunSnapshot] = []
    order = models = None
    held: frozenset[str] = frozenset()
    for batch in batches:
        runs.extend(batch.runs)
        order = batch.order if batch.order is not None else order
        models = batch.models if batch.models is not None else models
        held = batch.held
    return replace(batches[-1], runs=tuple(runs), order=order, models=models, held=held)


class Writer:
    def __init__(
        self,
        connect: Callable[[], sqlite3.Connection],
        on_result: Callable[[list[BatchResult]], None],
        *,
        cap_bytes: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._connect = connect
        self._on_result = on_result
        self.cap_bytes = cap_bytes
        self._clock = clock
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._conn: sqlite3.Connection | None = None
        self._idle = threading.Event()
        self._idle.set()
        self._pending = 0
        self._lock = threading.Lock()
        #: Seconds to wait before the next attempt after a failure (0: none failed).
        self.retry_delay = 0.0

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="run-cache-writer", daemon=True)
            self._thread.start()

    def submit(self, batch: Batch) -> None:
        with self._lock:
            self._pending += 1
            self._idle.clear()
        self._queue.put(batch)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until every submitted batch was written or failed (tests, shutdown)."""
        return self._idle.wait(timeout)

    def stop(self, timeout: float | None = 5.0) -> bool:
        """Write what is queued (within ``timeout``), then end the thread."""
        thread = self._thread
        if thread is None:
            return True
        self._queue.put(_STOP)
        thread.join(timeout)
        return not thread.is_alive()

    # ------------------------------------------------------------ the thread

    def _run(self) -> None:
        try:
            while True:
                item = self._queue.get()
                items = [item]
                while True:
                    try:
                        items.append(self._queue.get_nowait())
                    except queue.Empty:
                        break
                stop = any(i is _STOP for i in items)
                batches = [i for i in items if isinstance(i, Batch)]
                if batches:
                    self._write(batches)
                if stop:
                    return
                if self.retry_delay:  # a failure: let the trouble pass before the next try
                    time.sleep(self.retry_delay)
        finally:
            if self._conn is not None:
                try:  # leave a small file behind (the WAL folded in), if no one is reading
                    self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                except sqlite3.Error:
                    pass
                try:
                    self._conn.close()
                except sqlite3.Error:
                    pass
                self._conn = None
            self._idle.set()

    def _write(self, batches: list[Batch]) -> None:
        batch = combine(batches)
        results: list[BatchResult]
        try:
            if self._conn is None:
                self._conn = self._connect()
            result = write_batch(self._conn, batch, self._clock())
            if self.cap_bytes is not None:
                result = replace(
                    result, evicted=tuple(evict(self._conn, self.cap_bytes, batch.held))
                )
            self.retry_delay = 0.0
            results = [replace(result, number=b.number) for b in batches]
        except (sqlite3.Error, OSError) as exc:
            problem = classify(exc)
            if problem in (Problem.LOCKED, Problem.FULL, Problem.IO):
                self.retry_delay = min(RETRY_CAP, max(RETRY_FIRST, self.retry_delay * 2))
            if problem is Problem.CORRUPT and self._conn is not None:
                self._conn.close()
                self._conn = None
            results = [BatchResult(b.number, error=exc) for b in batches]
        except Exception as exc:  # a bug of ours (a record the codec cannot take): the
            # loop is told, says so once and stops writing; the thread must not just end
            results = [BatchResult(b.number, error=exc) for b in batches]
        with self._lock:
            self._pending -= len(batches)
            self._pending = max(0, self._pending)
        try:
            self._on_result(results)
        finally:
            with self._lock:
                if self._pending == 0:
                    self._idle.set()
