"""The run cache: a restart on a long finished run, bytes per point, the demo's CPU, bundles.

* **Restart to whole history.** bench/_history_server.py (its own process) serves a
  finished run of 200,000 points (quick: 50,000), 400 points per answer, full-precision
  noisy values. The real dashboard runs in a 160x48 pty with an empty cache folder: it
  selects the run (the first row) and the time from its first frame until the run
  summary shows the last point (redrawn with the chart, so the whole run is drawn) is
  the uncached figure. It quits, starts
  again on the same cache folder, and the same time is the cached figure; the requests
  the server saw for metrics/logs/events/result during the second start (until 3 s
  after the chart was whole) must be 0. Goals: cached <= 1 s and >= 50x faster (for
  200k points; quick mode scales the speed-up goal with the run it measures, 12.5x at
  50k: the uncached time grows with the points, the cached one hardly, so the fixed
  per-request costs that a shorter run pays make its ratio smaller, not the cache slower).
* **Bytes on disk per metric point**: the cache file (database and WAL) after the first
  session, divided by the points it holds (its log lines and records included).
* **Demo CPU, cache on vs off**: ``axom-tui --demo`` and ``axom-tui --demo --no-cache``
  side by side in ptys over the same window (the demo's cache lives in a temporary
  folder); budget: on - off <= 0.2 points of a core.
* **Bundle open to first frame**: ``axom-tui open`` on a bundle of the long run (made by
  ``axom-tui bundle`` from the warm cache, no request), vs ``axom-tui --demo``'s first
  frame in the same run (median of 3 each), and until its chart is whole.

    .venv/bin/python bench/history_bench.py [--quick]
"""

from __future__ import annotations

import json
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
    from bench._pty import ROOT, PtyProcess, clean_env, python
except ImportError:  # pragma: no cover - run from inside bench/
    from _common import BenchLine, run_standalone  # type: ignore[no-redef]
    from _pty import ROOT, PtyProcess, clean_env, python  # type: ignore[no-redef]

COLS, ROWS = 160, 48
FIRST_FRAME = b"Name"  # the job table's header
WHOLE = b"77.77"  # the last point's vram (bench/_history_server.py): the run summary shows it,
# in the same redraw as the chart, once the whole run is in the store
HISTORY_FEEDS = ("metrics", "logs", "events", "result")
CACHED_BUDGET_S = 1.0
SPEEDUP_BUDGET = 50.0
#: The run SPEEDUP_BUDGET is set for (the issue's 200k-point run).
SPEEDUP_POINTS = 200_000
BYTES_BUDGET = 48.0
CPU_DELTA_BUDGET = 0.2
OPEN_BUDGET_S = 1.0


class HistoryServer:
    """bench/_history_server.py in a process of its own (it does not share our GIL)."""

    def __init__(self, points: int) -> None:
        self.proc = subprocess.Popen(
            [
                python(),
                str(ROOT / "bench" / "_history_server.py"),
                "--points",
                str(points),
                "--port",
                "0",
                "--json",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        assert self.proc.stdout is not None and self.proc.stdin is not None
        hello = json.loads(self.proc.stdout.readline())
        self.base_url, self.key = hello["base_url"], hello["key"]

    def requests(self) -> dict[str, int]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("stats\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def stop(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(10)


def _app(server: HistoryServer, cache: Path, *argv: str) -> PtyProcess:
    env = clean_env(AXOM_KEY=server.key, AXOM_CACHE_DIR=str(cache))
    proc = PtyProcess(
        [python(), "-m", "axom_tui", "--base-url", server.base_url, *argv],
        cols=COLS,
        rows=ROWS,
        env=env,
    )
    return proc


def _time_to_whole(proc: PtyProcess, marker: bytes, timeout: float) -> tuple[float, float]:
    """(seconds from spawn to the first frame, from the first frame to the whole chart)."""
    proc.watch(FIRST_FRAME, marker)
    first = proc.wait_marker(FIRST_FRAME, 60)
    if first is None:
        raise RuntimeError(f"no first frame: {proc.output[-2000:]!r}")
    whole = proc.wait_marker(marker, timeout)
    if whole is None:
        raise RuntimeError(f"the chart never reached {marker!r}: {proc.output[-3000:]!r}")
    return first - proc.started, whole - first


def _history_requests(before: dict[str, int], after: dict[str, int]) -> int:
    return sum(after.get(f, 0) - before.get(f, 0) for f in HISTORY_FEEDS)


def speedup_budget(points: int) -> float:
    """The speed-up a run of ``points`` must show: the full goal at its size and above,
    in proportion below it (never more lenient for the full run)."""
    return SPEEDUP_BUDGET * min(1.0, points / SPEEDUP_POINTS)


def restart(quick: bool) -> tuple[list[BenchLine], Path, HistoryServer, Path]:
    points = 50_000 if quick else 200_000
    marker = WHOLE
    server = HistoryServer(points)
    cache = Path(tempfile.mkdtemp(prefix="axom-bench-cache-"))
    r0 = server.requests()
    first = _app(server, cache)
    try:
        ttff_cold, cold = _time_to_whole(first, marker, 600)
    finally:
        first.stop()
    r1 = server.requests()
    files = sorted(cache.iterdir())
    size = sum(p.stat().st_size for p in files)
    second = _app(server, cache)
    try:
        ttff_warm, warm = _time_to_whole(second, marker, 60)
        time.sleep(3)
        r2 = server.requests()
    finally:
        second.stop()
    cold_requests = _history_requests(r0, r1)
    warm_requests = _history_requests(r1, r2)
    metrics_warm = r2.get("metrics", 0) - r1.get("metrics", 0)
    which = {
        k: r2[k] - r1.get(k, 0)
        for k in r2
        if k.split(":")[0] in HISTORY_FEEDS and ":" in k and r2[k] != r1.get(k, 0)
    }
    speedup = cold / warm if warm > 0 else float("inf")
    speedup_goal = speedup_budget(points)
    per_point = size / points
    lines = [
        BenchLine(
            f"restart to whole history, finished {points // 1000}k-point run: cached",
            warm,
            cold,
            warm / cold,
            f"<= {CACHED_BUDGET_S:g} s, >= {speedup_goal:g}x, 0 metrics req",
            warm <= CACHED_BUDGET_S and speedup >= speedup_goal and metrics_warm == 0,
            "s",
            note=(
                f"160x48 pty, the real dashboard against a server paging 400 points per answer; "
                f"from the first frame until the run summary shows the last point (drawn with the chart): "
                f"uncached {cold:.1f} s with {cold_requests} metrics/logs/events/result "
                f"requests, cached {warm:.2f} s with {warm_requests} ({metrics_warm} metrics"
                f"{': ' + json.dumps(which) if which else ''}); "
                f"{speedup:,.0f}x faster (goal {speedup_goal:g}x: {SPEEDUP_BUDGET:g}x at "
                f"{SPEEDUP_POINTS // 1000}k points, scaled to this run); first frame {ttff_cold:.2f} s / {ttff_warm:.2f} s after "
                f"spawn"
            ),
        ),
        BenchLine(
            "run cache bytes on disk per metric point",
            per_point,
            48.0,
            per_point / 48.0,
            f"<= {BYTES_BUDGET:g} B",
            per_point <= BYTES_BUDGET,
            "B",
            note=(
                f"{size:,} bytes in {', '.join(p.name.rsplit('-', 1)[-1] for p in files)} for "
                f"{points:,} points (5 float64 columns bit-exact, step, cycle, phase) plus 3,000 "
                f"log lines, events and records; baseline: the store's in-memory budget"
            ),
        ),
    ]
    return lines, cache, server, Path(files[0])


def _median_first_frame(
    argv: list[str], env: dict[str, str], marker: bytes | None = None
) -> tuple[float, float | None]:
    frames, wholes = [], []
    for _ in range(3):
        proc = PtyProcess(argv, cols=COLS, rows=ROWS, env=env)
        proc.watch(FIRST_FRAME, *([marker] if marker else []))
        try:
            seen = proc.wait_marker(FIRST_FRAME, 60)
            if seen is None:
                raise RuntimeError(f"no first frame from {argv}: {proc.output[-2000:]!r}")
            frames.append(seen - proc.started)
            if marker is not None:
                whole = proc.wait_marker(marker, 30)
                wholes.append(float("nan") if whole is None else whole - proc.started)
        finally:
            proc.stop()
    return statistics.median(frames), statistics.median(wholes) if wholes else None


def bundle_open(quick: bool, cache: Path, server: HistoryServer) -> list[BenchLine]:
    points = 50_000 if quick else 200_000
    marker = WHOLE
    out = cache / "long-run.axom"
    env = clean_env(AXOM_KEY=server.key, AXOM_CACHE_DIR=str(cache))
    before = server.requests()
    made = subprocess.run(
        [
            python(),
            "-m",
            "axom_tui",
            "bundle",
            "4f6c0a52",
            "-o",
            str(out),
            "--base-url",
            server.base_url,
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if made.returncode != 0:
        raise RuntimeError(f"bundle failed: {made.stderr[-2000:]}")
    bundle_requests = _history_requests(before, server.requests())
    server.stop()  # opened with no service at all
    offline = clean_env()
    ours, whole = _median_first_frame(
        [python(), "-m", "axom_tui", "open", str(out)], offline, marker
    )
    demo, _ = _median_first_frame([python(), "-m", "axom_tui", "--demo"], clean_env())
    return [
        BenchLine(
            "bundle open to first frame (axom-tui open, no key, no network)",
            ours,
            demo,
            ours / demo,
            f"<= {OPEN_BUDGET_S:g} s",
            ours <= OPEN_BUDGET_S,
            "s",
            note=(
                f"median of 3 from spawn; the {points:,}-point chart whole "
                f"{whole:.2f} s after spawn; baseline: axom-tui --demo's first frame in the same run; "
                f"the bundle ({out.stat().st_size:,} bytes) was made from the warm cache with "
                f"{bundle_requests} history requests"
            ),
        )
    ]


def demo_cpu(quick: bool) -> list[BenchLine]:
    warm, window = (8.0, 15.0) if quick else (12.0, 40.0)
    on = PtyProcess([python(), "-m", "axom_tui", "--demo"], cols=COLS, rows=ROWS, env=clean_env())
    off = PtyProcess(
        [python(), "-m", "axom_tui", "--demo", "--no-cache"], cols=COLS, rows=ROWS, env=clean_env()
    )
    try:
        for proc in (on, off):
            proc.watch(FIRST_FRAME)
        for proc in (on, off):
            if proc.wait_marker(FIRST_FRAME, 60) is None:
                raise RuntimeError(f"no first frame from {proc.argv}: {proc.output[-2000:]!r}")
        time.sleep(warm)
        t0 = time.perf_counter()
        c0 = {p: p.cpu() for p in (on, off)}
        time.sleep(window)
        t1 = time.perf_counter()
        c1 = {p: p.cpu() for p in (on, off)}
        for proc in (on, off):
            if not proc.alive():
                raise RuntimeError(f"{proc.argv} exited: {proc.output[-2000:]!r}")
    finally:
        on.stop()
        off.stop()
    span = t1 - t0
    cpu = {p: 100 * (c1[p] - c0[p]) / span for p in (on, off)}
    delta = cpu[on] - cpu[off]
    return [
        BenchLine(
            "demo CPU with the run cache on, % of one core",
            cpu[on],
            cpu[off],
            cpu[on] / cpu[off] if cpu[off] else None,
            f"<= +{CPU_DELTA_BUDGET:g} points",
            delta <= CPU_DELTA_BUDGET,
            "%",
            note=(
                f"axom-tui --demo vs --demo --no-cache side by side, {span:.0f} s window after "
                f"{warm:.0f} s warm-up, 160x48 ptys; difference {delta:+.2f} points of a core"
            ),
        )
    ]


def run(quick: bool = False) -> list[BenchLine]:
    lines, cache, server, _ = restart(quick)
    try:
        lines += bundle_open(quick, cache, server)
    finally:
        if server.proc.poll() is None:
            server.stop()
        shutil.rmtree(cache, ignore_errors=True)
    return lines + demo_cpu(quick)


def main(argv: list[str]) -> int:
    return run_standalone("history", argv, run)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
