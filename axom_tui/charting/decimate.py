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
from typing import NamedTuple

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
    long series (or a long window of it) be decimated from its blocks (see
    :mod:`.summary`). Each point returned is a point of the series: a bucket's
    smallest and largest value, each at its own step.
    """
    s_all = as_steps(steps)
    v_all = _as_float64(values)
    n = min(s_all.shape[0], v_all.shape[0])
    lo, hi = window_bounds(s_all, n, window)
    columns = max(1, int(columns))
    try:
        if (
            summary is not None
            and summary.length == v_all.shape[0]
            and hi - lo >= BLOCK * 8 * columns
        ):
            return _from_summary(s_all[:n], v_all[:n], summary, lo, hi, columns, positive_only)
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
    kmin = _first_equal(v, mins, starts, ends)
    kmax = _first_equal(v, maxs, starts, ends)
    buckets = _Buckets(starts, ends, mins, maxs, kmin, kmax, bad_count)
    return _assemble(s, v, buckets, nonfinite, infinite, nonpositive, gaps, m)


def _first_equal(
    v: FloatArray, targets: FloatArray, starts: npt.NDArray[np.intp], ends: npt.NDArray[np.intp]
) -> npt.NDArray[np.intp]:
    """Index of the first value equal to its bucket's target in each bucket (the
    bucket's start where there is none: a bucket of NaN)."""
    hits = np.flatnonzero(v == np.repeat(targets, ends - starts))
    if hits.shape[0] == 0:
        return starts.copy()
    at = np.searchsorted(hits, starts).clip(0, hits.shape[0] - 1)
    found = hits[at]
    return np.where((found >= starts) & (found < ends), found, starts)


def _edge_unit(
    v: FloatArray, a: int, b: int
) -> tuple[float, float, float, int, int, int, int, int]:
    """What a block summary holds, for the few points ``v[a:b]`` at a window's edge:
    min, max, smallest positive, NaN/inf count, <= 0 count, and the offsets from ``a``
    of the three."""
    seg = v[a:b]
    ok = np.flatnonzero(np.isfinite(seg))
    if ok.shape[0] == 0:
        return (np.nan, np.nan, np.nan, b - a, 0, 0, 0, 0)
    vals = seg[ok]
    i_min, i_max = int(np.argmin(vals)), int(np.argmax(vals))
    pos = np.flatnonzero(vals > 0)
    i_pos = int(pos[np.argmin(vals[pos])]) if pos.shape[0] else i_min
    posmin = float(vals[i_pos]) if pos.shape[0] else np.nan
    return (
        float(vals[i_min]),
        float(vals[i_max]),
        posmin,
        b - a - ok.shape[0],
        int(np.count_nonzero(vals <= 0)),
        int(ok[i_min]),
        int(ok[i_max]),
        int(ok[i_pos]),
    )


def _units(
    summary: BlockSummary,
    names: tuple[str, ...],
    fields: tuple[int, ...],
    head: tuple[float, ...] | None,
    tail: tuple[float, ...] | None,
    b0: int,
    b1: int,
) -> list[npt.NDArray[np.float64]]:
    """The summary's columns ``names`` over blocks ``b0..b1-1``, with the edge units'
    ``fields`` before and after (no copy when there are none)."""
    out = []
    for name, k in zip(names, fields, strict=True):
        col = getattr(summary, name)[b0:b1]
        if head is not None or tail is not None:
            col = np.concatenate(
                [[head[k]] if head is not None else [], col, [tail[k]] if tail is not None else []]
            )
        out.append(col)
    return out


def _from_summary(
    s: npt.NDArray[np.integer],
    v: FloatArray,
    summary: BlockSummary,
    lo: int,
    hi: int,
    columns: int,
    positive_only: bool,
) -> Decimated:
    """Like ``_decimate`` over ``[lo, hi)``, reading the summary's blocks for the whole
    blocks inside it and the points themselves for the partial blocks at its edges."""
    b0, b1 = -(-lo // BLOCK), hi // BLOCK  # the whole blocks: b0 .. b1 - 1
    head = _edge_unit(v, lo, b0 * BLOCK) if lo < b0 * BLOCK else None
    tail = _edge_unit(v, b1 * BLOCK, hi) if b1 * BLOCK < hi else None
    ustarts = np.arange(b0, b1, dtype=np.intp) * BLOCK
    if head is not None or tail is not None:
        ustarts = np.concatenate(
            [[lo] if head is not None else [], ustarts, [b1 * BLOCK] if tail is not None else []]
        ).astype(np.intp)
    nunits = ustarts.shape[0]
    if positive_only:
        low, at_low, high, at_high, bad, nonpos = _units(
            summary,
            ("posmins", "at_posmin", "maxs", "at_max", "bad", "nonpos"),
            (2, 7, 1, 6, 3, 4),
            head,
            tail,
            b0,
            b1,
        )
        high = np.where(high > 0, high, np.nan)
        hidden = bad + nonpos
    else:
        low, at_low, high, at_high, bad = _units(
            summary,
            ("mins", "at_min", "maxs", "at_max", "bad"),
            (0, 5, 1, 6, 3),
            head,
            tail,
            b0,
            b1,
        )
        hidden = bad
    # Bucket edges found among the units' first steps: 1/BLOCK of the data to search.
    edges = np.linspace(int(s[lo]), int(s[hi - 1]) + 1, columns + 1)
    bst = np.searchsorted(s[ustarts], step_keys(s, edges[:-1]), side="right") - 1
    bst = np.unique(bst.clip(0, nunits - 1))
    counts = np.diff(np.append(bst, nunits))
    mins = np.fmin.reduceat(low, bst)
    maxs = np.fmax.reduceat(high, bst)
    # Where each bucket's extreme is: the first unit holding it, and its place there.
    order = np.arange(nunits)
    with np.errstate(invalid="ignore"):
        u_low = np.minimum.reduceat(
            np.where(low == np.repeat(mins, counts), order, nunits), bst
        ).clip(0, nunits - 1)
        u_high = np.minimum.reduceat(
            np.where(high == np.repeat(maxs, counts), order, nunits), bst
        ).clip(0, nunits - 1)
    kmin = ustarts[u_low] + at_low[u_low].astype(np.intp)
    kmax = ustarts[u_high] + at_high[u_high].astype(np.intp)
    bad_count = np.add.reduceat(hidden, bst).astype(np.int64)
    nonfinite = int(bad.sum())
    nonpositive = int(nonpos.sum()) if positive_only else 0
    infinite = 0
    gaps: tuple[tuple[int, int], ...] = ()
    if nonfinite:
        ends_u = np.append(ustarts[1:], hi)
        idx = np.concatenate(
            [np.arange(ustarts[u], ends_u[u]) for u in np.flatnonzero(bad).tolist()]
        )
        _, infinite, gaps = _count_and_locate(s[idx], v[idx], idx)
    starts = ustarts[bst]
    buckets = _Buckets(starts, np.append(starts[1:], hi), mins, maxs, kmin, kmax, bad_count)
    return _assemble(s, v, buckets, nonfinite, infinite, nonpositive, gaps, hi - lo)


class _Buckets(NamedTuple):
    """Each bucket's ``[start, end)`` indices, min and max, their first indices, and its
    count of values not plotted (non-finite, or hidden by a log axis)."""

    starts: npt.NDArray[np.intp]
    ends: npt.NDArray[np.intp]
    mins: FloatArray
    maxs: FloatArray
    kmin: npt.NDArray[np.intp]
    kmax: npt.NDArray[np.intp]
    bad_count: npt.NDArray[np.integer]


def _assemble(
    s: npt.NDArray[np.integer],
    v: FloatArray,
    buckets: _Buckets,
    nonfinite: int,
    infinite: int,
    nonpositive: int,
    gaps: tuple[tuple[int, int], ...],
    source_points: int,
) -> Decimated:
    """Two points per bucket (its min and max, at their own steps, in the order they
    came), joined unless a bad value lies between; the counts go on as they are."""
    starts, _, mins, maxs, kmin, kmax, bad_count = buckets
    emitted = ~np.isnan(mins)  # buckets with at least one finite value
    kmin = np.where(emitted, kmin, starts).clip(0, s.shape[0] - 1)
    kmax = np.where(emitted, kmax, starts).clip(0, s.shape[0] - 1)
    min_first = kmin <= kmax
    ya = np.where(min_first, mins, maxs)
    yb = np.where(min_first, maxs, mins)
    xa = s[np.where(min_first, kmin, kmax)].astype(np.float64)
    xb = s[np.where(min_first, kmax, kmin)].astype(np.float64)

    two = emitted & (kmin != kmax) & (mins != maxs)
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
    return Decimated(
        x[keep], y[keep], connect[keep], nonfinite, infinite, nonpositive, gaps, source_points
    )


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
        s[idx].astype(np.float64),
        v[idx],
        connect,
        nonfinite=nonfinite,
        infinite=infinite,
        nonpositive=nonpositive,
        gaps=gaps,
        source_points=v.shape[0],
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
