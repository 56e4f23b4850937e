"""Store memory: bytes per metric point held by ``MetricSeries``, every field included.

One run's history of N points (step, loss, grad_norm, lr, throughput, vram_gb, cycle,
phase, ts: every field the store keeps; whole-second stamps, 0.7 s a point) is merged
the way the scheduler feeds it: pages of 500 parsed ``MetricPoint``s, one after another,
plus a preemption that re-sends 2,000 steps after a checkpoint with new values (and
stamps ten minutes later).
Measured two ways: ``MetricSeries.memory_bytes()`` (what the store reports) and
tracemalloc (bytes allocated and still held once the pages are gone). The baseline
holds the same points as a list of dicts (one dict per point, as decoded from JSON),
measured with tracemalloc. Budget: <= 48 bytes per point at 1M points.

Full: 1M points for both. Quick: 1M points for the store, the baseline at 100k
(a list of dicts grows linearly; the figure is per point).

    .venv/bin/python bench/store_bench.py [--quick]
"""

from __future__ import annotations

import gc
import math
import random
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

try:
    from bench._common import BenchLine, run_standalone
except ImportError:  # pragma: no cover - run from inside bench/
    from _common import BenchLine, run_standalone  # type: ignore[no-redef]

from axom_tui.api.records import MetricPoint
from axom_tui.store import MetricSeries

BUDGET = 48.0
PAGE = 500
POINT_EVERY = 10
PER_CYCLE = 5_000  # points per growth cycle
PHASES = ("warmup", "train", "eval")
T0 = 1_780_000_000
PACE = 0.7  # seconds a point
NAN = math.nan


def _fields(i: int, rng: random.Random, bump: float = 0.0) -> tuple:
    step = (i + 1) * POINT_EVERY
    k = i % PER_CYCLE
    phase = (
        PHASES[0]
        if k < PER_CYCLE // 50
        else (PHASES[2] if k >= PER_CYCLE - PER_CYCLE // 100 else PHASES[1])
    )
    loss = 3.0 * math.exp(-i / 300_000) + 0.3 + 0.05 * rng.random() + bump
    if rng.random() < 0.001:
        loss = NAN
    return (
        step,
        loss,
        0.5 + rng.random(),
        3e-4 * (1 - i / 2e6),
        9000 + 500 * rng.random(),
        40 + rng.random(),
        i // PER_CYCLE + 1,
        phase,
    )


def _page(
    start: int, stop: int, rng: random.Random, bump: float = 0.0, late: float = 0.0
) -> list[MetricPoint]:
    out = []
    for i in range(start, stop):
        s, loss, g, lr, tp, vram, cycle, phase = _fields(i, rng, bump)
        ts = datetime.fromtimestamp(int(T0 + late + PACE * i), UTC)
        out.append(
            MetricPoint(
                step=s,
                loss=loss,
                grad_norm=g,
                lr=lr,
                throughput=tp,
                vram_gb=vram,
                cycle=cycle,
                phase=phase,
                ts=ts,
            )
        )
    return out


def _dict(i: int, rng: random.Random) -> dict:
    s, loss, g, lr, tp, vram, cycle, phase = _fields(i, rng)
    return {
        "step": s,
        "loss": loss,
        "grad_norm": g,
        "lr": lr,
        "throughput": tp,
        "vram_gb": vram,
        "cycle": cycle,
        "phase": phase,
    }


def _pages(n: int) -> list[list[MetricPoint]]:
    """The pages the scheduler would merge, in order: n points, 500 at a time, with a
    preemption at 60 % that re-sends the 2,000 steps after its checkpoint."""
    rng = random.Random(1)
    pages = []
    resume_at = int(n * 0.6)
    for start in range(0, n, PAGE):
        pages.append(_page(start, min(n, start + PAGE), rng))
        if start <= resume_at < start + PAGE:
            ckpt = max(0, resume_at - 2_000)
            pages += [
                _page(s2, min(resume_at, s2 + PAGE), rng, bump=0.01, late=600.0)
                for s2 in range(ckpt, resume_at, PAGE)
            ]
    return pages


def measure_store(n: int) -> dict[str, float]:
    pages = _pages(n)  # made before tracing starts: only what the store keeps is traced
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    series = MetricSeries()
    t0 = time.perf_counter()
    for page in pages:
        series.merge(page)
    elapsed = time.perf_counter() - t0
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert len(series) == n, len(series)
    untraced = MetricSeries()
    t0 = time.perf_counter()
    for page in pages:
        untraced.merge(page)
    plain = time.perf_counter() - t0
    total = sum(map(len, pages))
    return {
        "reported": series.memory_bytes() / n,
        "traced": held / n,
        "seconds": elapsed,
        "points_per_s": total / elapsed,
        "plain_points_per_s": total / plain,
    }


def measure_dicts(n: int) -> float:
    rng = random.Random(1)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    points = [_dict(i, rng) for i in range(n)]
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    del points
    return held / n


def run(quick: bool = False) -> list[BenchLine]:
    n = 1_000_000
    n_base = 100_000 if quick else n
    ours = measure_store(n)
    base = measure_dicts(n_base)
    per = max(ours["reported"], ours["traced"])
    note = "" if n_base == n else f" measured at {n_base // 1000}k points"
    return [
        BenchLine(
            "store memory per metric point (1M points, all fields)",
            per,
            base,
            per / base,
            f"<= {BUDGET:g} B/point",
            per <= BUDGET,
            "B",
            note=(
                f"tracemalloc {ours['traced']:.1f} B, memory_bytes() {ours['reported']:.1f} B (the "
                f"larger is shown); pages of {PAGE} + a preemption re-send; merge "
                f"{ours['plain_points_per_s'] / 1e3:.0f}k points/s (under tracemalloc "
                f"{ours['points_per_s'] / 1e3:.0f}k); baseline: list of "
                f"dicts{note}"
            ),
        )
    ]


def main(argv: list[str]) -> int:
    return run_standalone("store", argv, run)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
