"""Metric points for the store tests (imported by name from this folder)."""

from __future__ import annotations

from typing import Any

from axom_tui.api.records import MetricPoint


def full_point(step: int, **extra: Any) -> MetricPoint:
    """A point with every metric set, a new cycle every 20,000 steps, an eval every 1,000:
    what the memory budgets are measured on."""
    return MetricPoint(
        step=step,
        loss=1.0,
        grad_norm=0.5,
        lr=1e-4,
        throughput=1.4,
        vram_gb=20.0,
        cycle=1 + step // 20_000,
        phase="train" if step % 1000 else "eval",
        **extra,
    )
