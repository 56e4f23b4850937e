"""Download one run's model with the engine (DownloadManager), in a process of its own
so that its memory can be read: used by bench/download_bench.py.

    python bench/_download_child.py BASE_URL KEY JOB_ID DEST

Prints one JSON line: {"seconds", "file_seconds", "bytes", "state", "rss_before",
"hwm_after"}: ``seconds`` for the whole ``download(job_id)`` (model lookup, manifest,
every file, fsync, rename), ``file_seconds`` for the engine's path of the biggest file
alone (``FileJob.run``: request, transfer, fsync, verify, rename; timed by wrapping
it), ``hwm`` the peak resident set (VmHWM), ``rss_before`` after imports and setup.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _status(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


async def main(base_url: str, key: str, job_id: str, dest: str) -> dict:
    from axom_tui.api.client import AxomClient
    from axom_tui.api.secret import ApiKey
    from axom_tui.download import DownloadManager
    from axom_tui.download.filejob import FileJob

    per_file: dict[int, float] = {}
    run_file = FileJob.run

    async def timed_run(job: FileJob) -> None:
        t = time.perf_counter()
        try:
            await run_file(job)
        finally:
            per_file[job.size] = time.perf_counter() - t

    FileJob.run = timed_run  # type: ignore[method-assign]
    client = AxomClient(base_url, ApiKey(key), retries=0)
    async with DownloadManager(client) as manager:
        await client.list_models()  # warm the API connection and every import
        rss = _status("VmRSS")
        t0 = time.perf_counter()
        outcome = await manager.download(job_id, Path(dest))
        seconds = time.perf_counter() - t0
    await client.aclose()
    size = sum(p.stat().st_size for p in Path(dest).rglob("*") if p.is_file())
    state = getattr(outcome, "state", None)
    return {
        "seconds": seconds,
        "file_seconds": per_file[max(per_file)],
        "file_bytes": max(per_file),
        "bytes": size,
        "state": str(getattr(state, "value", state)),
        "ok": bool(getattr(outcome, "ok", False)),
        "rss_before": rss,
        "hwm_after": _status("VmHWM"),
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(*sys.argv[1:5]))), flush=True)
