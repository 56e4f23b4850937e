"""What a finished download amounts to: per-file results and one verdict."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from axom_tui.download.progress import (
    ALREADY_PRESENT,
    DownloadProgress,
    DownloadTask,
    FileState,
    TaskState,
    task_fields,
)


@dataclass(frozen=True, slots=True)
class FileOutcome:
    rel: str  # as the server sent it; pass through clean_text before showing
    size: int
    state: FileState  # done, failed, refused or cancelled (queued if never started)
    reason: str
    path: Path | None  # the final file, when state is done


@dataclass(frozen=True, slots=True)
class DownloadOutcome(DownloadTask):
    """A finished download: its state is done, failed or cancelled."""

    files: tuple[FileOutcome, ...]
    total_bytes: int
    received_bytes: int  # fetched over the network in this run
    elapsed: float
    resumes: int
    resigns: int
    retries: int

    @property
    def ok(self) -> bool:
        """True only when every file is complete and verified under its final name."""
        return self.state is TaskState.DONE

    @property
    def already_present(self) -> bool:
        """Done without fetching anything: every file was already there and verified."""
        return self.ok and bool(self.files) and all(f.reason == ALREADY_PRESENT for f in self.files)

    @property
    def completed(self) -> tuple[FileOutcome, ...]:
        return tuple(f for f in self.files if f.state is FileState.DONE)

    @property
    def refused(self) -> tuple[FileOutcome, ...]:
        return tuple(f for f in self.files if f.state is FileState.REFUSED)

    @property
    def failed(self) -> tuple[FileOutcome, ...]:
        return tuple(f for f in self.files if f.state not in (FileState.DONE, FileState.REFUSED))


def verdict(files: tuple[FileOutcome, ...]) -> tuple[TaskState, str]:
    """Overall state and reason from the files' final states."""
    if not files:
        return TaskState.FAILED, "the manifest lists no files"
    refused = sum(f.state is FileState.REFUSED for f in files)
    cancelled = sum(f.state is FileState.CANCELLED for f in files)
    bad = len(files) - refused - cancelled - sum(f.state is FileState.DONE for f in files)
    if not refused and not bad and not cancelled:
        return TaskState.DONE, ""
    parts = []
    if refused:
        parts.append(f"{refused} file{'s' if refused != 1 else ''} refused (unsafe name)")
    if bad:
        parts.append(f"{bad} file{'s' if bad != 1 else ''} failed")
    if cancelled:
        parts.append(f"{cancelled} cancelled")
    only_cancelled = cancelled and not bad and not refused
    return (TaskState.CANCELLED if only_cancelled else TaskState.FAILED), "; ".join(parts)


def build_outcome(
    snap: DownloadProgress, paths: list[Path | None], received: int
) -> DownloadOutcome:
    files = tuple(
        FileOutcome(
            rel=f.rel,
            size=f.size,
            state=f.state,
            reason=f.reason,
            path=paths[i] if f.state is FileState.DONE and i < len(paths) else None,
        )
        for i, f in enumerate(snap.files)
    )
    return DownloadOutcome(
        **task_fields(snap),
        files=files,
        total_bytes=snap.total_bytes,
        received_bytes=received,
        elapsed=snap.elapsed,
        resumes=snap.resumes,
        resigns=snap.resigns,
        retries=snap.retries,
    )
