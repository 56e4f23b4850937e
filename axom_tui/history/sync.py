"""HistorySync: the store's link to the cache file, on the event loop.

Read first. :meth:`HistorySync.restore_index` puts every cached run's record and result
(and, for live runs, events) in the store at start; the scheduler takes each run's
cursors from :meth:`seed`. A run's points and lines are read when it comes on screen
(:meth:`prefetch`) or before the scheduler fetches it (:meth:`ready`), on a reader
thread; the store gets them in one piece, then the fetches go on from the cursors.

Write behind. The store tells us of every change (a listener); a second later the runs
that changed are snapshot — the points from the lowest index changed, the new log
lines, the records that are new objects, and the scheduler's cursors — and handed to
the writer thread as one batch. One batch is in flight at a time: the next is cut when
the answer comes, so it also carries whatever the previous one failed to write.
Nothing is marked written until the writer says it was.

Trouble with the file never reaches the user as an exception: one notice per kind of
trouble, and the app goes on with what it holds.

The parts: :mod:`~axom_tui.history.reader` (the reader thread),
:mod:`~axom_tui.history.unwritten` (what of a run is not written yet: marks and
snapshots), :mod:`~axom_tui.history.writer` (the writer thread),
:mod:`~axom_tui.history.notices` (what the user is told).
"""

from __future__ import annotations

import asyncio
import contextvars
import sqlite3
import time
from collections.abc import Callable
from typing import Protocol

from axom_tui.api.records import Model
from axom_tui.base.sanitize import clean_text
from axom_tui.history import read
from axom_tui.history.cache import CacheFile, damage_marker
from axom_tui.history.codec import CodecError
from axom_tui.history.db import Problem, classify
from axom_tui.history.notices import WRITE_TROUBLE, Notices
from axom_tui.history.reader import Answer, Reader
from axom_tui.history.restore import merged_series, ring_from, series_from, tail_page
from axom_tui.history.snapshot import Batch, BatchResult, RunSnapshot
from axom_tui.history.unwritten import Feeds, RunMark, Sent, cut_snapshot
from axom_tui.history.writer import Writer
from axom_tui.poll.history_hook import FeedSeed
from axom_tui.poll.tail import wants_tail
from axom_tui.store.run_store import RunStore

#: Seconds from a change to its batch: a few poll rounds go together (a live run's
#: growing last block is rewritten once per batch). A crash loses at most this much,
#: which the next start fetches again.
FLUSH_DELAY = 5.0
CLOSE_TIMEOUT = 3.0


class Tracker(Protocol):
    """The part of the scheduler the cache needs (PollScheduler has it)."""

    def feed_progress(self, job_id: str) -> Feeds | None: ...

    def forget_seed(self, job_id: str) -> None: ...


class HistorySync:
    def __init__(
        self,
        store: RunStore,
        cache: CacheFile,
        *,
        log_limit: int,
        cap_bytes: int | None = None,
        flush_delay: float = FLUSH_DELAY,
        notice: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        #: The scheduler, once it runs: the cursors to write, and seeds to forget.
        self.tracker: Tracker | None = None
        self._damage_marker = damage_marker(cache.path)
        self._flush_delay = flush_delay
        #: Called when cached history went into the store (the index, or a run): the UI
        #: shows it now rather than at its next coalesced redraw.
        self.on_restored: Callable[[], None] | None = None
        self._notices = Notices(notice)
        self._clock = clock
        self._marks: dict[str, RunMark] = {}
        self._seeds: dict[str, FeedSeed] = {}
        self._dirty: set[str] = set()
        self._globals_dirty = False
        self._order_sent: tuple[str, ...] | None = None
        self._models_sent: list[Model] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._context: contextvars.Context | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._inflight: tuple[Batch, dict[str, Sent]] | None = None
        self._inflight_done: asyncio.Future[None] | None = None
        self._number = 0
        self._closed = False
        self.reading = cache.ok
        self.writing = cache.ok and cache.writable
        self._reader = Reader(cache.connect, log_limit)
        self.writer: Writer | None = None
        if self.writing:
            self.writer = Writer(cache.connect, self._from_writer, cap_bytes=cap_bytes)
        if cache.notice:
            self._notice("open", cache.notice)
        store.add_change_listener(self._on_change)

    # ------------------------------------------------------------ notices

    @property
    def notices(self) -> list[str]:
        """Every notice given so far (shown when the UI attaches)."""
        return self._notices.given

    def set_notice_handler(self, notice: Callable[[str], None]) -> None:
        self._notices.set_handler(notice)

    def _notice(self, key: str, text: str) -> None:
        self._notices.give(key, text)

    # ------------------------------------------------------------ read first

    def restore_index(self) -> None:
        """Every cached run's record and result into the store (at start, before the
        scheduler runs). A file that cannot be read: one notice, no cache."""
        if not self.reading:
            return
        try:
            conn = self._reader.connection()
            entries = read.read_index(conn)
            order = read.read_order(conn)
            models = read.read_models(conn)
            tails = {
                e.job_id: read.read_last_points(conn, e.job_id)
                for e in entries
                if e.points and wants_tail(e.job, False, False)
            }
            live_events = {
                e.job_id: read.read_events(conn, e.job_id)
                for e in entries
                if e.job is not None and not e.job.terminal
            }
        except (sqlite3.Error, CodecError) as exc:
            self._read_failed(exc)
            return
        for entry in entries:
            mark = self._marks.setdefault(entry.job_id, RunMark())
            mark.gen = entry.gen
            events = live_events.get(entry.job_id)
            self.store.restore(entry.job_id, job=entry.job, result=entry.result, events=events)
            tail = tails.get(entry.job_id)
            if tail is not None and len(tail):  # the job list's Loss cell, with no request
                self.store.apply_tail(entry.job_id, tail_page(entry.job_id, entry.job, tail))
            run = self.store.runs[entry.job_id]
            mark.job, mark.result = run.job, run.result
            mark.events = run.events if events is not None else None
            if entry.progress is not None:
                p = entry.progress
                mark.progress = p
                self._seeds[entry.job_id] = FeedSeed(
                    p.metrics_cursor,
                    p.logs_cursor,
                    p.finished,
                    recheck_job=entry.job is not None and not entry.job.terminal,
                )
        if order:
            self.store.restore_order(order)
            self._order_sent = tuple(order)
        if models is not None and not self.store.models:
            self.store.apply_models(models)
            self._models_sent = self.store.models
        self._dirty.clear()
        self._globals_dirty = False

    def seed(self, job_id: str) -> FeedSeed | None:
        seed = self._seeds.get(job_id)
        if seed is not None:
            self._marks[job_id].seeded = True
        return seed

    def prefetch(self, job_id: str) -> None:
        mark = self._marks.setdefault(job_id, RunMark())
        mark.viewed_at = self._clock()
        self._mark_dirty(job_id)
        self._start_load(job_id)

    async def ready(self, job_id: str) -> None:
        future = self._start_load(job_id)
        if future is not None and not future.done():
            await asyncio.shield(future)

    def feed_finished(self, job_id: str, kind: str) -> None:
        self._mark_dirty(job_id)

    def held(self) -> frozenset[str]:
        return frozenset(job_id for job_id, mark in self._marks.items() if mark.loaded)

    def _start_load(self, job_id: str) -> asyncio.Future[None] | None:
        mark = self._marks.setdefault(job_id, RunMark())
        if mark.loaded or mark.load is not None:
            return mark.load
        if not self.reading or mark.gen is None:  # nothing cached for it
            mark.loaded = True
            return None
        loop = self._get_loop()
        mark.load = loop.create_future()
        self._reader.load(job_id, loop, self._apply_load)
        return mark.load

    def _apply_load(self, job_id: str, cached: Answer) -> None:
        mark = self._marks[job_id]
        done, mark.loaded, mark.load = mark.load, True, None
        try:
            if isinstance(cached, BaseException):
                self._read_failed(cached)
                cached = None
            if cached is None or cached.gen != mark.gen:
                # evicted (or re-made) since the index was read: its cursors are not ours
                mark.gen = cached.gen if cached is not None else None
                if mark.seeded and self.tracker is not None:
                    self.tracker.forget_seed(job_id)
                mark.progress = None
            if cached is not None:
                self._put_in_store(job_id, cached, mark)
        finally:
            if done is not None and not done.done():
                done.set_result(None)
        if cached is not None and self.on_restored is not None:
            self.on_restored()

    def _put_in_store(self, job_id: str, cached: read.CachedRun, mark: RunMark) -> None:
        run = self.store.ensure_run(job_id)
        series = merged_series(
            series_from(cached.metrics, cached.labels, cached.bad_losses), run.metrics
        )
        ring = ring_from(cached.logs, run.logs) if cached.logs else None
        events = cached.events if cached.events is not None and not run.events else None
        self.store.restore(
            job_id, events=events, metrics=series if len(series) else None, logs=ring
        )
        if events is not None:
            mark.events = run.events
        if cached.logs:
            mark.logs_after = cached.logs[-1].seq
            mark.logs_received = run.logs.received
        if series.changed_from is not None:
            mark.metrics_from = 0
            series.changed_from = None

    def _read_failed(self, exc: BaseException) -> None:
        if classify(exc) is Problem.CORRUPT or isinstance(exc, CodecError):
            self._damaged()
            return
        self._notice(
            "read",
            f"The run cache could not be read ({type(exc).__name__}: "
            f"{str(exc)[:100]}); runs are fetched from the service.",
        )

    def _damaged(self) -> None:
        """One notice; no more reads or writes this session; rebuilt at the next start."""
        self._notice("damaged", WRITE_TROUBLE[Problem.CORRUPT])
        self.reading = self.writing = False
        self._file_damaged()

    def _file_damaged(self) -> None:
        """Leave a mark for the next start, which sets the file aside and starts anew."""
        try:
            self._damage_marker.touch()
        except OSError:
            pass

    def _get_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        return self._loop

    # ------------------------------------------------------------ write behind

    def _on_change(self, job_id: str | None, aspect: str) -> None:
        if job_id is None:
            if aspect in ("list", "models"):
                self._globals_dirty = True
                self._schedule()
            return
        if aspect != "health":
            self._mark_dirty(job_id)

    def _mark_dirty(self, job_id: str) -> None:
        self._dirty.add(job_id)
        self._schedule()

    def _schedule(self) -> None:
        if self._timer is not None or not self.writing or self._closed:
            return
        try:
            loop = self._get_loop()
        except RuntimeError:  # no loop yet (restoring before start-up): flushed later
            return
        self._timer = loop.call_later(self._flush_delay, self.flush)

    def flush(self) -> None:
        """Cut a batch of what changed and hand it to the writer (unless one is out)."""
        self._timer = None
        if not self.writing or self._inflight is not None or self.writer is None:
            return
        sent: dict[str, Sent] = {}
        snaps = []
        for job_id in sorted(self._dirty):
            snap = self._snapshot(job_id, sent)
            if snap is not None:
                snaps.append(snap)
        self._dirty.clear()
        order = models = None
        if self._globals_dirty:
            self._globals_dirty = False
            if tuple(self.store.order) != self._order_sent:
                order = tuple(self.store.order)
            if self.store.models is not self._models_sent:
                models = tuple(self.store.models)
        if not snaps and order is None and models is None:
            return
        self._number += 1
        batch = Batch(tuple(snaps), order, models, held=self.held(), number=self._number)
        self._inflight = (batch, sent)
        self._inflight_done = self._get_loop().create_future()
        self.writer.start()
        self._context = contextvars.copy_context()
        self.writer.submit(batch)

    def _snapshot(self, job_id: str, sent: dict[str, Sent]) -> RunSnapshot | None:
        run = self.store.runs.get(job_id)
        if run is None:
            return None
        mark = self._marks.setdefault(job_id, RunMark(loaded=not self.reading))
        if not mark.loaded and mark.gen is None:
            mark.loaded = True  # nothing cached: all it holds is new
        progress = None
        if mark.loaded and self.tracker is not None:
            progress = self.tracker.feed_progress(job_id)
        cut = cut_snapshot(job_id, run, mark, progress)
        if cut is None:
            return None
        snap, sent[job_id] = cut
        return snap

    def _from_writer(self, results: list[BatchResult]) -> None:
        loop = self._loop
        if loop is None:
            return
        try:
            loop.call_soon_threadsafe(self._on_results, results, context=self._context)
        except RuntimeError:  # the loop is closed
            pass

    def _on_results(self, results: list[BatchResult]) -> None:
        if self._inflight is None:
            return
        batch, sent = self._inflight
        result = next((r for r in results if r.number == batch.number), None)
        if result is None:
            return
        self._inflight = None
        if result.error is None:
            self._confirm(batch, sent, result)
        else:
            self._failed(batch, result.error)
        if self._inflight_done is not None and not self._inflight_done.done():
            self._inflight_done.set_result(None)
        if self._dirty or self._globals_dirty:
            self._schedule()

    def _confirm(self, batch: Batch, sent: dict[str, Sent], result: BatchResult) -> None:
        if batch.order is not None:
            self._order_sent = batch.order
        if batch.models is not None:
            self._models_sent = self.store.models
        for written in result.runs:
            mark = self._marks.get(written.job_id)
            what = sent.get(written.job_id)
            if mark is None or what is None:
                continue
            mark.gen = written.gen
            mark.job, mark.events, mark.result = what.job, what.events, what.result
            mark.metrics_from = None
            mark.logs_after, mark.logs_received = what.logs_after, what.logs_received
            mark.progress = what.progress
            if written.needs_full:  # someone re-made the run meanwhile: send it whole
                mark.job = mark.events = mark.result = None
                mark.metrics_from, mark.logs_after, mark.logs_received = 0, None, 0
                mark.progress = None
                self._dirty.add(written.job_id)
        for job_id in result.evicted:
            self._seeds.pop(job_id, None)
            mark = self._marks.get(job_id)
            if mark is not None:
                mark.gen, mark.progress = None, None
                mark.job = mark.events = mark.result = None
                if mark.seeded and self.tracker is not None:  # its cursors pointed at the file
                    mark.seeded = False
                    self.tracker.forget_seed(job_id)

    def _failed(self, batch: Batch, error: BaseException) -> None:
        problem = classify(error)
        if problem is Problem.CORRUPT:
            self._damaged()
            return
        text = WRITE_TROUBLE[problem]
        if problem is Problem.OTHER:
            text += f" ({type(error).__name__}: {clean_text(str(error), 100)})"
        self._notice(f"write-{problem.value}", text)
        for snap in batch.runs:  # write them again: marks only move on success
            self._dirty.add(snap.job_id)
            mark = self._marks.get(snap.job_id)
            if mark is not None and snap.viewed_at is not None and mark.viewed_at is None:
                mark.viewed_at = snap.viewed_at
        if batch.order is not None or batch.models is not None:
            self._globals_dirty = True
        if problem in (Problem.READONLY, Problem.OTHER):
            self.writing = False

    # ------------------------------------------------------------ shutdown

    async def aclose(self, timeout: float = CLOSE_TIMEOUT) -> None:
        """Write what is left (progress of every run included) and stop the threads."""
        if self._closed:
            return
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        deadline = time.monotonic() + timeout
        try:
            if self.writing and self.writer is not None:
                if self._inflight_done is not None and self._inflight is not None:
                    await asyncio.wait_for(asyncio.shield(self._inflight_done), timeout)
                self._dirty |= {job_id for job_id, mark in self._marks.items() if mark.loaded}
                self.flush()
                if self._inflight_done is not None and self._inflight is not None:
                    left = max(0.1, deadline - time.monotonic())
                    await asyncio.wait_for(asyncio.shield(self._inflight_done), left)
        except TimeoutError:
            self._notice(
                "close",
                "The run cache did not finish writing in time; the last "
                "moments are fetched again next time.",
            )
        finally:
            if self.writer is not None:
                await asyncio.to_thread(self.writer.stop, max(0.1, deadline - time.monotonic()))
            self._reader.close()
