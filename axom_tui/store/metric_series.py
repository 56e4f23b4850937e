"""MetricSeries: one run's metric points as columns, merged by step.

Layout (the memory budget is 48 bytes per point, all fields included):

* ``steps``: ``array('i')``, sorted ascending, unique. It is promoted to ``array('q')``
  the first time a step leaves the 32-bit range. 4 bytes rather than 8 leave room for
  the array's own growth slack (CPython over-allocates by 1/16 when an array grows),
  so the budget holds at every size, not only right after a compaction.
* ``loss, grad_norm, lr, throughput, vram_gb``: ``array('d')``, one value per step
  (NaN when the server did not send it).
* ``cycle`` and ``phase``: run-length encoded by step (:class:`StepLabels`); a
  per-point view is built on demand by :meth:`MetricSeries.column`.
* ``ts``: a byte per point beside a few lines from step to time (:class:`StepTimes`),
  exact to 25 ms; read with :meth:`MetricSeries.time_at`.

Merging follows the contract: a step already held is *replaced* (newest wins: after a
preemption the server re-sends the steps after the checkpoint with new values), new
steps beyond the last are appended (the fast path), and anything else is inserted in
order. A batch that changes values of steps already held records a *resume point*.
"""

from __future__ import annotations

import math
import sys
from array import array
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable
from typing import Any

from axom_tui.api.records import MetricPoint
from axom_tui.store.step_labels import StepLabels
from axom_tui.store.step_times import StepTimes

METRIC_COLUMNS = ("loss", "grad_norm", "lr", "throughput", "vram_gb")
LABEL_COLUMNS = ("cycle", "phase")
_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1
NAN = math.nan


def _as_float(value: float | int | None) -> float:
    return NAN if value is None else float(value)


def _same(a: float, b: float) -> bool:
    """Equality where NaN equals NaN (a re-sent NaN is not a change)."""
    return a == b or (a != a and b != b)


def _is_bad_loss(value: float) -> bool:
    return not math.isfinite(value)


class MetricSeries:
    """Columnar metric history of one run. Read columns; never mutate them."""

    __slots__ = (
        "steps",
        "_columns",
        "labels",
        "resume_points",
        "nan_count",
        "_replaced_up_to",
        "changed_from",
        "times",
    )

    def __init__(self) -> None:
        self.steps: array[int] = array("i")
        self._columns: dict[str, array[float]] = {name: array("d") for name in METRIC_COLUMNS}
        self.labels = StepLabels()
        #: When each step was logged (epoch seconds), from the points' ``ts``.
        self.times = StepTimes()
        #: Steps at which a batch began overwriting held steps with new values.
        self.resume_points: list[int] = []
        #: How many held points have a NaN or infinite loss.
        self.nan_count = 0
        #: The last step the previous batch overwrote: a batch that goes on overwriting
        #: from the next held step continues the same resume (one point per resume, not
        #: one per poll while the re-sent steps come in).
        self._replaced_up_to: int | None = None
        #: Lowest index whose point was added or changed since :meth:`take_changed_from`
        #: (None: nothing): the run cache writes from there (``history.sync``).
        self.changed_from: int | None = None

    @classmethod
    def restore(
        cls,
        steps: array[int],
        columns: dict[str, array[float]],
        labels: StepLabels,
        resume_points: list[int],
        nan_count: int,
        times: StepTimes | None = None,
    ) -> MetricSeries:
        """A series from columns read back from the run cache (sorted, unique steps;
        one ``array('d')`` per metric column, as long as ``steps``; ``times`` the
        points' times as the store kept them, None: unstamped)."""
        series = cls()
        if steps and not _INT32_MIN <= steps[0] <= steps[-1] <= _INT32_MAX:
            series.steps = array("q", steps)
        else:
            series.steps = array("i", steps)
        for name in METRIC_COLUMNS:
            column = columns[name]
            if len(column) != len(steps):
                raise ValueError(
                    f"column {name!r} holds {len(column)} values for {len(steps)} steps"
                )
            series._columns[name] = array("d", column)
        series.labels = labels
        series.resume_points = sorted(resume_points)
        series.nan_count = nan_count
        if times is not None:
            if len(times.residuals) != len(steps):
                raise ValueError(f"{len(times.residuals)} times for {len(steps)} steps")
            series.times = times
        series.times.pad(len(series.steps))
        return series

    def take_changed_from(self) -> int | None:
        """Return and clear :attr:`changed_from`."""
        index, self.changed_from = self.changed_from, None
        return index

    def _touch(self, index: int) -> None:
        if self.changed_from is None or index < self.changed_from:
            self.changed_from = index

    # ------------------------------------------------------------ reading

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def last_step(self) -> int | None:
        return self.steps[-1] if self.steps else None

    @property
    def phase_names(self) -> list[str]:
        return self.labels.phase_names

    def column(self, name: str) -> array[Any]:
        """The column ``name``: ``"step"``, a metric, or ``"cycle"``/``"phase"`` (built on demand).

        Metric columns and steps are the live arrays (no copy): treat them as read-only.
        """
        if name in ("step", "steps"):
            return self.steps
        if name in self._columns:
            return self._columns[name]
        if name in LABEL_COLUMNS:
            cycles, phases = self.labels.expand(self.steps)
            return cycles if name == "cycle" else phases
        raise KeyError(f"unknown metric column {name!r}")

    def latest(self, name: str) -> float:
        """The value of ``name`` at the last step held (NaN when empty)."""
        col = self.column(name)
        return float(col[-1]) if col else NAN

    def window(
        self, name: str, start_step: int | None = None, end_step: int | None = None
    ) -> tuple[array[int], array[Any]]:
        """``(steps, values)`` for ``start_step <= step <= end_step`` (copies)."""
        lo = 0 if start_step is None else bisect_left(self.steps, start_step)
        hi = len(self.steps) if end_step is None else bisect_right(self.steps, end_step)
        return self.steps[lo:hi], self.column(name)[lo:hi]

    def cycle_at(self, step: int) -> int | None:
        label = self.labels.label_at(step)
        return label[0] if label is not None and label[0] != 0 else None

    def phase_at(self, step: int) -> str | None:
        label = self.labels.label_at(step)
        return self.labels.phase_name(label[1]) if label is not None else None

    def time_at(self, step: int) -> float | None:
        """When the point at ``step`` was logged (epoch seconds); None if it came without
        a ``ts`` or is not held."""
        i = bisect_left(self.steps, step)
        if i == len(self.steps) or self.steps[i] != step:
            return None
        return self.times.at(i, step)

    def cycle_boundaries(self) -> list[int]:
        """First step of each new cycle (for the chart's vertical markers)."""
        return self.labels.cycle_boundaries()

    def memory_bytes(self) -> int:
        """Bytes held by every field of every point (arrays plus the label runs)."""
        arrays = sys.getsizeof(self.steps) + sum(sys.getsizeof(c) for c in self._columns.values())
        return arrays + self.labels.memory_bytes() + self.times.memory_bytes()

    # ------------------------------------------------------------ merging

    def merge(self, points: Iterable[MetricPoint]) -> int:
        """Merge points by step; return how many steps were added or changed."""
        batch = list(points)
        if not batch:
            return 0
        if self._is_plain_append(batch):
            self._replaced_up_to = None
            return self._append_all(batch)
        changed = 0
        resume_marked = False
        last_replaced: int | None = None
        for point in batch:
            outcome = self._merge_one(point)
            if outcome == "replaced":
                if not resume_marked and not self._continues_resume(point.step):
                    if point.step not in self.resume_points:
                        insort(self.resume_points, point.step)
                resume_marked = True
                last_replaced = point.step
            changed += outcome != "same"
        self._replaced_up_to = last_replaced
        self.times.restamp(
            ((p.step, p.ts.timestamp()) for p in batch if p.ts is not None), self.steps
        )
        return changed

    def _continues_resume(self, step: int) -> bool:
        """Whether ``step`` is the held step right after the last one the previous batch
        overwrote (the same re-send going on)."""
        previous = self._replaced_up_to
        if previous is None or step <= previous:
            return False
        return bisect_left(self.steps, step) == bisect_right(self.steps, previous)

    def _is_plain_append(self, batch: list[MetricPoint]) -> bool:
        previous = self.last_step
        for point in batch:
            if previous is not None and point.step <= previous:
                return False
            previous = point.step
        return True

    def _append_all(self, batch: list[MetricPoint]) -> int:
        self._touch(len(self.steps))
        self._fit_steps(batch[0].step)
        self._fit_steps(batch[-1].step)
        self.steps.extend(p.step for p in batch)
        for name, col in self._columns.items():
            col.extend(_as_float(getattr(p, name)) for p in batch)
        labels = self.labels
        for p in batch:
            labels.append(p.step, labels.label_for(p.cycle, p.phase))
        self.times.extend(
            [p.step for p in batch], [None if p.ts is None else p.ts.timestamp() for p in batch]
        )
        self.nan_count += sum(1 for p in batch if _is_bad_loss(_as_float(p.loss)))
        return len(batch)

    def _merge_one(self, point: MetricPoint) -> str:
        """Merge one point; return "added", "replaced" (values changed) or "same"."""
        step = point.step
        self._fit_steps(step)
        values = [_as_float(getattr(point, name)) for name in METRIC_COLUMNS]
        label = self.labels.label_for(point.cycle, point.phase)
        i = bisect_left(self.steps, step)
        if i < len(self.steps) and self.steps[i] == step:
            outcome = self._replace_at(i, values, label)
            if outcome != "same":
                self._touch(i)
            return outcome
        self._touch(i)
        self.steps.insert(i, step)
        for name, value in zip(METRIC_COLUMNS, values):
            self._columns[name].insert(i, value)
        self.times.insert(i)
        next_held = self.steps[i + 1] if i + 1 < len(self.steps) else None
        if next_held is None:
            self.labels.append(step, label)
        else:
            self.labels.assign(step, label, next_held)
        self.nan_count += _is_bad_loss(values[0])
        return "added"

    def _replace_at(self, i: int, values: list[float], label: tuple[int, int]) -> str:
        step = self.steps[i]
        old_values = [self._columns[name][i] for name in METRIC_COLUMNS]
        same_values = all(_same(a, b) for a, b in zip(old_values, values))
        same_label = self.labels.label_at(step) == label
        if same_values and same_label:
            return "same"
        for name, value in zip(METRIC_COLUMNS, values):
            self._columns[name][i] = value
        if not same_label:
            next_held = self.steps[i + 1] if i + 1 < len(self.steps) else None
            self.labels.assign(step, label, next_held)
        self.nan_count += _is_bad_loss(values[0]) - _is_bad_loss(old_values[0])
        return "replaced"

    def _fit_steps(self, step: int) -> None:
        if self.steps.typecode == "i" and not _INT32_MIN <= step <= _INT32_MAX:
            self.steps = array("q", self.steps)
