"""Usage accounting derived from run plans: GPU time, tokens, spend.

A run is billed for the time it holds a GPU worker (statuses in
:data:`~.catalog.GPU_BILLED`); tokens are steps trained (including steps redone
after a preemption) x ``seq_len``; cost = GPU hours x ``GPU_HOUR_USD``.  These
are the same definitions the run's result uses.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from .catalog import GPU_BILLED, TERMINAL, cost_usd
from .clock import day


def _accrue(run, lo: float, hi: float, add) -> None:
    """Call ``add(t0, t1, gpu_seconds, tokens)`` for each billed piece of ``run`` in [lo, hi)."""
    c = run.created
    for seg in run.plan.segments:
        if seg.status not in GPU_BILLED:
            continue
        a = max(lo, c + seg.t0)
        b = min(hi, c + seg.t1) if math.isfinite(seg.t1) else hi
        if b <= a:
            continue
        tokens = 0
        if seg.status == "running":
            tokens = (seg.step_at(b - c) - seg.step_at(a - c)) * run.spec.seq_len
        add(a, b, b - a, tokens)


def overview(runs: list, now: float, days: int, n_datasets: int) -> dict:
    lo = now - days * 86400
    tot = {"gpu": 0.0, "tok": 0}

    def add(a, b, gpu, tok):
        tot["gpu"] += gpu
        tot["tok"] += tok

    active = models = 0
    for r in runs:
        st = r.state(now).status
        if st not in TERMINAL:
            active += 1
        elif st == "completed":
            models += 1
        if r.end >= lo:
            _accrue(r, lo, now, add)
    return {
        "active_runs": active,
        "models": models,
        "datasets": n_datasets,
        "gpu_minutes_period": round(tot["gpu"] / 60.0, 1),
        "tokens_period": int(tot["tok"]),
        "spend_usd_period": cost_usd(tot["gpu"]),
        "period_days": days,
    }


def usage(runs: list, now: float, days: int) -> dict:
    today = datetime.fromtimestamp(now, tz=UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    d0 = today.timestamp() - (days - 1) * 86400
    buckets: list[dict[str, Any]] = [
        {"date": day(d0 + i * 86400), "gpu_seconds": 0.0, "tokens": 0, "jobs": 0}
        for i in range(days)
    ]

    def add(a, b, gpu, tok):
        # split [a, b) across day boundaries; tokens pro rata
        t = a
        while t < b:
            i = int((t - d0) // 86400)
            end = min(b, d0 + (i + 1) * 86400)
            if 0 <= i < days:
                share = (end - t) / (b - a)
                buckets[i]["gpu_seconds"] += end - t
                buckets[i]["tokens"] += tok * share
            t = end

    for r in runs:
        if r.end >= d0:
            _accrue(r, d0, now, add)
        i = int((r.created - d0) // 86400)
        if 0 <= i < days and r.created <= now:
            buckets[i]["jobs"] += 1
    out = []
    for b in buckets:
        out.append(
            {
                "date": b["date"],
                "gpu_minutes": round(b["gpu_seconds"] / 60.0, 1),
                "tokens": int(round(b["tokens"])),
                "cost_usd": cost_usd(b["gpu_seconds"]),
                "jobs": b["jobs"],
            }
        )
    return {
        "period_days": days,
        "unit": "day",
        "total_gpu_minutes": round(sum(b["gpu_minutes"] for b in out), 1),
        "total_tokens": sum(b["tokens"] for b in out),
        "total_cost_usd": round(sum(b["cost_usd"] for b in out), 2),
        "total_jobs": sum(b["jobs"] for b in out),
        "buckets": out,
    }
