"""A run's health flags: the points a person looking at the chart would want to visit.

* ``NaN/inf``: a loss that is not a number or infinite, or an infinite grad_norm (a
  missing grad_norm is NaN in the store, so NaN there is not a flag);
* ``loss spike``: a loss well above where the run was going: more than eight robust
  standard deviations, and 10 %, above the EMA of the points before it;
* ``grad_norm explosion``: a grad_norm four times the EMA before it (and eight robust
  deviations above it).

The baseline is an EMA (weight 0.6, whatever the chart's smoothing), one point behind,
so a trend or a cycle's step change is followed within a few points; the scale is the
median absolute deviation of the residuals per block of 64 points, which one spike
cannot move. Consecutive flagged points of one kind (two points apart at most) are one
:class:`Flag`, named by its worst point: ``n``/``N`` in the chart go from flag to flag.

Everything is vectorised: a million points take ~60 ms the first time; then only the
blocks from the first changed one are redone (:class:`FlagCache`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from axom_tui.charting.smoothing import EmaCache

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

BASELINE_WEIGHT = 0.6
BLOCK = 64
SIGMAS = 8.0
LOSS_RISE = 0.10  # a spike is at least this much above the baseline, relatively
GRAD_FACTOR = 4.0
JOIN = 2  # flagged points at most this many indices apart are one flag


class FlagKind(StrEnum):
    NONFINITE = "NaN/inf"
    LOSS_SPIKE = "loss spike"
    GRAD_EXPLOSION = "grad_norm explosion"


@dataclass(frozen=True, slots=True)
class Flag:
    """Flagged points ``first..last`` (indices into the series), worst at ``index``."""

    index: int
    first: int
    last: int
    kind: FlagKind


def lagged(ema: FloatArray, lo: int, n: int) -> FloatArray:
    """The baseline of points ``lo..n-1``: the EMA one point behind, each NaN (an EMA
    skips non-finite values) replaced by the last finite value before it."""
    prev = np.empty(n - lo)
    if n <= lo:
        return prev
    if lo == 0:
        prev[0] = np.nan
        prev[1:] = ema[: n - 1]
    else:
        prev[:] = ema[lo - 1 : n - 1]
    bad = np.isnan(prev)
    if bad.any():
        if bad[0] and lo > 1:
            before = np.flatnonzero(~np.isnan(ema[: lo - 1]))
            if before.shape[0]:
                prev[0] = ema[before[-1]]
                bad[0] = False
        idx = np.where(bad, 0, np.arange(prev.shape[0]))
        np.maximum.accumulate(idx, out=idx)
        prev = prev[idx]
    return prev


def _robust_scale(residual: FloatArray) -> FloatArray:
    """A robust standard deviation of ``residual`` per block (1.4826 x the median of
    ``|residual|``), per point."""
    n = residual.shape[0]
    blocks = -(-n // BLOCK)
    padded = np.full(blocks * BLOCK, np.nan)
    padded[:n] = residual
    body = padded.reshape(blocks, BLOCK)
    finite = np.isfinite(body)
    clean = body if finite.all() else np.where(finite, body, 0.0)  # nanmedian is 20x slower
    # Residuals from a baseline centre on 0: the median of their size is the MAD.
    scale = 1.4826 * np.median(np.abs(clean), axis=1)
    # Mostly NaN (a missing column, the padding of a short block): no scale to go by.
    scale[finite.sum(axis=1) < BLOCK // 2] = np.inf
    # A short last block (a live run's newest points) borrows the block before it.
    if blocks > 1 and n - (blocks - 1) * BLOCK < BLOCK // 2:
        scale[-1] = scale[-2]
    return np.repeat(scale, BLOCK)[:n]


def flagged_points(
    loss: FloatArray,
    grad: FloatArray,
    base: FloatArray,
    gbase: FloatArray,
    has_loss: bool = True,
) -> tuple[IntArray, npt.NDArray[np.int8], FloatArray]:
    """Indices of flagged points, their kind (0 NaN/inf, 1 loss, 2 grad) and severity.

    ``base``/``gbase`` are the baselines (:func:`lagged`); the arrays start on a block
    boundary of the series, so the robust scale sees the same blocks every time."""
    n = loss.shape[0]
    kinds = np.full(n, -1, dtype=np.int8)
    severity = np.zeros(n)
    with np.errstate(all="ignore"):
        bad = (~np.isfinite(loss) & has_loss) | np.isinf(grad)
        res = loss - base
        scale = _robust_scale(res)
        spike = np.isfinite(res) & (res > SIGMAS * scale) & (res > LOSS_RISE * np.abs(base))
        gres = grad - gbase
        gscale = _robust_scale(gres)
        burst = np.isfinite(gres) & (grad > GRAD_FACTOR * np.abs(gbase)) & (gres > SIGMAS * gscale)
        kinds[burst] = 2
        severity[burst] = grad[burst] / np.maximum(np.abs(gbase[burst]), 1e-300)
        kinds[spike] = 1
        severity[spike] = res[spike] / np.maximum(np.abs(base[spike]), 1e-300)
        kinds[bad] = 0
        severity[bad] = np.inf
    idx = np.flatnonzero(kinds >= 0)
    return idx, kinds[idx], severity[idx]


def group(idx: IntArray, kinds: npt.NDArray[np.int8], severity: FloatArray) -> list[Flag]:
    """Consecutive flagged points of one kind as one :class:`Flag` each."""
    names = (FlagKind.NONFINITE, FlagKind.LOSS_SPIKE, FlagKind.GRAD_EXPLOSION)
    out: list[Flag] = []
    if idx.shape[0] == 0:
        return out
    breaks = np.flatnonzero((np.diff(idx) > JOIN) | (np.diff(kinds) != 0)) + 1
    starts = np.concatenate([[0], breaks])
    ends = np.concatenate([breaks, [idx.shape[0]]])
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        worst = a + int(np.argmax(severity[a:b]))  # the first of equals (NaN: the first)
        out.append(Flag(int(idx[worst]), int(idx[a]), int(idx[b - 1]), names[int(kinds[a])]))
    return out


class FlagCache:
    """The flags of one growing series. Appends redo the last blocks only; anything else
    (another run, a resume's rewrite) recomputes everything."""

    def __init__(self) -> None:
        self._key: tuple[object, ...] | None = None
        self._n = 0
        self._loss_ema = EmaCache(BASELINE_WEIGHT)
        self._grad_ema = EmaCache(BASELINE_WEIGHT)
        self._idx = np.empty(0, dtype=np.intp)
        self._kinds = np.empty(0, dtype=np.int8)
        self._sev = np.empty(0)
        self.flags: tuple[Flag, ...] = ()
        #: Sorted indices of every flagged point (what a column's readout prefers), and
        #: how bad each is (NaN/inf: infinitely).
        self.points: IntArray = np.empty(0, dtype=np.intp)
        self.severity: FloatArray = np.empty(0)

    def update(
        self,
        identity: object,
        loss: Sequence[float] | npt.ArrayLike,
        grad: Sequence[float] | npt.ArrayLike,
        dirty_from: int | None = None,
    ) -> tuple[Flag, ...]:
        """Flags of ``loss``/``grad_norm`` (``identity``: the run's steps object, to tell
        runs apart; ``dirty_from``: first index whose values may have changed)."""
        lv = np.asarray(loss, dtype=np.float64)
        gv = np.asarray(grad, dtype=np.float64)
        try:
            n = min(lv.shape[0], gv.shape[0])
            same = self._key == (id(identity),) and n >= self._n
            start = self._n if same else 0
            if dirty_from is not None:
                start = min(start, max(0, dirty_from))
            if same and start == n:
                return self.flags
            if not same:
                self._loss_ema = EmaCache(BASELINE_WEIGHT)
                self._grad_ema = EmaCache(BASELINE_WEIGHT)
            dirty = None if start == self._n else start
            lema = self._loss_ema.update(lv[:n], dirty_from=dirty)
            gema = self._grad_ema.update(gv[:n], dirty_from=dirty)
            # Redo whole blocks, one block back: the scale of a block depends on all of it.
            lo = max(0, (start // BLOCK - 1) * BLOCK)
            has_loss = bool(np.isfinite(lema).any())
            idx, kinds, sev = flagged_points(
                lv[lo:n], gv[lo:n], lagged(lema, lo, n), lagged(gema, lo, n), has_loss
            )
            idx = idx + lo
            old = self._idx < lo
            self._idx = np.concatenate([self._idx[old], idx])
            self._kinds = np.concatenate([self._kinds[old], kinds])
            self._sev = np.concatenate([self._sev[old], sev])
            self._key, self._n = (id(identity),), n
        finally:
            del lv, gv
        self.flags = tuple(group(self._idx, self._kinds, self._sev))
        self.points, self.severity = self._idx, self._sev
        return self.flags


def next_flag(flags: Sequence[Flag], index: int, forward: bool = True) -> Flag | None:
    """The first flag after (``forward``) or before the point at ``index``."""
    if forward:
        return next((f for f in flags if f.index > index), None)
    return next((f for f in reversed(flags) if f.index < index), None)
