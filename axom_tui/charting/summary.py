"""Per-block min/max of a growing series, so decimation need not read every point.

Decimating a million points reads 8 MB per pass, three passes per line; with raw and
smoothed loss and grad_norm on screen that is ~100 MB per redraw, which is memory
bound (~25 ms here). A :class:`BlockSummary` keeps, for each block of ``BLOCK``
consecutive points, the smallest and largest finite value, the smallest positive
one (log axes), where in the block each of those is (so a decimated spike is drawn at
its own step, and the chart's cursor finds it there), and how many values are
non-finite or non-positive. Decimation then
reduces ~16k block entries instead of 1M points (``decimate(..., summary=...)``),
with bucket edges moved to block boundaries: at most ``BLOCK`` points, far less than
one dot column once the summary is worth using.

It is kept up to date like :class:`~axom_tui.charting.smoothing.EmaCache`: appends
cost O(appended + BLOCK), a rewrite from index i recomputes the blocks from i on.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from axom_tui.charting.incremental import restart_index

BLOCK = 64
_FIELDS = (
    ("mins", np.float64),
    ("maxs", np.float64),
    ("posmins", np.float64),
    ("bad", np.int64),
    ("nonpos", np.int64),
    ("at_min", np.int8),
    ("at_max", np.int8),
    ("at_posmin", np.int8),
)


class BlockSummary:
    __slots__ = (
        "_n",
        "_raw_last",
        "at_max",
        "at_min",
        "at_posmin",
        "bad",
        "maxs",
        "mins",
        "nonpos",
        "posmins",
    )

    def __init__(self) -> None:
        self._n = 0
        self._raw_last = np.nan
        self.mins = np.empty(0)  # finite-only; NaN for a block with no finite value
        self.maxs = np.empty(0)
        self.posmins = np.empty(0)  # smallest value > 0; NaN if none
        self.bad = np.empty(0, dtype=np.int64)  # NaN/inf count
        self.nonpos = np.empty(0, dtype=np.int64)  # finite values <= 0
        # Offsets in the block of the first smallest / largest / smallest positive value.
        self.at_min = np.empty(0, dtype=np.int8)
        self.at_max = np.empty(0, dtype=np.int8)
        self.at_posmin = np.empty(0, dtype=np.int8)

    @property
    def length(self) -> int:
        """Number of points summarised."""
        return self._n

    @property
    def blocks(self) -> int:
        return -(-self._n // BLOCK)

    def update(
        self, values: Sequence[float] | npt.ArrayLike, *, dirty_from: int | None = None
    ) -> None:
        """Summarise ``values``; only blocks from ``dirty_from`` (or new ones) are redone."""
        v = np.asarray(values, dtype=np.float64)
        try:
            n = v.shape[0]
            start = restart_index(v, self._n, self._raw_last, dirty_from)
            if start < n or n < self._n:
                self._compute(v, (start // BLOCK) * BLOCK)
            self._n = n
            self._raw_last = float(v[n - 1]) if n else np.nan
        finally:
            del v

    def _compute(self, v: npt.NDArray[np.float64], start: int) -> None:
        n = v.shape[0]
        nblocks = -(-n // BLOCK)
        self._reserve(nblocks)
        first = start // BLOCK
        tail = v[start:n]
        pad = (-tail.shape[0]) % BLOCK
        if pad:
            tail = np.concatenate([tail, np.full(pad, np.nan)])
        body = tail.reshape(-1, BLOCK)
        end = first + body.shape[0]
        finite = np.isfinite(body)
        all_finite = bool(finite.all())
        clean = body if all_finite else np.where(finite, body, np.nan)
        with np.errstate(invalid="ignore"):
            low = clean if all_finite else np.where(finite, body, np.inf)
            high = clean if all_finite else np.where(finite, body, -np.inf)
            at_min = low.argmin(axis=1)
            at_max = high.argmax(axis=1)
            rows = np.arange(body.shape[0])
            mins, maxs = low[rows, at_min], high[rows, at_max]
            if not all_finite:
                none = ~finite.any(axis=1)
                mins[none] = np.nan
                maxs[none] = np.nan
            posmins = mins.copy()
            at_posmin = at_min.copy()
            mixed = np.flatnonzero(~(mins > 0))  # blocks holding values <= 0 (or nothing)
            nonpos = np.zeros(body.shape[0], dtype=np.int64)
            if mixed.shape[0]:
                part = low[mixed]
                positive = np.where(part > 0, part, np.inf)
                at = positive.argmin(axis=1)
                found = positive[np.arange(mixed.shape[0]), at]
                posmins[mixed] = np.where(np.isfinite(found), found, np.nan)
                at_posmin[mixed] = at
                nonpos[mixed] = (part <= 0).sum(axis=1)
        self.mins[first:end] = mins
        self.maxs[first:end] = maxs
        self.posmins[first:end] = posmins
        bad = np.zeros(body.shape[0], dtype=np.int64) if all_finite else (~finite).sum(axis=1)
        if pad:
            bad[-1] -= pad  # the padding is not data
        self.bad[first:end] = bad
        self.nonpos[first:end] = nonpos
        self.at_min[first:end] = at_min
        self.at_max[first:end] = at_max
        self.at_posmin[first:end] = at_posmin

    def _reserve(self, nblocks: int) -> None:
        if self.mins.shape[0] >= nblocks:
            return
        cap = max(nblocks, int(self.mins.shape[0] * 1.5) + 64)
        keep = self.blocks
        for name, dtype in _FIELDS:
            new = np.empty(cap, dtype=dtype)
            new[:keep] = getattr(self, name)[:keep]
            setattr(self, name, new)
