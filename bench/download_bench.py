"""Model download from the simulator's storage on loopback: our engine vs ``curl -o``.

The simulator runs in a process of its own (bench/_sim_server.py) with one model of
1 GB in a single shard. The same shard is fetched by ``curl -s -o FILE URL`` (its
presigned URL) and by our engine: ``DownloadManager.download`` of the run's model in
bench/_download_child.py, a process of its own so that its peak memory can be read
from /proc. The figure compared is the engine's path for that shard (``FileJob.run``:
request, transfer, fsync, verify, rename); the whole download (model lookup and
manifest requests, config.json) is shown beside it. Runs alternate curl / ours, 5
times each (quick: 3); medians are compared.

Where the files land: tmpfs (/dev/shm, when it has room), so that the figure is the
transfer itself. Our engine makes the file durable (pushed to disk as it arrives,
fsync before the atomic rename) while ``curl -o`` leaves it in the page cache, so on a
disk the comparison mostly measures the page cache; the full run also writes onto the
disk (2 runs each, for information) and shows how long curl's file then takes to fsync.

Budgets: throughput >= 0.9x curl's; memory flat: the engine's peak RSS during the
download (VmHWM) at most 32 MiB above its RSS before it, whatever the file size.

    .venv/bin/python bench/download_bench.py [--quick]
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

try:
    from bench._common import BenchLine, run_standalone
except ImportError:  # pragma: no cover - run from inside bench/
    from _common import BenchLine, run_standalone  # type: ignore[no-redef]

HERE = Path(__file__).resolve().parent
RATIO_BUDGET = 0.9
RSS_BUDGET = 32 << 20


def _curl(url: str, dest: Path) -> tuple[float, float]:
    """(seconds of ``curl -o``, seconds to fsync its file afterwards)."""
    t0 = time.perf_counter()
    subprocess.run(["curl", "-s", "-S", "-f", "-o", str(dest), url], check=True)
    t1 = time.perf_counter()
    fd = os.open(dest, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return t1 - t0, time.perf_counter() - t1


def _ours(info: dict, dest: Path) -> dict:
    out = subprocess.run(
        [
            sys.executable,
            str(HERE / "_download_child.py"),
            info["base_url"],
            info["key"],
            info["job_id"],
            str(dest),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if not result["ok"]:
        raise RuntimeError(f"download failed: {result}")
    return result


def _round(info: dict, work: Path, reps: int) -> dict[str, list[float]]:
    """``reps`` alternating curl / ours downloads of the shard into ``work``."""
    got: dict[str, list[float]] = {
        "curl": [],
        "sync": [],
        "ours": [],
        "whole": [],
        "growth": [],
        "bytes": [],
    }
    for k in range(reps):
        target = work / f"curl-{k}.bin"
        took, synced = _curl(info["url"], target)
        if target.stat().st_size != info["size"]:
            raise RuntimeError("curl got a short file")
        target.unlink()
        got["curl"].append(took)
        got["sync"].append(synced)
        result = _ours(info, work / f"ours-{k}")
        if result["file_bytes"] != info["size"]:
            raise RuntimeError(f"unexpected file sizes: {result}")
        shutil.rmtree(work / f"ours-{k}")
        got["ours"].append(result["file_seconds"])
        got["whole"].append(result["seconds"])
        got["growth"].append(result["hwm_after"] - result["rss_before"])
        got["bytes"].append(result["bytes"])
    return got


def _tmpfs(size: int) -> Path | None:
    shm = Path("/dev/shm")
    try:
        if shm.is_dir() and shutil.disk_usage(shm).free > 3 * size:
            return shm
    except OSError:
        pass
    return None


def _secs(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def run(quick: bool = False) -> list[BenchLine]:
    size = 1_000_000_000
    reps = 3 if quick else 5
    if shutil.which("curl") is None:
        return [
            BenchLine(
                "download vs curl",
                0.0,
                None,
                None,
                ">= 0.9x curl",
                False,
                "MB/s",
                note="curl is not installed: no baseline",
            )
        ]
    server = subprocess.Popen(
        [sys.executable, str(HERE / "_sim_server.py"), str(size)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    memory_dir = _tmpfs(size)
    rounds: dict[str, dict[str, list[float]]] = {}
    try:
        info = json.loads(server.stdout.readline())
        places = [("memory", memory_dir)] if memory_dir is not None else []
        if memory_dir is None or not quick:
            places.append(("disk", HERE))
        for label, parent in places:
            work = Path(tempfile.mkdtemp(prefix=".download-bench-", dir=parent))
            try:
                rounds[label] = _round(info, work, reps if label == places[0][0] else 2)
            finally:
                shutil.rmtree(work, ignore_errors=True)
    finally:
        if server.stdin:
            server.stdin.close()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
    lines = []
    mb = info["size"] / 1e6
    for label, got in rounds.items():
        curl = statistics.median(got["curl"])
        ours = statistics.median(got["ours"])
        whole = statistics.median(got["whole"])
        durable = statistics.median([a + b for a, b in zip(got["curl"], got["sync"])])
        ratio = curl / ours
        primary = label == next(iter(rounds))
        where = (
            "into tmpfs (/dev/shm: no disk in the way; fsync is free)"
            if label == "memory"
            else "onto the disk beside bench/"
        )
        lines.append(
            BenchLine(
                f"download 1 GB from sim storage over loopback, {label}",
                mb / ours,
                mb / curl,
                ratio,
                ">= 0.9x curl" if primary else "info",
                ratio >= RATIO_BUDGET or not primary,
                "MB/s",
                note=(
                    f"{where}; the same {mb:,.0f} MB shard, median of {len(got['ours'])} alternating "
                    f"runs: ours (the engine's file path: request, transfer, fsync, rename) "
                    f"{_secs(got['ours'])} s, curl -o {_secs(got['curl'])} s, then fsync of curl's "
                    f"file {_secs(got['sync'])} s (curl + fsync: {mb / durable:.0f} MB/s, ours "
                    f"{durable / ours:.2f}x that); the whole download(job_id) (+ model lookup, "
                    f"manifest, config.json) {_secs(got['whole'])} s = {curl / whole:.2f}x curl"
                ),
            )
        )
    peak = max(g for got in rounds.values() for g in got["growth"])
    lines.append(
        BenchLine(
            "download 1 GB: peak RSS growth of the engine",
            peak / 2**20,
            None,
            None,
            f"<= {RSS_BUDGET >> 20} MiB (flat)",
            peak <= RSS_BUDGET,
            "MiB",
            note="VmHWM after the download minus VmRSS before it, worst of all runs",
        )
    )
    return lines


def main(argv: list[str]) -> int:
    return run_standalone("download", argv, run)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
