"""Opening a cache file, and telling SQLite's failures apart.

Every connection is in autocommit mode (transactions are explicit: ``BEGIN IMMEDIATE``
for writes, so two processes queue for the write lock instead of failing half-way), in
WAL mode (readers never wait for the writer, and a write is atomic even under
``kill -9``: a transaction is in the file whole or not at all), with
``synchronous=NORMAL`` (in WAL mode this keeps the file consistent on a crash; only a
power cut may lose the last transactions, which the next start fetches again).

The file is made with mode 0600 before SQLite opens it; SQLite gives its ``-wal`` and
``-shm`` files the same mode as the database.
"""

from __future__ import annotations

import os
import sqlite3
from enum import Enum
from pathlib import Path

DEFAULT_BUSY_MS = 2_000
WAL_LIMIT = 1 << 20


class Problem(Enum):
    CORRUPT = "corrupt"  # not a database, or a damaged page
    LOCKED = "locked"  # another process held the write lock past the busy timeout
    READONLY = "readonly"  # the file, its folder or the filesystem refuses writes
    FULL = "full"  # disk (or quota) full
    IO = "io"  # any other I/O failure
    OTHER = "other"


_CODES = {
    5: Problem.LOCKED,
    6: Problem.LOCKED,
    8: Problem.READONLY,
    10: Problem.IO,
    11: Problem.CORRUPT,
    13: Problem.FULL,
    14: Problem.IO,
    26: Problem.CORRUPT,
}


def classify(exc: BaseException) -> Problem:
    """What kind of trouble a sqlite3 (or OS) error means."""
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int) and (code & 0xFF) in _CODES:
        return _CODES[code & 0xFF]
    if isinstance(exc, OSError):
        import errno

        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return Problem.FULL
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return Problem.READONLY
        return Problem.IO
    text = str(exc).lower()
    if "not a database" in text or "malformed" in text:
        return Problem.CORRUPT
    if "locked" in text or "busy" in text:
        return Problem.LOCKED
    if "readonly" in text or "read-only" in text:
        return Problem.READONLY
    if "full" in text:
        return Problem.FULL
    return Problem.OTHER


def make_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 (its folder 0700) if it does not exist."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def connect(
    path: Path, *, readonly: bool = False, busy_ms: int = DEFAULT_BUSY_MS, create: bool = True
) -> sqlite3.Connection:
    """A connection to ``path``, set up as described above.

    ``readonly`` opens with ``mode=ro`` (nothing is created or written). Raises
    sqlite3.Error or OSError.
    """
    if readonly:
        uri = f"{path.resolve().as_uri()}?mode=ro"
        conn = sqlite3.connect(
            uri, uri=True, isolation_level=None, check_same_thread=False, timeout=busy_ms / 1000
        )
    else:
        if create:
            make_private_file(path)
        elif not path.exists():
            raise FileNotFoundError(path)
        conn = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False, timeout=busy_ms / 1000
        )
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
        if not readonly:
            # Evicted runs give their space back; only takes on a file with no tables
            # yet, and only before the switch to WAL.
            conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            # The WAL is reused after each checkpoint; past this it is cut back to size.
            conn.execute(f"PRAGMA journal_size_limit = {WAL_LIMIT}")
        conn.execute("PRAGMA foreign_keys = OFF")
    except BaseException:
        conn.close()
        raise
    return conn


def tighten_mode(path: Path) -> None:
    """A cache file someone made readable by others goes back to 0600 (ours only)."""
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            st = candidate.stat()
            if st.st_uid == os.getuid() and st.st_mode & 0o077:
                candidate.chmod(0o600)
        except OSError:
            pass


def companions(path: Path) -> list[Path]:
    """The database file and its WAL and shared-memory files."""
    return [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
