"""One manifest file from queued to done/failed: resume, re-sign, retry, verify, publish."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from axom_tui.api.records import ManifestFile
from axom_tui.download import files, storage, transfer
from axom_tui.download.errors import (
    CorruptError,
    DiskFullError,
    FatalFileError,
    RestartError,
    TransientError,
    UrlExpiredError,
)
from axom_tui.download.progress import ALREADY_PRESENT, FileState, ProgressTracker, _FileCounter
from axom_tui.download.safe_paths import SafeTarget, UnsafePathError

# An attempt that moved at least this much resets the failure count: a long file on a
# flaky link keeps going as long as each connection gets somewhere.
PROGRESS_RESETS_FAILURES = 1 << 20


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 8  # consecutive failed attempts (without real progress) per file
    max_resigns: int = 3  # consecutive 403s right after a fresh manifest
    backoff_base: float = 0.5
    backoff_cap: float = 20.0
    retry_after_cap: float = 120.0

    def backoff(self, failures: int, rng: random.Random) -> float:
        delay = min(self.backoff_cap, self.backoff_base * 2.0 ** max(0, failures - 1))
        return delay * (0.5 + rng.random() / 2)


class Signer(Protocol):
    """Gives the current manifest entry for a rel and renews the links when they expire."""

    def current(self, rel: str) -> tuple[ManifestFile, int]: ...

    async def resign(self, generation: int) -> None: ...


@dataclass(slots=True)
class FileJob:
    target: SafeTarget
    size: int
    counter: _FileCounter
    tracker: ProgressTracker
    signer: Signer
    policy: RetryPolicy
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep
    stall_timeout: float = storage.DEFAULT_STALL_TIMEOUT
    chunk_size: int = transfer.BUFFER_BYTES  # the most one read takes off the socket
    rng: random.Random = field(default_factory=random.Random)

    def _state(self, state: FileState, reason: str = "") -> None:
        self.tracker.set_file_state(self.counter, state, reason)

    async def run(self) -> None:
        """Bring the file to a final state; never raises except CancelledError."""
        try:
            await self._download()
            self._state(FileState.DONE, self.counter.reason)
        except asyncio.CancelledError:
            self._state(FileState.CANCELLED, "cancelled; the .part is kept for a resume")
            raise
        except UnsafePathError as exc:
            self._state(FileState.REFUSED, exc.reason)
        except DiskFullError as exc:
            self._state(FileState.FAILED, f"{exc.reason}; the .part is kept for a resume")
        except FatalFileError as exc:
            self._state(FileState.FAILED, exc.reason)
        except OSError as exc:
            self._state(FileState.FAILED, files.wrap_os_error(exc).reason)
        except Exception as exc:  # a surprise in one file must not stop the others
            self._state(FileState.FAILED, f"unexpected error ({type(exc).__name__})")

    async def _download(self) -> None:
        target, size, counter = self.target, self.size, self.counter
        entry, _ = self.signer.current(target.rel)
        sha = files.normalize_sha256(entry.sha256)
        if files.existing_size(target.final) == size:
            self._state(FileState.VERIFYING, "checking the existing file")
            if await asyncio.to_thread(files.final_matches, target, size, sha):
                counter.done = size
                counter.reason = ALREADY_PRESENT
                return
        if size == 0:
            await asyncio.to_thread(files.write_empty, target, sha)
            return
        try:
            writer = files.PartWriter(target, size, sha)
        except OSError as exc:
            raise files.wrap_os_error(exc) from None
        try:
            await self._fill(writer)
        finally:
            writer.close()

    async def _fill(self, writer: files.PartWriter) -> None:
        counter, size, policy = self.counter, self.size, self.policy
        counter.done = writer.offset
        failures = 0
        resign_streak = 0
        while True:
            if writer.offset >= size:
                self._state(FileState.VERIFYING)
                try:
                    await asyncio.to_thread(writer.finalize)
                    return
                except RestartError as exc:
                    failures += 1
                    if failures >= policy.max_attempts:
                        writer.discard()
                        raise CorruptError(exc.reason) from None
                    self._restart(writer)
                    self.tracker.retries += 1
                    continue
                except OSError as exc:
                    raise files.wrap_os_error(exc) from None
            entry, generation = self.signer.current(self.target.rel)
            if entry.size != size:
                writer.discard()
                raise FatalFileError("the file changed on the server during the download")
            storage.check_url(entry.url)
            before = writer.offset
            self._state(FileState.RESUMING if before else FileState.DOWNLOADING)
            try:
                await self._fetch(entry.url, writer, before)
                if writer.offset < size:
                    raise TransientError("storage ended the file early")
                continue
            except UrlExpiredError as exc:
                resign_streak = 1 if writer.offset > before else resign_streak + 1
                if resign_streak > policy.max_resigns:
                    raise FatalFileError(f"{exc.reason}, even after re-signing") from None
                self._state(FileState.RESIGNING, "link expired; asking for a new one")
                await self.signer.resign(generation)
            except RestartError as exc:
                failures += 1
                if failures >= policy.max_attempts:
                    raise FatalFileError(exc.reason) from None
                self._restart(writer)
                self.tracker.retries += 1
            except TransientError as exc:
                if writer.offset - before >= PROGRESS_RESETS_FAILURES:
                    failures = 0
                failures += 1
                if failures >= policy.max_attempts:
                    raise FatalFileError(
                        f"{exc.reason} (gave up after {failures} attempts)"
                    ) from None
                delay = policy.backoff(failures, self.rng)
                if exc.retry_after is not None:
                    delay = min(policy.retry_after_cap, max(delay, exc.retry_after))
                self.tracker.retries += 1
                self._state(counter.state, f"{exc.reason}; retrying in {delay:.1f} s")
                await self.sleep(delay)
            except CorruptError:
                writer.discard()
                raise
            except OSError as exc:
                raise files.wrap_os_error(exc) from None

    async def _fetch(self, url: str, writer: files.PartWriter, offset: int) -> None:
        await transfer.fetch(
            url,
            offset,
            self.size,
            self._writer_fn(writer),
            lambda: self._restart(writer),
            self._on_started,
            self.stall_timeout,
            self.chunk_size,
        )

    def _writer_fn(self, writer: files.PartWriter) -> Callable[[bytes | memoryview], None]:
        write = writer.write
        add = self.counter.add

        def sink(chunk: bytes | memoryview) -> None:
            write(chunk)
            add(len(chunk))

        return sink

    def _restart(self, writer: files.PartWriter) -> None:
        writer.restart()
        self.counter.done = 0

    def _on_started(self, start: int) -> None:
        if start:
            self.tracker.resumes += 1
        self._state(FileState.DOWNLOADING)
