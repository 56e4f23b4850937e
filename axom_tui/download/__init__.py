"""Model download engine (no Textual imports): resumable, re-signing, path-safe.

::

    async with DownloadManager(client, on_progress=show) as manager:
        outcome = await manager.download(job_id)        # or manager.start(...) -> DownloadTask
        if not outcome.ok: ...
"""

from axom_tui.download.errors import DownloadError, NoModelError
from axom_tui.download.manager import DownloadManager, DownloadTask
from axom_tui.download.outcome import DownloadOutcome, FileOutcome
from axom_tui.download.progress import DownloadProgress, FileProgress, FileState, TaskState
from axom_tui.download.safe_paths import (
    UnsafePathError, check_rel, resolve_target, safe_folder_name,
)

__all__ = [
    "DownloadError", "DownloadManager", "DownloadOutcome", "DownloadProgress", "DownloadTask",
    "FileOutcome", "FileProgress", "FileState", "NoModelError", "TaskState", "UnsafePathError",
    "check_rel", "resolve_target", "safe_folder_name",
]
