"""Bundles: chosen runs in one self-contained file, for offline viewing or a colleague.

A bundle has the cache's layout (``meta.kind = 'bundle'``): `axom-tui open` reads it
like a cache. Making one starts from what the account's cache holds, fetches only what
comes after its cursors (a finished run complete in the cache costs no request), writes
what it fetched back to the cache too, and writes the bundle to a temporary file that
is renamed into place when whole. The bundle is in rollback-journal mode (one file, no
``-wal``), so it can be opened read-only from anywhere, and holds no key.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from axom_tui.api.records import is_terminal
from axom_tui.history import db
from axom_tui.history.cache import open_cache
from axom_tui.history.codec import LabelRuns
from axom_tui.history.restore import labels_of, rows_of
from axom_tui.history.schema import ensure_schema
from axom_tui.history.snapshot import Batch, Progress, RunSnapshot
from axom_tui.history.sync import HistorySync
from axom_tui.history.write import write_batch
from axom_tui.poll.feeds import RunTrack, rewind_metrics_cursor
from axom_tui.poll.fetch import FeedFetcher, PollClient
from axom_tui.poll.policy import PollPolicy
from axom_tui.store.health import FeedKey
from axom_tui.store.run_store import RunStore
from axom_tui.store.vocab import FeedKind

BUNDLE_LOG_CAP = 5_000_000  # every line the cache or the service holds


@dataclass(frozen=True, slots=True)
class BundleProgress:
    job_id: str
    name: str
    index: int  # 1-based run number
    runs: int
    feed: str
    done: int  # steps (metrics) or lines (logs) held so far
    total: int | None  # the run's latest step, when known
    requests: int


@dataclass(frozen=True, slots=True)
class BundleReport:
    path: Path
    runs: int
    points: int
    log_lines: int
    requests: int
    bytes: int


class _Tracks:
    """The cache's view of where each run's feeds stand (the scheduler's job elsewhere)."""

    def __init__(self) -> None:
        self.tracks: dict[str, RunTrack] = {}
        self.finished: dict[str, set[str]] = {}

    def feed_progress(self, job_id: str) -> tuple[int | None, int | None, frozenset[str]] | None:
        track = self.tracks.get(job_id)
        if track is None:
            return None
        return track.metrics_cursor, track.logs_cursor, frozenset(self.finished.get(job_id, ()))

    def forget_seed(self, job_id: str) -> None:
        """Fetched whole below when the cache turns out not to hold it."""
        self.finished.pop(job_id, None)
        track = self.tracks.get(job_id)
        if track is not None:
            track.metrics_cursor = track.logs_cursor = None


async def make_bundle(
    client: PollClient,
    job_ids: Sequence[str],
    out: Path,
    *,
    cache_path: Path | None = None,
    origin: str = "",
    on_progress: Callable[[BundleProgress], None] | None = None,
) -> BundleReport:
    """Fetch what the cache lacks of ``job_ids`` and write them to ``out``."""
    store = RunStore(log_cap=BUNDLE_LOG_CAP)
    tracks = _Tracks()
    history = None
    if cache_path is not None:
        history = HistorySync(
            store, open_cache(cache_path, origin=origin), log_limit=BUNDLE_LOG_CAP, flush_delay=0.2
        )
        history.tracker = tracks
        history.restore_index()
    fetcher = FeedFetcher(client, store, PollPolicy(), history)
    requests = 0

    def report(index: int, job_id: str, feed: str) -> None:
        if on_progress is None:
            return
        run = store.runs.get(job_id)
        job = run.job if run is not None else None
        done = (
            len(run.metrics)
            if run is not None and feed == "metrics"
            else (run.logs.received if run is not None else 0)
        )
        total = job.latest_step if job is not None and feed == "metrics" else None
        name = job.display_name if job is not None else job_id[:8]
        on_progress(BundleProgress(job_id, name, index, len(job_ids), feed, done, total, requests))

    try:
        for index, job_id in enumerate(job_ids, 1):
            seed = history.seed(job_id) if history is not None else None
            if history is not None:
                await history.ready(job_id)
            run = store.ensure_run(job_id)
            cached_job = run.job
            track = RunTrack(
                job_id,
                cached_job.status if cached_job else None,
                cached_job.retries if cached_job else None,
                metrics_cursor=run.metrics.last_step,
                logs_cursor=run.logs.last_seq,
            )
            finished: set[str] = set()
            if seed is not None:
                track.metrics_cursor, track.logs_cursor = seed.metrics_cursor, seed.logs_cursor
                track.unwatched = True
                finished = set(seed.finished)
            tracks.tracks[job_id] = track
            tracks.finished[job_id] = finished
            report(index, job_id, "job")
            cached_terminal = cached_job is not None and is_terminal(cached_job.status)
            if not (cached_terminal and finished >= {"metrics", "logs", "events"}):
                await fetcher.fetch(FeedKey(FeedKind.JOB, job_id), track)  # a live run moves on
                requests += 1
            job = store.runs[job_id].job
            terminal = job is not None and is_terminal(job.status)
            if job is not None:
                rewind_metrics_cursor(track, job.latest_step, job.retries, run.events)
            for kind in (FeedKind.EVENTS, FeedKind.METRICS, FeedKind.LOGS, FeedKind.RESULT):
                if terminal and kind in finished:
                    continue
                if kind == "result" and (job is None or job.status != "completed"):
                    continue
                while True:
                    outcome = await fetcher.fetch(FeedKey(kind, job_id), track)
                    requests += 1
                    report(index, job_id, kind)
                    if not outcome.more_waiting:
                        break
                if terminal and (kind != "result" or outcome.result_found):
                    finished.add(kind)
            report(index, job_id, "done")
        size = write_bundle(store, list(job_ids), tracks, out, origin=origin)
    finally:
        if history is not None:
            for job_id in job_ids:
                history.feed_finished(job_id, "bundle")  # what was fetched goes to the cache
            await history.aclose()
    runs = [store.runs[j] for j in job_ids]
    return BundleReport(
        out,
        len(runs),
        sum(len(r.metrics) for r in runs),
        sum(len(r.logs) for r in runs),
        requests,
        size,
    )


def write_bundle(
    store: RunStore, job_ids: list[str], tracks: _Tracks | None, out: Path, *, origin: str = ""
) -> int:
    """Write the store's runs ``job_ids`` to a new bundle file ``out``; return its size."""
    out = out.expanduser()
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    os.close(fd)
    temp = Path(temp_name)
    try:
        conn = db.connect(temp)
        try:
            ensure_schema(conn, kind="bundle", origin=origin)
            snaps = []
            for job_id in job_ids:
                run = store.runs[job_id]
                progress = tracks.feed_progress(job_id) if tracks is not None else None
                rows = rows_of(run.metrics) if len(run.metrics) else None
                labels: LabelRuns | None = labels_of(run.metrics) if len(run.metrics) else None
                snaps.append(
                    RunSnapshot(
                        job_id,
                        job=run.job,
                        events=tuple(run.events) if run.events else None,
                        result=run.result,
                        labels=labels,
                        metrics=rows,
                        complete=True,
                        logs=tuple(run.logs),
                        progress=Progress(*progress) if progress is not None else None,
                        viewed_at=0.0,
                    )
                )
            wanted = set(job_ids)
            models = tuple(m for m in store.models if m.job_id in wanted)
            write_batch(conn, Batch(tuple(snaps), order=tuple(job_ids), models=models or None), 0.0)
            conn.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            conn.execute("VACUUM")
        finally:
            conn.close()
        temp.chmod(0o644)  # made to be handed on; it holds no key
        temp.replace(out)
    except BaseException:
        for path in db.companions(temp):
            path.unlink(missing_ok=True)
        raise
    return out.stat().st_size


def is_bundle(path: Path) -> bool:
    """Whether ``path`` is a file of ours (a bundle or a cache)."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            from axom_tui.history.schema import APPLICATION_ID

            return bool(conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID)
        finally:
            conn.close()
    except sqlite3.Error:
        return False
