"""Download one run's model with the engine (DownloadManager), in a process of its own
so that its memory can be read: used by bench/download_bench.py.

    python bench/_download_child.py BASE_URL KEY JOB_ID DEST [TRANSPORT]

TRANSPORT (for side-by-side comparisons): ``stdlib`` (download/transfer.py, http.client)
or ``socket`` (download/direct.py, a hand-written socket + h11 client); default: the
engine's own choice.

Prints one JSON line: {"seconds", "file_seconds", "bytes", "state", "rss_before",
"hwm_after"}: ``seconds`` for the whole ``download(job_id)`` (model lookup, manifest,
every file, fsync, rename), ``file_seconds`` for the engine's path of the biggest file
alone (``FileJob.run``: request, transfer, fsync, verify, rename; timed by wrapping
it), ``cpu`` the process's CPU seconds (all threads) for the whole download, ``hwm`` the peak resident set (VmHWM), ``rss_before`` after imports and setup.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def transfer_buffer() -> int:
    from axom_tui.download import transfer

    return transfer.BUFFER_BYTES


def _status(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


async def main(base_url: str, key: str, job_id: str, dest: str, transport: str = "") -> dict:
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
    if transport.startswith("stdlib"):
        from axom_tui.download import direct, transfer

        BUFFER = int(transport.removeprefix("stdlib") or 0) << 10 or transfer_buffer()

        async def fetch(*args: object) -> None:  # transfer's own read size, not chunk_size
            await transfer.fetch(*args[:7], BUFFER)  # type: ignore[arg-type]

        direct.fetch_direct = fetch  # type: ignore[assignment]
    elif transport not in ("", "socket"):  # stdlibN: a read size of N KiB
        raise SystemExit(f"unknown transport {transport!r}")
    client = AxomClient(base_url, ApiKey(key), retries=0)
    async with DownloadManager(client) as manager:
        await client.list_models()  # warm the API connection and every import
        rss = _status("VmRSS")
        t0, r0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
        outcome = await manager.download(job_id, Path(dest))
        seconds, r1 = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF)
    await client.aclose()
    size = sum(p.stat().st_size for p in Path(dest).rglob("*") if p.is_file())
    state = getattr(outcome, "state", None)
    return {"seconds": seconds, "file_seconds": per_file[max(per_file)], "file_bytes": max(per_file),
            "bytes": size, "cpu": r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime,
            "sys": r1.ru_stime - r0.ru_stime, "state": str(getattr(state, "value", state)),
            "ok": bool(getattr(outcome, "ok", False)), "rss_before": rss,
            "hwm_after": _status("VmHWM")}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(*sys.argv[1:6]))), flush=True)
