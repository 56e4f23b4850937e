"""The smoothing weight's notches for ``<`` and ``>``: how much the EMA remembers.

0.6 is the default; below it the smoothed line follows the raw one closely, above 0.9 it
shows the trend of thousands of steps. The chart's header shows the weight in use. The
notches stay inside (0, 1): a weight of 0 is no smoothing, which ``s`` turns off and on;
``<`` and ``>`` only move the weight of smoothing that is on.
"""

from __future__ import annotations

WEIGHTS = (0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99)


def next_weight(weight: float, step: int) -> float:
    """The notch ``step`` away (+1 smoother, -1 less), from the notch nearest ``weight``."""
    nearest = min(range(len(WEIGHTS)), key=lambda i: abs(WEIGHTS[i] - weight))
    return WEIGHTS[max(0, min(len(WEIGHTS) - 1, nearest + step))]
