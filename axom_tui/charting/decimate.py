"""Min/max-per-column decimation: at most two points per plot column, spikes kept.

A chart never needs more points than it has columns. Each column (a bucket of equal
width in *step* space, so irregular logging intervals stay honest) contributes the
smallest and the largest finite value it holds, so a single spike in a million points
still reaches its full height. Non-finite values (NaN, ±inf) are never plotted: they
break the line where they occur, and are counted and located for the caller.

Everything here is vectorised numpy over the whole window (``searchsorted`` for the
bucket edges, ``fmin``/``fmax``/``add`` ``.reduceat`` for the reductions), so a
million points decimate in about a millisecond.

Inputs may be the run store's own ``array('q')``/``array('d')`` columns. numpy views
of them are taken for the duration of the call only: an ``array`` with a live buffer
export cannot grow, so nothing returned here shares memory with the inputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from axom_tui.charting.summary import BLOCK, BlockSummary

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: At most this many gap runs are located; the count of bad values is always exact.
MAX_GAP_RUNS = 64


@dataclass(frozen=True, slots=True)
class Decimated:
    """Points ready to plot, in ascending x.

    ``connect[i]`` says whether a line is drawn from point ``i - 1`` to point ``i``
    (always False for the first point, and False across every non-finite region).
    """

    x: FloatArray
    y: FloatArray
    connect: BoolArray
    #: NaN/±inf values in the window (never plotted).
    nonfinite: int = 0
    #: How many of those are ±inf rather than NaN.
    infinite: int = 0
    #: Finite values hidden because the axis is logarithmic and they are <= 0.
    nonpositive: int = 0
    #: Step ranges ``(first, last)`` of the non-finite runs, at most ``MAX_GAP_RUNS``.
    gaps: tuple[tuple[int, int], ...] = field(default=())
    #: Total number of source points in the window.
    source_points: int = 0

    def __len__(self) -> int:
        return int(self.x.shape[0])

    @property
    def y_range(self) -> tuple[float, float] | None:
        """Smallest and largest plotted value, or None when nothing is plotted."""
        if self.y.shape[0] == 0:
            return None
        return float(self.y.min()), float(self.y.max())


EMPTY = Decimated(np.empty(0), np.empty(0), np.empty(0, dtype=bool))


def as_steps(steps: Sequence[int] | npt.ArrayLike) -> npt.NDArray[np.integer]:
    """Steps as an integer array, a view when they already are one (the store keeps
    ``array('i')`` until a step needs 64 bits). Never converted per call: a million
    steps copied to int64 is 8 MB per line per redraw."""
    array_ = np.asarray(steps)
    return array_ if array_.dtype.kind in "iu" else array_.astype(np.int64)


def step_keys(s: npt.NDArray[np.integer], values: npt.ArrayLike) -> npt.NDArray[np.integer]:
    """``values`` (steps, possibly fractional) as keys of ``s``'s own dtype for
    ``searchsorted``, rounded up (a mixed-type search would convert all of ``s``)."""
    info = np.iinfo(s.dtype)
    keys = np.ceil(np.asarray(values, dtype=np.float64)).clip(info.min, info.max)
    return keys.astype(s.dtype)


def _as_float64(values: Sequence[float] | npt.ArrayLike) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


def window_bounds(
    steps: npt.NDArray[np.integer], n: int, window: tuple[float, float] | None
) -> tuple[int, int]:
    """Index range ``[lo, hi)`` of the points whose step lies inside ``window``."""
    if window is None:
        return 0, n
    lo_key, hi_key = step_keys(steps, [window[0], np.floor(window[1]) + 1])
    lo = int(np.searchsorted(steps[:n], lo_key, side="left"))
    hi = int(np.searchsorted(steps[:n], hi_key, side="left"))
    return lo, max(lo, hi)


def decimate(
    steps: Sequence[int] | npt.ArrayLike,
    values: Sequence[float] | npt.ArrayLike,
    columns: int,
    *,
    window: tuple[float, float] | None = None,
    positive_only: bool = False,
    summary: BlockSummary | None = None,
) -> Decimated:
    """Reduce ``values`` (indexed by ascending unique ``steps``) to <= 2 * ``columns`` points.

    ``window`` limits the result to steps inside ``[window[0], window[1]]`` (zoom).
    ``positive_only`` hides values <= 0 (for a log axis) the same way as NaN, but
    counts them separately. ``summary``, if it summarises exactly ``values``, lets a
    long series be decimated from its blocks (see :mod:`.summary`).
    """
    s_all = as_steps(steps)
    v_all = _as_float64(values)
    n = min(s_all.shape[0], v_all.shape[0])
    lo, hi = window_bounds(s_all, n, window)
    columns = max(1, int(columns))
    try:
        if (summary is not None and window is None and summary.length == v_all.shape[0]
                and n >= BLOCK * 8 * columns):
            return _from_blocks(s_all[:n], v_all[:n], summary, columns, positive_only)
        return _decimate(s_all[lo:hi], v_all[lo:hi], columns, positive_only)
    finally:
        # Release the views of the caller's buffers before returning (see module doc).
        del s_all, v_all


def _bucket_starts(s: npt.NDArray[np.integer], columns: int) -> npt.NDArray[np.intp]:
    """First index of each non-empty bucket of ``columns`` equal step-width buckets."""
    edges = np.linspace(int(s[0]), int(s[-1]) + 1, columns + 1)
    starts = np.searchsorted(s, step_keys(s, edges[:-1]), side="left")
    return np.unique(starts[starts < s.shape[0]])


def _decimate(
    s: npt.NDArray[np.integer], v: FloatArray, columns: int, positive_only: bool
) -> Decimated:
    m = s.shape[0]
    if m == 0:
        return EMPTY
    v_orig = v
    nonpositive = 0
    if positive_only:
        hide = v <= 0
        if hide.any():
            nonpositive = int(np.count_nonzero(hide & (v > -np.inf)))  # -inf counts as NaN/inf
            v = np.where(hide, np.nan, v)
    if m <= 2 * columns:
        return _every_point(s, v, v_orig, nonpositive)

    starts = _bucket_starts(s, columns)
    ends = np.append(starts[1:], m)
    mins = np.fmin.reduceat(v, starts)
    maxs = np.fmax.reduceat(v, starts)
    # A bucket whose sum is not finite holds NaN or inf (or overflowed): slow path.
    with np.errstate(over="ignore", invalid="ignore"):
        bad = ~np.isfinite(np.add.reduceat(v, starts))
    bad_count = np.zeros(starts.shape[0], dtype=np.int64)
    nonfinite = infinite = 0
    gaps: tuple[tuple[int, int], ...] = ()
    if bad.any():
        finite = np.isfinite(v)
        for k in np.flatnonzero(bad):
            a, b = int(starts[k]), int(ends[k])
            ok = finite[a:b]
            bad_count[k] = (b - a) - int(np.count_nonzero(ok))
            seg = v[a:b][ok]
            mins[k], maxs[k] = (seg.min(), seg.max()) if seg.shape[0] else (np.nan, np.nan)
        nonfinite, infinite, gaps = _count_and_locate(s, v_orig)
    return _assemble(s, v, starts, ends, mins, maxs, bad_count,
                     nonfinite=nonfinite, infinite=infinite, nonpositive=nonpositive,
                     gaps=gaps, source_points=m)


def _from_blocks(
    s: npt.NDArray[np.integer], v: FloatArray, summary: BlockSummary, columns: int,
    positive_only: bool,
) -> Decimated:
    """Like ``_decimate`` over the whole series, reading the summary's blocks."""
    m = s.shape[0]
    nblocks = summary.blocks
    # Bucket edges found among the blocks' first steps: 1/BLOCK of the data to search.
    edges = np.linspace(int(s[0]), int(s[-1]) + 1, columns + 1)
    block_steps = s[::BLOCK]
    bstarts = np.searchsorted(block_steps, step_keys(s, edges[:-1]), side="right") - 1
    bstarts = np.unique(bstarts.clip(0, nblocks - 1))
    maxs = np.fmax.reduceat(summary.maxs[:nblocks], bstarts)
    bad_blocks = summary.bad[:nblocks]
    hidden_blocks = bad_blocks + summary.nonpos[:nblocks] if positive_only else bad_blocks
    if positive_only:
        mins = np.fmin.reduceat(summary.posmins[:nblocks], bstarts)
        maxs = np.where(maxs > 0, maxs, np.nan)
    else:
        mins = np.fmin.reduceat(summary.mins[:nblocks], bstarts)
    bad_count = np.add.reduceat(hidden_blocks, bstarts)
    nonfinite = int(bad_blocks.sum())
    nonpositive = int(summary.nonpos[:nblocks].sum()) if positive_only else 0
    infinite = 0
    gaps: tuple[tuple[int, int], ...] = ()
    if nonfinite:
        idx = (np.flatnonzero(bad_blocks)[:, None] * BLOCK + np.arange(BLOCK)).ravel()
        idx = idx[idx < m]
        _, infinite, gaps = _count_and_locate(s[idx], v[idx], idx)
    starts = bstarts * BLOCK
    ends = np.append(starts[1:], m)
    return _assemble(s, v, starts, ends, mins, maxs, bad_count,
                     nonfinite=nonfinite, infinite=infinite, nonpositive=nonpositive,
                     gaps=gaps, source_points=m)


def _assemble(
    s: npt.NDArray[np.integer], v: FloatArray, starts: npt.NDArray[np.intp],
    ends: npt.NDArray[np.intp], mins: FloatArray, maxs: FloatArray,
    bad_count: npt.NDArray[np.integer], **stats: object,
) -> Decimated:
    """Two points per bucket (min and max, finite only), joined unless a bad value lies between."""
    # Order each bucket's pair so the line enters near where the data entered it:
    # the bucket's first value picks min-first or max-first.
    first = v[starts]
    with np.errstate(invalid="ignore"):
        min_first = np.abs(first - mins) <= np.abs(first - maxs)
    ya = np.where(min_first, mins, maxs)
    yb = np.where(min_first, maxs, mins)
    xa = s[starts].astype(np.float64)
    xb = s[ends - 1].astype(np.float64)

    emitted = ~np.isnan(mins)  # buckets with at least one finite value
    two = emitted & (ends - starts > 1) & (mins != maxs)
    # Interleave (a, b) per bucket, then keep the valid ones.
    x = np.column_stack([xa, xb]).ravel()
    y = np.column_stack([ya, yb]).ravel()
    keep = np.column_stack([emitted, two]).ravel()
    # A bucket's first point joins the previous emitted bucket only when no bad value
    # lies in between (bad buckets included); its second point always joins its first.
    cum = np.concatenate([[0], np.cumsum(bad_count)])
    em_idx = np.flatnonzero(emitted)
    join_first = np.zeros(starts.shape[0], dtype=bool)
    if em_idx.shape[0] > 1:
        prev = em_idx[:-1]
        cur = em_idx[1:]
        join_first[cur] = (cum[cur + 1] - cum[prev]) == 0
    connect = np.column_stack([join_first, np.ones_like(join_first)]).ravel()
    return Decimated(x=x[keep], y=y[keep], connect=connect[keep], **stats)  # type: ignore[arg-type]


def _every_point(
    s: npt.NDArray[np.integer], v: FloatArray, v_orig: FloatArray, nonpositive: int
) -> Decimated:
    """Few enough points to plot them all: only drop the non-finite ones."""
    finite = np.isfinite(v)
    if finite.all():
        connect = np.ones(v.shape[0], dtype=bool)
        connect[0] = False
        return Decimated(s.astype(np.float64), v.copy(), connect, source_points=v.shape[0])
    nonfinite, infinite, gaps = _count_and_locate(s, v_orig)
    idx = np.flatnonzero(finite)
    connect = np.zeros(idx.shape[0], dtype=bool)
    if idx.shape[0] > 1:
        connect[1:] = np.diff(idx) == 1
    return Decimated(
        s[idx].astype(np.float64), v[idx], connect, nonfinite=nonfinite,
        infinite=infinite, nonpositive=nonpositive, gaps=gaps, source_points=v.shape[0],
    )


def _count_and_locate(
    s: npt.NDArray[np.integer], v: FloatArray, positions: npt.NDArray[np.intp] | None = None
) -> tuple[int, int, tuple[tuple[int, int], ...]]:
    """Counts of the NaN/inf and of the inf values of ``v``, and the step ranges of their runs.

    ``positions`` (increasing) are the indices in the full series of the values given,
    when only part of it is passed: runs do not continue across a jump in them.
    """
    bad = np.flatnonzero(~np.isfinite(v))
    if bad.shape[0] == 0:
        return 0, 0, ()
    idx = bad if positions is None else positions[bad]
    breaks = np.flatnonzero(np.diff(idx) != 1)
    run_starts = np.concatenate([[0], breaks + 1])[:MAX_GAP_RUNS]
    run_ends = np.concatenate([breaks, [idx.shape[0] - 1]])[:MAX_GAP_RUNS]
    gaps = tuple((int(s[bad[a]]), int(s[bad[b]])) for a, b in zip(run_starts, run_ends))
    infinite = int(np.count_nonzero(np.isinf(v[bad])))
    return int(bad.shape[0]), infinite, gaps
