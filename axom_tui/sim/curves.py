"""Metric dynamics: what a training step's telemetry looks like.

* loss: an exponential fall towards a floor, with a bump at the start of every
  growth (train) or pruning (contract) cycle that decays over ~8% of a cycle;
  multiplicative noise; ``eval`` points report the (slightly higher) eval loss.
* lr: linear warm-up over the first 6% of each cycle, then cosine decay to 10%
  of the peak; the peak shrinks by 15% per cycle.
* grad_norm: high right after a growth, settles near 0.4, log-normal noise,
  rare spikes (x6-x25).
* throughput (tokens/s) = step rate x seq_len; slower in ``grow``, faster in
  ``eval``.  vram_gb follows the current parameter count (~16 bytes/param for
  full training with Adam, ~2 bytes/param + adapters for LoRA).
* NaN: runs with the ``nan`` feature emit ``loss = NaN`` (and grad_norm = inf)
  at their ``nan_steps`` and at random on ~0.6% of points.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from .plan import RunSpec

NAN = float("nan")
INF = float("inf")


@dataclass(frozen=True)
class Curve:
    loss0: float
    floor: float
    tau: float
    bump: float
    bump_tau: float
    peak_lr: float
    grad_base: float


def make_curve(spec: RunSpec) -> Curve:
    rng = random.Random(spec.seed ^ 0xC0FFEE)
    spc = spec.steps_per_cycle
    lr = float(spec.hyperparams.get("lr", 1e-4))
    if spec.type == "contract":
        l0 = rng.uniform(1.3, 1.9)
        return Curve(
            l0, l0, spec.total_steps, rng.uniform(0.35, 0.8), spc * 0.12, lr, rng.uniform(0.3, 0.5)
        )
    if spec.type == "finetune":
        l0 = rng.uniform(1.8, 2.5)
        return Curve(
            l0,
            l0 * rng.uniform(0.45, 0.6),
            spec.total_steps / 3,
            0.0,
            1.0,
            lr,
            rng.uniform(0.25, 0.45),
        )
    l0 = rng.uniform(2.6, 3.4)
    return Curve(
        l0,
        rng.uniform(0.3, 0.9),
        spec.total_steps / 3.2,
        rng.uniform(0.25, 0.55),
        spc * 0.08,
        lr,
        rng.uniform(0.3, 0.5),
    )


def smooth_loss(spec: RunSpec, c: Curve, step: int) -> float:
    spc = spec.steps_per_cycle
    cycle = min(spec.cycles, max(1, (step - 1) // spc + 1)) if step > 0 else 1
    if spec.type == "contract":
        base = c.loss0 * (1.0 + 0.008 * cycle)
        since = step - (cycle - 1) * spc
        return base + c.bump * (0.85 ** (cycle - 1)) * math.exp(-since / c.bump_tau)
    loss = c.floor + (c.loss0 - c.floor) * math.exp(-step / c.tau)
    if c.bump and cycle >= 2:
        since = step - (cycle - 1) * spc
        loss += c.bump * (0.8 ** (cycle - 2)) * math.exp(-since / c.bump_tau)
    return loss


def phase_of(spec: RunSpec, step: int) -> tuple[int, str, int]:
    """(cycle, phase, position within the cycle 1..spc) of ``step`` (>= 1)."""
    spc = spec.steps_per_cycle
    cycle = (step - 1) // spc + 1
    pos = step - (cycle - 1) * spc
    if spec.type == "train" and pos <= max(1, int(0.03 * spc)):
        return cycle, "grow", pos
    if pos > 0.96 * spc:
        return cycle, "eval", pos
    return cycle, "train", pos


def lr_at(spec: RunSpec, c: Curve, cycle: int, pos: int) -> float:
    spc = spec.steps_per_cycle
    peak = c.peak_lr * (0.85 ** (cycle - 1))
    warm = max(1.0, 0.06 * spc)
    if pos < warm:
        return peak * pos / warm
    frac = (pos - warm) / max(1.0, spc - warm)
    return peak * (0.1 + 0.9 * 0.5 * (1.0 + math.cos(math.pi * frac)))


def point(spec: RunSpec, c: Curve, step: int, rate: float, rng: random.Random) -> dict:
    """One metric point (without ``ts``), drawing its noise from ``rng``."""
    cycle, phase, pos = phase_of(spec, step)
    spc = spec.steps_per_cycle
    smooth = smooth_loss(spec, c, step)
    if phase == "eval":
        loss = (smooth + 0.04) * (1.0 + rng.gauss(0.0, 0.004))
    else:
        loss = smooth * (1.0 + rng.gauss(0.0, 0.015))
        if rng.random() < 0.01:
            loss *= 1.0 + rng.uniform(0.03, 0.08)
    g = (c.grad_base + 0.9 * math.exp(-pos / (0.1 * spc))) * math.exp(rng.gauss(0.0, 0.12))
    if rng.random() < 0.004:
        g *= rng.uniform(6.0, 25.0)
    params = spec.params_by_cycle[cycle - 1]
    tps = rate * spec.seq_len * (1.0 + rng.gauss(0.0, 0.02))
    if phase == "grow":
        tps *= 0.6
    elif phase == "eval":
        tps *= 1.6
    if spec.type == "finetune":
        vram = params * 2.2e-9 + 2.5 + spec.seq_len / 512
    else:
        vram = params * 16e-9 + 1.5 + spec.seq_len / 256
    if phase == "eval":
        vram -= 1.2
    vram += rng.gauss(0.0, 0.15)
    loss_v: float = round(loss, 4)
    g_v: float = round(g, 3)
    if "nan" in spec.features and (step in spec.nan_steps or rng.random() < 0.006):
        loss_v, g_v = NAN, INF
    return {
        "step": step,
        "cycle": cycle,
        "phase": phase,
        "loss": loss_v,
        "lr": float(f"{lr_at(spec, c, cycle, pos):.4g}"),
        "throughput": round(tps, 1),
        "vram_gb": round(vram, 2),
        "grad_norm": g_v,
    }


def final_eval_loss(spec: RunSpec, c: Curve) -> float:
    return smooth_loss(spec, c, spec.total_steps) + 0.04


def baseline_loss(spec: RunSpec, c: Curve) -> float:
    return c.loss0 + 0.05
