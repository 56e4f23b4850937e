"""Debiased exponential moving average, TensorBoard style, kept incrementally.

``ema_t = w * ema_(t-1) + (1 - w) * x_t`` starting from 0, shown as
``ema_t / (1 - w ** k_t)`` where ``k_t`` counts the finite values seen so far, so the
first smoothed value equals the first raw value. Non-finite inputs (NaN, ±inf) are
skipped: the state does not move, and the output there is NaN so the gap shows.

It runs on the *full* series, before decimation (smoothing a decimated series would
smooth min/max pairs, not the data). :class:`EmaCache` keeps the state per index, so
appending k points costs O(k), and a rewrite (a run resumed from a checkpoint re-sends
the steps after it) recomputes only from the first changed index. A first computation
over a million points is vectorised (blocked linear recurrence, a few milliseconds).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from axom_tui.charting.incremental import restart_index

FloatArray = npt.NDArray[np.float64]

DEFAULT_WEIGHT = 0.6
_BLOCK = 32  # block length of the vectorised recurrence
_LOOP_BELOW = 64  # shorter inputs run a plain loop (cheaper than building blocks)


def linear_recurrence(u: FloatArray, b: float, y0: float) -> FloatArray:
    """``y_t = b * y_(t-1) + u_t`` with ``y_(-1) = y0``, vectorised.

    Blocks of ``_BLOCK`` values are solved at once with a lower-triangular matrix of
    powers of ``b`` (no division, so no loss of precision for small ``b``); the values
    carried from block to block satisfy the same recurrence with ``b ** _BLOCK`` and are
    solved recursively.
    """
    n = u.shape[0]
    if n < _LOOP_BELOW:
        out = np.empty(n)
        y = y0
        for i in range(n):
            y = b * y + u[i]
            out[i] = y
        return out
    blocks = -(-n // _BLOCK)
    padded = np.zeros(blocks * _BLOCK)
    padded[:n] = u
    ublk = padded.reshape(blocks, _BLOCK)
    k = np.arange(_BLOCK)
    with np.errstate(under="ignore"):
        powers = b ** k.astype(np.float64)  # b^0 .. b^(B-1)
        lower = np.tril(powers[np.subtract.outer(k, k).clip(0)])
        local = ublk @ lower.T  # each block solved from a zero start
        ends = linear_recurrence(local[:, -1].copy(), b**_BLOCK, y0)
    carry_in = np.concatenate([[y0], ends[:-1]])
    with np.errstate(under="ignore"):
        local += carry_in[:, None] * (powers * b)[None, :]
    return local.ravel()[:n]


def ema_full(values: Sequence[float] | npt.ArrayLike, weight: float = DEFAULT_WEIGHT) -> FloatArray:
    """Debiased, NaN-skipping EMA of a whole series (a fresh array)."""
    cache = EmaCache(weight)
    return cache.update(values).copy()


class EmaCache:
    """Smoothed copy of one growing series, updated in O(appended points).

    Call :meth:`update` with the whole current series each time. It assumes the
    prefix it already smoothed is unchanged unless told otherwise with ``dirty_from``
    (the first index whose value may have changed, e.g. the index of a resume
    point's step). As a cheap guard it also re-checks the last value it saw and
    recomputes everything if that changed. The result is a read-only view of the
    cache's own array (8 bytes per point), valid until the next ``update``; it never
    shares memory with the caller's buffer (see ``decimate`` for why that matters).
    """

    __slots__ = (
        "_count_last",
        "_n",
        "_raw_last",
        "_smoothed",
        "_state_last",
        "_weight",
        "changed_from",
    )

    def __init__(self, weight: float = DEFAULT_WEIGHT) -> None:
        if not 0.0 <= weight < 1.0:
            raise ValueError(f"smoothing weight must be in [0, 1), got {weight!r}")
        self._weight = float(weight)
        self._n = 0  # number of values smoothed
        self._raw_last = np.nan  # the raw value at index _n - 1
        self._smoothed = np.empty(0)  # debiased output, NaN where the input is non-finite
        self._state_last = 0.0  # biased EMA after index _n - 1
        self._count_last = 0  # finite values among the first _n
        #: First index whose output the last ``update`` (re)computed (its length if none).
        self.changed_from = 0

    @property
    def weight(self) -> float:
        return self._weight

    @property
    def computed(self) -> int:
        """How many leading values are currently smoothed."""
        return self._n

    def invalidate(self) -> None:
        """Forget everything: the next update recomputes from the start."""
        self._n = 0
        self._raw_last = np.nan
        self._state_last = 0.0
        self._count_last = 0

    def update(
        self, values: Sequence[float] | npt.ArrayLike, *, dirty_from: int | None = None
    ) -> FloatArray:
        """Smooth ``values``; returns a read-only array of ``len(values)`` floats."""
        v = np.asarray(values, dtype=np.float64)
        try:
            n = v.shape[0]
            start = restart_index(v, self._n, self._raw_last, dirty_from)
            if start < n:
                self._compute(v, start)
            self.changed_from = start
            self._n = n
            self._raw_last = float(v[n - 1]) if n else np.nan
        finally:
            del v
        out = self._smoothed[: self._n]
        out.flags.writeable = False
        return out

    def _resume_state(self, start: int) -> tuple[float, int]:
        """Biased state and finite count after index ``start - 1``."""
        if start == 0:
            return 0.0, 0
        if start == self._n:
            return self._state_last, self._count_last
        done = self._smoothed[:start]
        finite = ~np.isnan(done)
        count = int(np.count_nonzero(finite))
        if count == 0:
            return 0.0, 0
        last = int(start - 1 - np.argmax(finite[::-1]))
        return float(done[last] * _debias(self._weight, np.array([count]))[0]), count

    def _compute(self, v: FloatArray, start: int) -> None:
        n = v.shape[0]
        w = self._weight
        prev_state, prev_count = self._resume_state(start)
        self._reserve(n)
        tail = v[start:n]
        out = self._smoothed[start:n]
        finite = np.isfinite(tail)
        if finite.all():
            out[:] = linear_recurrence((1.0 - w) * tail, w, prev_state)
            counts = None
            state_last, count_last = float(out[-1]), prev_count + tail.shape[0]
        else:
            xs = tail[finite]
            counts = prev_count + np.cumsum(finite)
            # `biased[i]` is the state after the i-th finite value of the tail (0: before).
            biased = np.empty(xs.shape[0] + 1)
            biased[0] = prev_state
            biased[1:] = linear_recurrence((1.0 - w) * xs, w, prev_state)
            out[:] = biased[counts - prev_count]
            state_last, count_last = float(biased[-1]), int(counts[-1])
        # Debias the head (past k_max values, 1 - w**k is 1.0 to double precision).
        k_max = _k_max(w)
        if prev_count < k_max:
            if counts is None:
                head = min(tail.shape[0], k_max - prev_count)
                out[:head] /= _debias(w, prev_count + np.arange(1, head + 1))
            else:
                head = int(np.searchsorted(counts, k_max))
                out[:head] /= _debias(w, counts[:head])
        if counts is not None:
            out[~finite] = np.nan
        self._state_last, self._count_last = state_last, count_last

    def _reserve(self, n: int) -> None:
        if self._smoothed.shape[0] >= n:
            return
        new = np.empty(max(n, int(self._smoothed.shape[0] * 1.5) + 1024))
        new[: self._n] = self._smoothed[: self._n]
        self._smoothed = new


def _k_max(w: float) -> int:
    """Smallest count from which ``w ** count`` is negligible next to 1.0."""
    return 1 if w == 0.0 else int(np.ceil(np.log(1e-18) / np.log(w))) + 1


def _debias(w: float, counts: npt.NDArray[np.int64]) -> FloatArray:
    """``1 - w ** counts`` (1.0 where no value was seen yet, to keep the division harmless)."""
    with np.errstate(under="ignore"):
        out = 1.0 - np.power(w, np.minimum(counts, _k_max(w)).astype(np.float64))
    out[counts == 0] = 1.0
    return out
