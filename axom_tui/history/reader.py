"""The reader thread: one run's cached history read off the event loop.

One thread and one connection of its own (in WAL mode a read never waits for a writer).
The answer — the run, or the exception that stopped the read — always goes back to the
loop, in the context the request came from (Textual keeps its app there), so a caller
waiting for a run never waits forever.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import sqlite3
from collections.abc import Callable

from axom_tui.history import read

Answer = read.CachedRun | None | BaseException


class Reader:
    def __init__(self, connect: Callable[[], sqlite3.Connection], log_limit: int) -> None:
        self._connect = connect
        self.log_limit = log_limit
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._conn: sqlite3.Connection | None = None

    def connection(self) -> sqlite3.Connection:
        """The reading connection (made on first use; the index is read on the loop at
        start, runs on the thread after)."""
        if self._conn is None:
            self._conn = self._connect()
        return self._conn

    def load(
        self,
        job_id: str,
        loop: asyncio.AbstractEventLoop,
        on_answer: Callable[[str, Answer], None],
    ) -> None:
        """Read ``job_id``'s history on the thread; ``on_answer(job_id, answer)`` is
        called on ``loop``."""
        context = contextvars.copy_context()
        if self._pool is None:
            self._pool = concurrent.futures.ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="run-cache-reader"
            )
        self._pool.submit(self._read, job_id, loop, on_answer, context)

    def _read(
        self,
        job_id: str,
        loop: asyncio.AbstractEventLoop,
        on_answer: Callable[[str, Answer], None],
        context: contextvars.Context,
    ) -> None:
        try:
            answer: Answer = read.read_run(self.connection(), job_id, self.log_limit)
        except Exception as exc:  # sqlite3.Error, CodecError, or a bug: never a lost answer
            answer = exc
        try:
            loop.call_soon_threadsafe(on_answer, job_id, answer, context=context)
        except RuntimeError:  # the loop is closed: the app is gone
            pass

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if self._pool is not None:
            if conn is not None:
                self._pool.submit(conn.close)  # on the thread that last used it
            self._pool.shutdown(wait=False)
        elif conn is not None:
            conn.close()
