"""The ``.part`` file of one download: open safely, append, restart, verify, publish.

The final name only ever appears through ``os.replace`` of a complete, fsynced,
size-checked (and hash-checked when the manifest gives one) ``.part``.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import stat
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from axom_tui.download.errors import CorruptError, DiskFullError, FatalFileError, RestartError
from axom_tui.download.safe_paths import SafeTarget, check_on_disk, make_parents

HASH_BLOCK = 1 << 20
# Written data is pushed to disk in the background every FLUSH_EVERY bytes, so the fsync
# before the rename only has the tail left (a multi-GB fsync at the end would otherwise
# add seconds after the last byte arrived).
FLUSH_EVERY = 32 << 20
_FLUSHER = ThreadPoolExecutor(max_workers=4, thread_name_prefix="axom-flush")
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)
_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


def is_disk_full(exc: OSError) -> bool:
    return exc.errno in _DISK_FULL


def normalize_sha256(value: str | None) -> str | None:
    """Lower-case hex digest, or ``None`` when absent; raise when present but malformed."""
    if value is None or value == "":
        return None
    if not _SHA256.match(value):
        raise FatalFileError("the manifest's sha256 is malformed")
    return value.lower()


def free_bytes(path: Path) -> int:
    """Free space on the filesystem that holds ``path`` (or its nearest existing parent)."""
    probe = path
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    return shutil.disk_usage(probe).free


def existing_size(path: Path) -> int | None:
    """Size of a regular file at ``path`` (not following links), else ``None``."""
    try:
        st = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    return st.st_size if stat.S_ISREG(st.st_mode) else None


def hash_file(path: Path, limit: int | None = None) -> hashlib._Hash:
    """sha256 of the first ``limit`` bytes (all when ``None``); blocking, run it in a thread."""
    h = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY | _O_NOFOLLOW | _O_BINARY)
    with os.fdopen(fd, "rb", buffering=0) as f:
        left = limit
        while left is None or left > 0:
            block = f.read(HASH_BLOCK if left is None else min(HASH_BLOCK, left))
            if not block:
                break
            h.update(block)
            if left is not None:
                left -= len(block)
    return h


def final_matches(target: SafeTarget, size: int, sha256: str | None) -> bool:
    """True when the final file is already there, a regular file, right size (and hash)."""
    if existing_size(target.final) != size:
        return False
    return sha256 is None or hash_file(target.final).hexdigest() == sha256


class PartWriter:
    """Appends to ``<final>.part``; never follows a link.

    The hash (when the manifest has one) is computed once at :meth:`finalize`, in the
    worker thread that also fsyncs, so the receive loop stays lean.
    """

    def __init__(self, target: SafeTarget, size: int, sha256: str | None) -> None:
        self.target = target
        self.size = size
        self.sha256 = sha256
        make_parents(target)
        try:
            fd = os.open(target.part, os.O_RDWR | os.O_CREAT | _O_NOFOLLOW | _O_BINARY, 0o644)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise FatalFileError("a symlink is in the way in the destination") from None
            raise
        self._file = os.fdopen(fd, "r+b", buffering=0)
        self._unflushed = 0
        self._flush: Future[None] | None = None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            self._file.close()
            raise FatalFileError("the .part name is not a regular file")
        self.offset = self._file.seek(0, os.SEEK_END)
        if self.offset > size:
            self.restart()

    def write(self, chunk: bytes | memoryview) -> None:
        view = memoryview(chunk)
        while view:
            n = self._file.write(view)
            view = view[n:]
        self.offset += len(chunk)
        self._unflushed += len(chunk)
        if self._unflushed >= FLUSH_EVERY and (self._flush is None or self._flush.done()):
            self._unflushed = 0
            self._flush = _FLUSHER.submit(_datasync, self._file.fileno())

    def _wait_flush(self) -> None:
        if self._flush is not None:
            self._flush.exception()  # wait; errors resurface in the final fsync
            self._flush = None

    def restart(self) -> None:
        """Throw the partial content away and start from byte 0."""
        self._file.seek(0)
        self._file.truncate(0)
        self.offset = 0

    def finalize(self) -> None:
        """fsync, check size and hash, then atomically rename to the final name (blocking)."""
        f = self._file
        self._wait_flush()
        os.fsync(f.fileno())
        actual = os.fstat(f.fileno()).st_size
        if actual != self.size or self.offset != self.size:
            raise RestartError(f"size on disk is {actual}, the manifest says {self.size}")
        digest = hash_file(self.target.part, actual).hexdigest() if self.sha256 else None
        if digest != self.sha256:
            raise RestartError("sha256 does not match the manifest")
        f.close()
        check_on_disk(self.target)
        os.replace(self.target.part, self.target.final)
        _fsync_dir(self.target.final.parent)

    def close(self) -> None:
        if not self._file.closed:
            self._wait_flush()
            self._file.close()

    def discard(self) -> None:
        """Close and delete the .part (its content is known to be wrong)."""
        self.close()
        try:
            if existing_size(self.target.part) is not None:
                os.unlink(self.target.part)
        except OSError:
            pass


def write_empty(target: SafeTarget, sha256: str | None) -> None:
    """A zero-byte file needs no request: create, verify and publish it (blocking)."""
    writer = PartWriter(target, 0, sha256)
    try:
        writer.finalize()
    except RestartError as exc:
        writer.discard()
        raise CorruptError(exc.reason) from None
    finally:
        writer.close()


def wrap_os_error(exc: OSError) -> FatalFileError:
    if is_disk_full(exc):
        return DiskFullError("disk full")
    return FatalFileError(f"cannot write the file: {exc.strerror or type(exc).__name__}")


def _datasync(fd: int) -> None:
    try:
        (getattr(os, "fdatasync", None) or os.fsync)(fd)
    except OSError:
        pass


def _fsync_dir(path: Path) -> None:
    if not hasattr(os, "O_DIRECTORY"):
        return
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
