"""Shared helpers for the chart tests: series builders and ANSI stripping."""

from __future__ import annotations

import re

import numpy as np

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def plain(text: str) -> str:
    """The text without its colour escapes."""
    return ANSI.sub("", text)


def training_curve(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Steps, a falling noisy loss and a grad_norm around 1, like a real run."""
    rng = np.random.default_rng(seed)
    steps = np.arange(n, dtype=np.int64) * 10
    x = np.arange(n)
    loss = 3 * np.exp(-x / max(1, n / 4)) + 0.3 + 0.05 * rng.standard_normal(n)
    grad = 1 + 0.2 * rng.standard_normal(n)
    return steps, loss, grad


def naive_ema(values, weight: float) -> np.ndarray:
    """TensorBoard's smoothing, one value at a time (the reference)."""
    out, last, count = [], 0.0, 0
    for v in values:
        if not np.isfinite(v):
            out.append(np.nan)
            continue
        last = last * weight + (1 - weight) * v
        count += 1
        out.append(last / (1 - weight**count))
    return np.array(out)
