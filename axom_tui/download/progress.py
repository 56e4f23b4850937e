"""Progress of one download as small immutable snapshots, and the tracker that makes them.

The engine bumps plain integer counters on the hot path (no clock, no allocation); a
ticker calls :meth:`ProgressTracker.tick` a few times a second to publish a
:class:`DownloadProgress`. Every state change is published at once, and every snapshot
measures the speed as of its own moment: a transfer shorter than one tick still shows
its rate, and a finished download shows its average rate.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, fields
from enum import StrEnum
from pathlib import Path
from typing import Any


class FileState(StrEnum):
    QUEUED = "queued"
    DOWNLOADING = "downloading"
    RESUMING = "resuming"
    RESIGNING = "re-signing"
    VERIFYING = "verifying"
    DONE = "done"
    FAILED = "failed"
    REFUSED = "refused"
    CANCELLED = "cancelled"


class TaskState(StrEnum):
    PREPARING = "preparing"
    DOWNLOADING = "downloading"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


FILE_FINAL = frozenset({FileState.DONE, FileState.FAILED, FileState.REFUSED, FileState.CANCELLED})
TASK_FINAL = frozenset({TaskState.DONE, TaskState.FAILED, TaskState.CANCELLED})


@dataclass(frozen=True, slots=True)
class FileProgress:
    rel: str  # as the server sent it; pass through clean_text before showing
    size: int
    done: int  # bytes on disk for this file (a resumed .part counts)
    speed: float  # bytes/s, moving average
    state: FileState
    reason: str = ""  # why failed/refused, or what a retry is waiting for


@dataclass(frozen=True, slots=True)
class DownloadTask:
    """What names a download and how it stands: the fields its progress and its outcome
    share (copied from the tracker, then from the last progress, by :func:`task_fields`)."""

    task_id: str
    model_id: str
    model_name: str
    version: str
    dest: Path | None
    state: TaskState
    reason: str  # empty while all is well, and when done


_TASK_FIELDS = tuple(f.name for f in fields(DownloadTask))


def task_fields(source: object) -> dict[str, Any]:
    """The :class:`DownloadTask` fields of ``source`` (a tracker, or a task), by name."""
    return {name: getattr(source, name) for name in _TASK_FIELDS}


@dataclass(frozen=True, slots=True)
class DownloadProgress(DownloadTask):
    files: tuple[FileProgress, ...]
    total_bytes: int
    done_bytes: int
    speed: float  # bytes/s: moving average over the last few seconds; once final, the average
    eta: float | None  # seconds, None while unknown
    files_done: int
    files_failed: int  # failed, refused or cancelled
    files_total: int
    resumes: int  # ranged requests the storage honoured with 206
    resigns: int  # manifest re-requests after an expired URL
    retries: int  # transient failures retried
    elapsed: float
    received_bytes: int = 0  # fetched over the network by this download (not what was on disk)

    @property
    def fraction(self) -> float:
        if self.total_bytes:
            return self.done_bytes / self.total_bytes
        return 1.0 if self.files_total else 0.0

    @property
    def final(self) -> bool:
        return self.state in TASK_FINAL

    @property
    def already_present(self) -> bool:
        """Done without fetching anything: every file was already there and verified."""
        return (
            self.state is TaskState.DONE
            and bool(self.files)
            and all(f.reason == ALREADY_PRESENT for f in self.files)
        )


ALREADY_PRESENT = "already present"  # a file's reason when it was there and verified
MAX_ETA = 100 * 3600.0  # beyond this an estimate says nothing: shown as unknown


class RateMeter:
    """Bytes per second over a sliding window of samples."""

    MIN_GAP = 0.05  # samples closer than this are not kept (snapshots may come in bursts)
    MIN_SPAN = 0.05  # no rate from less than this much time: one early chunk is no speed

    def __init__(self, window: float = 5.0) -> None:
        self.window = window
        self._samples: deque[tuple[float, int]] = deque()
        self.rate = 0.0

    def restart(self, now: float, count: int) -> None:
        """Measure from here on (e.g. when the transfer starts, not when it was queued)."""
        self._samples.clear()
        self._samples.append((now, count))
        self.rate = 0.0

    def sample(self, now: float, count: int) -> float:
        samples = self._samples
        if not samples or now - samples[-1][0] >= self.MIN_GAP:
            samples.append((now, count))
        while len(samples) > 2 and now - samples[1][0] >= self.window:
            samples.popleft()
        t0, c0 = samples[0]
        if now - t0 >= self.MIN_SPAN:
            self.rate = (count - c0) / (now - t0)
        return self.rate


class _FileCounter:
    __slots__ = ("rel", "size", "done", "moved", "state", "reason", "meter")

    def __init__(self, rel: str, size: int) -> None:
        self.rel = rel
        self.size = size
        self.done = 0
        self.moved = 0  # bytes received in this session (never goes down)
        self.state = FileState.QUEUED
        self.reason = ""
        self.meter = RateMeter()

    def add(self, n: int) -> None:
        self.done += n
        self.moved += n


ProgressCallback = Callable[[DownloadProgress], None]


class ProgressTracker:
    """Mutable counters for one download; publishes immutable snapshots."""

    def __init__(
        self,
        task_id: str,
        emit: ProgressCallback | None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.task_id = task_id
        self._emit = emit
        self._clock = clock
        self._started = clock()
        self.model_id = ""
        self.model_name = ""
        self.version = ""
        self.dest: Path | None = None
        self.state = TaskState.PREPARING
        self.reason = ""
        self.files: list[_FileCounter] = []
        self.resumes = 0
        self.resigns = 0
        self.retries = 0
        self._meter = RateMeter()
        self._meter.restart(self._started, 0)
        self._transfer_started = self._started
        self._finished_at: float | None = None
        self._last_key: tuple[int, float] | None = None
        self.latest: DownloadProgress | None = None

    # ---------------------------------------------------------------- setup

    def set_model(self, model_id: str, name: str, version: str, dest: Path | None) -> None:
        self.model_id, self.model_name, self.version, self.dest = model_id, name, version, dest

    def add_file(self, rel: str, size: int) -> _FileCounter:
        counter = _FileCounter(rel, size)
        counter.meter.restart(self._clock(), 0)
        self.files.append(counter)
        return counter

    # ---------------------------------------------------------------- changes

    def set_task_state(self, state: TaskState, reason: str = "") -> None:
        if (state, reason) != (self.state, self.reason):
            now = self._clock()
            if state is TaskState.DOWNLOADING and self.state is TaskState.PREPARING:
                # the rate counts from the first transfer, not from the model lookup
                self._transfer_started = now
                self._meter.restart(now, self._moved())
            if state in TASK_FINAL and self._finished_at is None:
                self._finished_at = now
            self.state, self.reason = state, reason
            self.publish()

    def set_file_state(self, counter: _FileCounter, state: FileState, reason: str = "") -> None:
        if (state, reason) != (counter.state, counter.reason):
            if (
                state in (FileState.DOWNLOADING, FileState.RESUMING)
                and counter.state is FileState.QUEUED
            ):
                counter.meter.restart(self._clock(), counter.moved)
            counter.state, counter.reason = state, reason
            self.publish()

    def _moved(self) -> int:
        return sum(f.moved for f in self.files)

    def _sample(self, now: float) -> float:
        for f in self.files:
            f.meter.sample(now, f.moved)
        return self._meter.sample(now, self._moved())

    def tick(self) -> None:
        """Publish if anything visible moved."""
        speed = self._sample(self._clock())
        key = (sum(min(f.done, f.size) for f in self.files), round(speed))
        if key != self._last_key:
            self.publish()

    # ---------------------------------------------------------------- output

    def snapshot(self) -> DownloadProgress:
        now = self._clock()
        speed = self._sample(now)
        files = tuple(
            FileProgress(
                f.rel,
                f.size,
                f.done,
                f.meter.rate if f.state not in FILE_FINAL else 0.0,
                f.state,
                f.reason,
            )
            for f in self.files
        )
        total = sum(f.size for f in files)
        done = sum(min(f.done, f.size) for f in files)
        moved = self._moved()
        active = self.state not in TASK_FINAL
        if not active:  # the average over the whole transfer
            span = (self._finished_at or now) - self._transfer_started
            speed = moved / span if span > 0 else 0.0
        eta = (total - done) / speed if active and speed > 0 else None
        if eta is not None and eta > MAX_ETA:
            eta = None
        return DownloadProgress(
            **task_fields(self),
            files=files,
            total_bytes=total,
            done_bytes=done,
            speed=speed,
            eta=0.0 if self.state is TaskState.DONE else eta,
            files_done=sum(f.state is FileState.DONE for f in files),
            files_failed=sum(
                f.state in (FileState.FAILED, FileState.REFUSED, FileState.CANCELLED) for f in files
            ),
            files_total=len(files),
            resumes=self.resumes,
            resigns=self.resigns,
            retries=self.retries,
            elapsed=now - self._started,
            received_bytes=moved,
        )

    def publish(self) -> None:
        snap = self.snapshot()
        self.latest = snap
        self._last_key = (snap.done_bytes, round(snap.speed))
        if self._emit is not None:
            try:
                self._emit(snap)
            except Exception:  # a faulty renderer must not break the download
                pass
