"""Bookkeeping shared by the caches kept in step with a growing series (EMA, block summary)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def restart_index(
    values: npt.NDArray[np.float64], computed: int, last_raw: float, dirty_from: int | None
) -> int:
    """First index of ``values`` a cache must (re)compute from.

    ``computed`` values were processed last time, the last of them being ``last_raw``.
    Appends restart at ``computed``; ``dirty_from`` (the first index that may have
    changed) moves that back. If the last value processed differs now, the prefix was
    rewritten without notice and everything is redone (returns 0).
    """
    n = values.shape[0]
    start = min(computed, n)
    if dirty_from is not None:
        start = min(start, max(0, int(dirty_from)))
    if start > 0 and start == computed and not same_value(values[start - 1], last_raw):
        start = 0
    return start


def same_value(a: float, b: float) -> bool:
    """Equal, or both NaN."""
    return bool(a == b or (np.isnan(a) and np.isnan(b)))
