"""DownloadManager: start, follow and cancel model downloads (several at once).

A download is an asyncio task: find the run's model through ``/models`` lineage, get the
manifest, refuse unsafe names, check free space, then fetch files in parallel (capped),
each one resumable, re-signed on 403 and verified before it takes its final name.
"""

from __future__ import annotations

import asyncio
import os
import random
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from axom_tui.api.client import AxomClient
from axom_tui.api.errors import AxomError, NotFoundError, RateLimitedError
from axom_tui.api.records import Manifest, Model
from axom_tui.base.sanitize import clean_text
from axom_tui.base.units import human_bytes
from axom_tui.download import files, storage, transfer
from axom_tui.download.dest_lock import LOCK_NAME, DestLock
from axom_tui.download.errors import DownloadError, NoModelError
from axom_tui.download.filejob import FileJob, RetryPolicy
from axom_tui.download.outcome import DownloadOutcome, FileOutcome, build_outcome, verdict
from axom_tui.download.progress import (
    FILE_FINAL,
    TASK_FINAL,
    DownloadProgress,
    FileState,
    ProgressCallback,
    ProgressTracker,
    TaskState,
)
from axom_tui.download.safe_paths import SafeTarget, UnsafePathError, plan_targets, safe_folder_name
from axom_tui.download.signer import ManifestSigner

T = TypeVar("T")
DEFAULT_CHUNK_SIZE = transfer.BUFFER_BYTES
_RNG = random.Random()


class DownloadTask:
    """Handle on one running download: progress, outcome, cancel."""

    def __init__(
        self, task_id: str, target: str | Model, dest: Path | None, tracker: ProgressTracker
    ) -> None:
        self.id = task_id
        self.target = target
        self.requested_dest = dest
        self.tracker = tracker
        self.error: Exception | None = None  # set when an internal error ended the download
        self._task: asyncio.Task[DownloadOutcome] | None = None

    def __repr__(self) -> str:
        return f"DownloadTask(id={self.id!r}, state={self.tracker.state.value!r})"

    @property
    def progress(self) -> DownloadProgress:
        return self.tracker.latest or self.tracker.snapshot()

    @property
    def done(self) -> bool:
        return self._task is not None and self._task.done()

    @property
    def outcome(self) -> DownloadOutcome | None:
        if self._task is None or not self._task.done():
            return None
        if self._task.cancelled():
            return _cancelled_outcome(self.tracker)
        return self._task.result()

    def cancel(self) -> bool:
        """Ask the download to stop; .part files stay for a later resume."""
        if self._task is None or self._task.done():
            return False
        return self._task.cancel()

    async def wait(self) -> DownloadOutcome:
        assert self._task is not None
        await asyncio.wait({self._task})
        outcome = self.outcome
        assert outcome is not None
        return outcome


class DownloadManager:
    """Downloads trained models to local folders. Create once; ``aclose()`` at exit."""

    def __init__(
        self,
        client: AxomClient,
        *,
        max_parallel_files: int = 3,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        max_attempts: int = 8,
        on_progress: ProgressCallback | None = None,
        progress_interval: float = 0.25,
        stall_timeout: float = storage.DEFAULT_STALL_TIMEOUT,
        max_resigns: int = 3,
        backoff_base: float = 0.5,
        backoff_cap: float = 20.0,
        base_dir: Path | None = None,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        if max_parallel_files < 1 or max_attempts < 1 or chunk_size < 1:
            raise ValueError("max_parallel_files, max_attempts and chunk_size must be >= 1")
        self.client = client
        self.max_parallel_files = max_parallel_files
        self.on_progress = on_progress
        self.progress_interval = progress_interval
        self.base_dir = base_dir
        self.stall_timeout = stall_timeout
        self.chunk_size = chunk_size
        self.policy = RetryPolicy(
            max_attempts=max_attempts,
            max_resigns=max_resigns,
            backoff_base=backoff_base,
            backoff_cap=backoff_cap,
        )
        self._sleep = sleep
        self.tasks: dict[str, DownloadTask] = {}
        self._active_dests: set[Path] = set()

    async def aclose(self) -> None:
        for task in list(self.tasks.values()):
            task.cancel()
        pending = [t._task for t in self.tasks.values() if t._task is not None]
        if pending:
            await asyncio.wait(pending)

    async def __aenter__(self) -> DownloadManager:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # ------------------------------------------------------------ public API

    async def find_model_for_job(self, job_id: str) -> Model:
        """The model a run produced (newest if several); :class:`NoModelError` when none."""
        try:
            models = await self._api(self.client.list_models)
        except AxomError as exc:
            raise DownloadError(f"cannot list models: {clean_text(exc)}") from None
        matches = [m for m in models if m.job_id == job_id]
        if matches:
            ready = [m for m in matches if m.status in ("ready", "")]
            return (ready or matches)[0]
        by_id = [m for m in models if m.id == job_id]
        if by_id:
            return by_id[0]
        shown = clean_text(job_id, 80)
        try:
            job = await self._api(self.client.get_job, job_id)
        except NotFoundError:
            raise NoModelError(f"no run or model with id {shown}") from None
        except AxomError as exc:
            raise NoModelError(
                f"no model lists run {shown}, and the run cannot be read: {clean_text(exc)}"
            ) from None
        if job.status != "completed":
            raise NoModelError(
                f"run {shown} is {clean_text(job.status, 40)}; its model can be "
                "downloaded once the run has completed"
            )
        raise NoModelError(
            f"run {shown} has completed but no model is listed for it yet; try again in a moment"
        )

    def start(self, target: str | Model, dest: Path | None = None) -> DownloadTask:
        """Start downloading the model of run ``target`` (a job id) or ``target`` (a Model)."""
        task_id = uuid.uuid4().hex[:12]
        tracker = ProgressTracker(task_id, self.on_progress)
        handle = DownloadTask(task_id, target, dest, tracker)
        handle._task = asyncio.get_running_loop().create_task(
            self._run(handle), name=f"axom-download-{task_id}"
        )
        self.tasks[task_id] = handle
        return handle

    def cancel(self, task_id: str) -> bool:
        task = self.tasks.get(task_id)
        return task.cancel() if task is not None else False

    @property
    def running(self) -> list[DownloadTask]:
        """Downloads not finished yet (stopping them leaves .part files to resume from)."""
        return [t for t in self.tasks.values() if not t.done]

    def finished_copy(self, model_id: str) -> DownloadTask | None:
        """The latest download of ``model_id`` that completed and whose files are all still
        where it put them, at their sizes (``d`` again then has nothing to do)."""
        for task in reversed(list(self.tasks.values())):
            p = task.progress
            if not task.done or p.state is not TaskState.DONE or p.model_id != model_id:
                continue
            if p.dest is not None and all(
                files.existing_size(p.dest / f.rel) == f.size for f in p.files
            ):
                return task
        return None

    async def download(self, target: str | Model, dest: Path | None = None) -> DownloadOutcome:
        """Start a download and wait for its outcome (cancelling this await cancels it)."""
        task = self.start(target, dest)
        try:
            return await task.wait()
        except asyncio.CancelledError:
            task.cancel()
            assert task._task is not None  # start() made it
            await asyncio.wait({task._task})
            raise

    # ------------------------------------------------------------ one download

    async def _run(self, handle: DownloadTask) -> DownloadOutcome:
        tracker = handle.tracker
        tracker.publish()
        ticker = asyncio.create_task(self._tick(tracker))
        targets: list[Path | None] = []
        locked: Path | None = None
        lock: DestLock | None = None
        try:
            model = (
                handle.target
                if isinstance(handle.target, Model)
                else await self.find_model_for_job(str(handle.target))
            )
            manifest = await self._manifest(model.id)
            name = manifest.name or model.name
            version = manifest.version or model.version
            dest = self._dest(handle.requested_dest, name, version, model.id)
            tracker.set_model(model.id, name, version, dest)
            if dest in self._active_dests:
                raise DownloadError(f"another download is already writing into {dest}")
            self._active_dests.add(dest)
            locked = dest
            lock = DestLock(dest)  # and no other process either
            lock.acquire()
            jobs, targets = self._plan(tracker, manifest, dest)
            self._check_space(jobs, dest)
            tracker.set_task_state(TaskState.DOWNLOADING)
            semaphore = asyncio.Semaphore(self.max_parallel_files)

            async def one(job: FileJob) -> None:
                async with semaphore:
                    await job.run()

            async with asyncio.TaskGroup() as group:
                for job in jobs:
                    group.create_task(one(job))
            self._finish(tracker)
        except asyncio.CancelledError:
            self._stop_files(tracker, FileState.CANCELLED, "cancelled")
            tracker.set_task_state(TaskState.CANCELLED, "cancelled")
        except DownloadError as exc:
            self._stop_files(tracker, FileState.FAILED, "not started")
            tracker.set_task_state(TaskState.FAILED, str(exc))
        except Exception as exc:  # a bug must end this download, not the program
            handle.error = exc
            self._stop_files(tracker, FileState.FAILED, "stopped by an internal error")
            tracker.set_task_state(TaskState.FAILED, f"internal error ({type(exc).__name__})")
        finally:
            ticker.cancel()
            if lock is not None:
                lock.release()
            if locked is not None:
                self._active_dests.discard(locked)
        return build_outcome(
            tracker.latest or tracker.snapshot(), targets, sum(f.moved for f in tracker.files)
        )

    def _dest(self, requested: Path | None, name: str, version: str, model_id: str) -> Path:
        if requested is None:
            label = f"{name}-{version}" if version else name
            folder = safe_folder_name(label, f"model-{model_id[:8]}")
            requested = (self.base_dir or Path.cwd()) / folder
        dest = Path(os.path.abspath(Path(requested).expanduser()))
        try:
            dest.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise DownloadError(f"cannot create {dest}: {reason}") from None
        if not dest.is_dir():
            raise DownloadError(f"{dest} is not a folder")
        return dest.resolve()

    def _plan(
        self, tracker: ProgressTracker, manifest: Manifest, dest: Path
    ) -> tuple[list[FileJob], list[Path | None]]:
        signer = ManifestSigner(manifest, lambda: self._manifest(manifest.model_id), tracker)
        jobs: list[FileJob] = []
        paths: list[Path | None] = []
        planned_all = plan_targets(dest, [f.rel for f in manifest.files])
        for entry, planned in zip(manifest.files, planned_all):
            counter = tracker.add_file(entry.rel, entry.size)
            if not isinstance(planned, UnsafePathError) and planned.parts == (LOCK_NAME,):
                planned = UnsafePathError("the name of axom-tui's lock file")
            if isinstance(planned, UnsafePathError):
                counter.state, counter.reason = FileState.REFUSED, planned.reason
                paths.append(None)
                continue
            paths.append(planned.final)
            jobs.append(
                FileJob(
                    planned,
                    entry.size,
                    counter,
                    tracker,
                    signer,
                    self.policy,
                    self._sleep,
                    self.stall_timeout,
                    self.chunk_size,
                )
            )
        tracker.publish()
        return jobs, paths

    @staticmethod
    def _check_space(jobs: list[FileJob], dest: Path) -> None:
        need = sum(_still_needed(job.target, job.size) for job in jobs)
        free = files.free_bytes(dest)
        if need > free:
            raise DownloadError(
                f"not enough disk space in {dest}: {human_bytes(need)} still "
                f"needed, {human_bytes(free)} free"
            )

    def _finish(self, tracker: ProgressTracker) -> None:
        state, reason = verdict(
            tuple(FileOutcome(f.rel, f.size, f.state, f.reason, None) for f in tracker.files)
        )
        tracker.set_task_state(state, reason)

    @staticmethod
    def _stop_files(tracker: ProgressTracker, state: FileState, reason: str) -> None:
        for counter in tracker.files:
            if counter.state not in FILE_FINAL:
                counter.state, counter.reason = state, reason

    async def _tick(self, tracker: ProgressTracker) -> None:
        while tracker.state not in TASK_FINAL:
            await asyncio.sleep(self.progress_interval)
            tracker.tick()

    async def _manifest(self, model_id: str) -> Manifest:
        try:
            return await self._api(self.client.get_manifest, model_id)
        except AxomError as exc:
            raise DownloadError(f"cannot get the download manifest: {clean_text(exc)}") from None

    async def _api(self, call: Callable[..., Awaitable[T]], *args: Any) -> T:
        """An API call, waiting out 429s and retrying transient errors up to the policy bound."""
        attempt = 0
        while True:
            try:
                return await call(*args)
            except AxomError as exc:
                attempt += 1
                if not exc.transient or attempt >= self.policy.max_attempts:
                    raise
                delay = self.policy.backoff(attempt, _RNG)
                if isinstance(exc, RateLimitedError):
                    delay = min(self.policy.retry_after_cap, max(delay, exc.retry_after))
                await self._sleep(delay)


def _still_needed(target: SafeTarget, size: int) -> int:
    if files.existing_size(target.final) == size:
        return 0
    part = files.existing_size(target.part)
    return size - part if part is not None and part <= size else size


def _cancelled_outcome(tracker: ProgressTracker) -> DownloadOutcome:
    DownloadManager._stop_files(tracker, FileState.CANCELLED, "cancelled")
    tracker.set_task_state(TaskState.CANCELLED, "cancelled")
    received = sum(f.moved for f in tracker.files)
    return build_outcome(tracker.latest or tracker.snapshot(), [], received)
