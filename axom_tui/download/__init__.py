"""Model download engine (no Textual imports): resumable, re-signing, path-safe.

::

    async with DownloadManager(client, on_progress=show) as manager:
        outcome = await manager.download(job_id)        # or manager.start(...) -> DownloadTask
        if not outcome.ok: ...

Names load on first use: the engine pulls in http.client, ssl and urllib.request, which
the dashboard does not need before its first frame.
"""

from typing import TYPE_CHECKING

from axom_tui.base.lazy import lazy_exports

_EXPORTS = {
    "DownloadError": "errors",
    "NoModelError": "errors",
    "DownloadManager": "manager",
    "DownloadTask": "manager",
    "DownloadOutcome": "outcome",
    "FileOutcome": "outcome",
    "DownloadProgress": "progress",
    "FileProgress": "progress",
    "FileState": "progress",
    "TaskState": "progress",
    "UnsafePathError": "safe_paths",
    "check_rel": "safe_paths",
    "resolve_target": "safe_paths",
    "safe_folder_name": "safe_paths",
}
__all__ = list(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

if TYPE_CHECKING:  # what the type checker sees of the names loaded on first use
    from axom_tui.download.errors import (
        DownloadError as DownloadError,
        NoModelError as NoModelError,
    )
    from axom_tui.download.manager import (
        DownloadManager as DownloadManager,
        DownloadTask as DownloadTask,
    )
    from axom_tui.download.outcome import (
        DownloadOutcome as DownloadOutcome,
        FileOutcome as FileOutcome,
    )
    from axom_tui.download.progress import (
        DownloadProgress as DownloadProgress,
        FileProgress as FileProgress,
        FileState as FileState,
        TaskState as TaskState,
    )
    from axom_tui.download.safe_paths import (
        UnsafePathError as UnsafePathError,
        check_rel as check_rel,
        resolve_target as resolve_target,
        safe_folder_name as safe_folder_name,
    )
