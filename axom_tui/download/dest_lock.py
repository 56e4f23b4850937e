"""One download per destination folder, across processes: an ``flock`` on a file in it.

Two axom-tui processes (a dashboard, and ``axom-tui download`` in another terminal)
writing the same model into the same folder would share its ``.part`` files: one
renames a ``.part`` the other is still appending to, and the other fails with "No such
file". The first to lock the folder downloads; any other is told that someone has it
(and which process) and declines.

The lock file is removed when the download ends, so a finished model folder holds only
the model. Removing a lock file is safe here because whoever takes the lock checks that
the name still leads to the file it locked, and starts over when it does not.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from axom_tui.download.errors import DownloadError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no cross-process lock
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = ".axom-tui.lock"
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
# Filesystems that cannot lock (some network and FUSE mounts): download without a lock
# rather than not at all.
_UNLOCKABLE = {errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL}


class DestinationBusyError(DownloadError):
    """Another process is downloading into the same folder."""


class DestLock:
    """``acquire()`` or :class:`DestinationBusyError`; ``release()`` when done (idempotent)."""

    def __init__(self, dest: Path) -> None:
        self.dest = dest
        self.path = dest / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        if fcntl is None or self._fd is not None:
            return
        for _ in range(100):  # each retry means the holder just released: it ends quickly
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | _O_NOFOLLOW | _O_CLOEXEC, 0o644)
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    raise DownloadError(f"{self.path} is a symlink; refusing to use it") from None
                raise DownloadError(
                    f"cannot create {self.path}: {exc.strerror or type(exc).__name__}"
                ) from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _read_pid(fd)
                os.close(fd)
                who = f" (pid {holder})" if holder else ""
                raise DestinationBusyError(
                    f"{self.dest} is already being downloaded by another axom-tui{who}; "
                    "wait for it to finish, or choose another folder"
                ) from None
            except OSError as exc:
                os.close(fd)
                if exc.errno in _UNLOCKABLE:
                    return
                raise DownloadError(
                    f"cannot lock {self.path}: {exc.strerror or type(exc).__name__}"
                ) from None
            if _same_file(fd, self.path):
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()}\n".encode("ascii"))
                self._fd = fd
                return
            os.close(fd)  # the holder removed it between our open and our lock: again
        raise DownloadError(f"cannot lock {self.path}: it keeps changing")

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            os.unlink(self.path)  # while still locked: see the module docstring
        except OSError:
            pass
        os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    try:
        named = os.lstat(path)
    except OSError:
        return False
    held = os.fstat(fd)
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None
