"""Shared helpers for the run cache tests: points, series, a scratch cache file."""

from __future__ import annotations

import dataclasses
import math
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from axom_tui.api.records import Event, Job, LogLine, MetricPoint, Result
from axom_tui.history.cache import CacheFile, open_cache

KEY = "axom_live_historytest0123456789abcdefXYZ"
T0 = datetime(2026, 6, 4, 2, 45, 20, tzinfo=UTC)


def pt(
    step: int,
    loss: float | None = None,
    cycle: int | None = 1,
    phase: str | None = "train",
    seed: int = 0,
) -> MetricPoint:
    """A point with every field set to a full-precision (unrounded) value, logged at
    :func:`stamp` (the seed is the attempt: a later one logs an hour later)."""
    rng = random.Random(step * 7919 + seed)
    return MetricPoint(
        step=step,
        loss=(0.5 + 2.5 * math.exp(-step / 6e4)) * (1 + rng.gauss(0, 0.015))
        if loss is None
        else loss,
        grad_norm=0.4 * math.exp(rng.gauss(0, 0.12)),
        lr=1e-4 * (0.1 + 0.45 * (1 + math.cos(math.pi * (step % 5000) / 5000))),
        throughput=358.4 * (1 + rng.gauss(0, 0.02)),
        vram_gb=23.6 + rng.gauss(0, 0.15),
        cycle=cycle,
        phase=phase,
        ts=stamp(step, seed),
    )


def stamp(step: int, seed: int = 0) -> datetime:
    """When the point at ``step`` of attempt ``seed`` was logged: a steady 0.75 s a step
    with up to 0.3 s of jitter."""
    jitter = random.Random(step * 104729 + seed).random() * 0.3
    return T0 + timedelta(seconds=3600 * seed + 0.75 * step + jitter)


def points(first: int, last: int, seed: int = 0, **kw) -> list[MetricPoint]:
    return [pt(s, seed=seed, **kw) for s in range(first, last + 1)]


def lines(first: int, last: int) -> list[LogLine]:
    return [
        LogLine(
            seq=s,
            text=f"step {s} · loss {1 / s:.4f} [bold]x[/]",
            stream="stdout",
            ts=T0 + timedelta(seconds=s),
        )
        for s in range(first, last + 1)
    ]


def job(job_id: str = "run-1", status: str = "running", **kw) -> Job:
    fields = {
        "name": "falcon-h1-x2",
        "retries": 0,
        "total_steps": 6000,
        "latest_step": 100,
        "hyperparams": {"lr": 1e-4, "cycles": 6},
        "created_at": T0,
        "started_at": T0,
        "updated_at": T0 + timedelta(minutes=5),
    }
    fields.update(kw)
    return Job(id=job_id, status=status, **fields)


def events(*kinds: str) -> list[Event]:
    return [
        Event(kind=k, ts=T0 + timedelta(seconds=i), payload={"step": i})
        for i, k in enumerate(kinds)
    ]


def result(job_id: str = "run-1") -> Result:
    return Result(
        job_id=job_id,
        ppl_baseline=11023.0,
        ppl_final=324.5,
        loss_final=0.327,
        params_before=1_540_000_000,
        cost_usd=25.0,
    )


def scratch_cache(tmp_path: Path, name: str = "cache.sqlite3") -> CacheFile:
    cache = open_cache(tmp_path / name, origin="http://127.0.0.1")
    assert cache.ok and cache.writable, cache.notice
    return cache


def finished_world(api, steps: int = 5000, log_lines: int = 300) -> None:
    """A completed run "done" on a fake API: ``steps`` points and a NaN eval point, log
    lines, events and a result."""
    run = api.add_run("done", status="completed")
    run.points = points(1, steps) + [pt(steps + 10, loss=float("nan"), cycle=2, phase="eval")]
    run.job = dataclasses.replace(job("done", "completed"), latest_step=steps + 10)
    api.add_lines("done", log_lines)
    run.events = events("submitted", "status", "checkpoint", "completed")
    run.result = result("done")


#: Float rounding of an epoch-seconds line re-based to another step.
ROUNDING = 1e-6


def assert_times(series, want: list[MetricPoint]) -> None:
    """Every point of ``series`` has the stamp of its point in ``want`` (within the
    store's bound)."""
    assert list(series.steps) == [p.step for p in want]
    for p in want:
        got = series.time_at(p.step)
        assert got is not None, f"step {p.step} has no time"
        assert p.ts is not None
        assert abs(got - p.ts.timestamp()) <= series.times.max_error + ROUNDING, p.step
