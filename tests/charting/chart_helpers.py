"""Shared helpers for the chart tests: series builders and ANSI stripping."""

from __future__ import annotations

import re

import numpy as np

from axom_tui.charting.frame import FrameKey, Ticks

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


def frame_key(**fields) -> FrameKey:
    """A chart frame layout: 60x12, three colours, "0"/"1.5" on the left, no right axis,
    no vertical lines, ``x`` ticks "0"/"10k"; ``fields`` override any of them."""
    base = dict(
        width=60,
        height=12,
        background=(0, 0, 0),
        axis_color=(1, 1, 1),
        label_color=(2, 2, 2),
        x=Ticks((0, 40), ("0", "10k")),
        left=Ticks((0, 4), ("0", "1.5")),
        right=None,
        vlines=(),
    )
    return FrameKey(**{**base, **fields})


def loss_and_grad(series) -> dict[str, np.ndarray]:
    """The two columns the run chart draws by default, from a MetricSeries."""
    return {"loss": series.column("loss"), "grad_norm": series.column("grad_norm")}


def feed(target, series, version: int, **kw) -> None:
    """Hand ``series``' loss and grad_norm, with each point's time, to a chart or its data."""
    target.set_data(series.steps, loss_and_grad(series), version=version, stamps=series.times, **kw)


def labels_of(series):
    """The chart's ``label_at``: each step's cycle and phase as the series holds them."""
    return lambda step: (series.cycle_at(step), series.phase_at(step))


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
