"""From run metrics to a :class:`ChartSpec`: the views, smoothing caches and overlays.

:class:`RunChartData` holds one run's columns (the run store's own arrays, by
reference: no copy, no numpy view kept) and an :class:`EmaCache` per smoothed column.
It works out which part of a cache is stale from what the store tells it:

* more points than before: only the new ones are smoothed;
* a new resume point: the run re-sent the steps after its checkpoint, so the caches
  recompute from that step's index on;
* a different ``steps`` object (another run) switches to that run's caches (a few
  runs' caches are kept, so flipping between runs does not recompute a million
  points each time).

:class:`OverlayData` does the same for the compare view's several runs.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from axom_tui.charting.decimate import as_steps, step_keys
from axom_tui.charting.smoothing import EmaCache
from axom_tui.charting.spec import (
    RGB,
    Axis,
    ChartLine,
    ChartOptions,
    ChartSpec,
    ChartTheme,
    MarkerSet,
    MetricView,
    SeriesLike,
    mix,
)
from axom_tui.charting.summary import BlockSummary

#: Columns drawn with an EMA when smoothing is on (lr and vram_gb are step-like).
SMOOTHED = frozenset({"loss", "grad_norm", "throughput"})
#: How many runs' smoothing caches a chart keeps.
KEEP_RUNS = 4


@dataclass(slots=True)
class _SeriesCaches:
    steps: object  # strong reference: keeps id(steps) from being reused while cached
    emas: dict[str, EmaCache] = field(default_factory=dict)
    sums: dict[str, BlockSummary] = field(default_factory=dict)  # "loss", "loss~" (its EMA)
    dirty_step: dict[str, int] = field(default_factory=dict)  # key -> first stale step


class _CachePool:
    """EMA caches and block summaries per (steps object, column), least recently used
    run dropped first."""

    def __init__(self, keep: int = KEEP_RUNS) -> None:
        self._keep = keep
        self._runs: OrderedDict[int, _SeriesCaches] = OrderedDict()

    def _entry(self, steps: object) -> _SeriesCaches:
        key = id(steps)
        entry = self._runs.get(key)
        if entry is None or entry.steps is not steps:
            entry = _SeriesCaches(steps)
            self._runs[key] = entry
        self._runs.move_to_end(key)
        while len(self._runs) > self._keep:
            self._runs.popitem(last=False)
        return entry

    @staticmethod
    def _dirty_index(entry: _SeriesCaches, key: str) -> int | None:
        step = entry.dirty_step.pop(key, None)
        if step is None:
            return None
        s = as_steps(entry.steps)  # type: ignore[arg-type]
        try:
            return int(np.searchsorted(s, step_keys(s, [step])[0], side="left"))
        finally:
            del s

    def raw(self, steps: SeriesLike, name: str, values: SeriesLike) -> BlockSummary:
        """The block summary of a raw column, brought up to date."""
        entry = self._entry(steps)
        summary = entry.sums.get(name) or entry.sums.setdefault(name, BlockSummary())
        summary.update(values, dirty_from=self._dirty_index(entry, name))
        return summary

    def smoothed(
        self, steps: SeriesLike, name: str, values: SeriesLike, weight: float
    ) -> tuple[np.ndarray, BlockSummary]:
        """The EMA of a column and its block summary, brought up to date."""
        entry = self._entry(steps)
        cache = entry.emas.get(name)
        if cache is None or cache.weight != weight:
            cache = entry.emas[name] = EmaCache(weight)
        out = cache.update(values, dirty_from=self._dirty_index(entry, name + "~ema"))
        summary = entry.sums.get(name + "~") or entry.sums.setdefault(name + "~", BlockSummary())
        summary.update(out, dirty_from=cache.changed_from)
        return out, summary

    def mark_dirty(self, steps: object, from_step: int) -> None:
        """Values from ``from_step`` on may have changed: recompute them next time."""
        entry = self._runs.get(id(steps))
        if entry is None or entry.steps is not steps:
            return
        for key in [*entry.sums, *(name + "~ema" for name in entry.emas)]:
            old = entry.dirty_step.get(key)
            entry.dirty_step[key] = from_step if old is None else min(old, from_step)


def _n(seq: SeriesLike) -> int:
    return len(seq)  # type: ignore[arg-type]


class RunChartData:
    """One run's metrics, as last given by the store, plus smoothing caches."""

    def __init__(self) -> None:
        self.steps: SeriesLike = ()
        self.columns: dict[str, SeriesLike] = {}
        self.cycle_boundaries: tuple[int, ...] = ()
        self.resume_points: tuple[int, ...] = ()
        self.version: int | None = None
        self._length = 0
        self._pool = _CachePool()

    def set_data(
        self,
        steps: SeriesLike,
        columns: Mapping[str, SeriesLike],
        cycle_boundaries: Sequence[int] = (),
        resume_points: Sequence[int] = (),
        version: int | None = None,
    ) -> bool:
        """Take new data; True when something to draw changed."""
        same_run = steps is self.steps
        resumes = tuple(int(s) for s in resume_points)
        cycles = tuple(int(s) for s in cycle_boundaries)
        length = _n(steps)
        changed = (
            not same_run or version != self.version or length != self._length
            or resumes != self.resume_points or cycles != self.cycle_boundaries
            or set(columns) != set(self.columns)
            or any(columns[k] is not self.columns.get(k) for k in columns)
        )
        if same_run:
            fresh = set(resumes) - set(self.resume_points)
            if fresh:
                self._pool.mark_dirty(steps, min(fresh))
            if length < self._length:  # the store dropped points: recompute all
                self._pool.mark_dirty(steps, -(2**62))
        self.steps, self.columns = steps, dict(columns)
        self.cycle_boundaries, self.resume_points = cycles, resumes
        self.version, self._length = version, length
        return changed

    @property
    def has_data(self) -> bool:
        return self._length > 0

    def spec(self, view: MetricView, options: ChartOptions, theme: ChartTheme) -> ChartSpec:
        colors: dict[str, RGB] = {"loss": theme.loss, "grad_norm": theme.grad_norm}
        lines: list[ChartLine] = []
        smooth_lines: list[ChartLine] = []
        for i, name in enumerate(view.columns):
            values = self.columns.get(name)
            if values is None:
                continue
            n = min(_n(self.steps), _n(values))
            steps, values = _trim(self.steps, n), _trim(values, n)
            axis: Axis = "right" if i == 1 else "left"
            color = colors.get(name, theme.aux)
            summary = self._pool.raw(self.steps, name, values)
            if options.smoothing and name in SMOOTHED:
                raw = mix(theme.raw, color, 0.3)  # the raw colour, tinted by its series
                lines.append(ChartLine("raw", steps, values, raw, axis, dimmed=True,
                                       nan_label=name, summary=summary))
                ema, ema_summary = self._pool.smoothed(self.steps, name, values, options.weight)
                smooth_lines.append(ChartLine(name, steps, ema, color, axis, summary=ema_summary))
            else:
                lines.append(ChartLine(name, steps, values, color, axis, nan_label=name,
                                       summary=summary))
        markers = (
            MarkerSet("cycle", self.cycle_boundaries, theme.cycle, "dotted"),
            MarkerSet("resume", self.resume_points, theme.resume, "default"),
        )
        return ChartSpec(tuple(lines + smooth_lines), markers, options,
                         caption=_caption(view.value, options, any(smooth_lines)))


class OverlayData:
    """Several runs' loss on one axis (compare view), each run's EMA cached."""

    def __init__(self) -> None:
        self.series: tuple[tuple[str, SeriesLike, SeriesLike, int | None], ...] = ()
        self._pool = _CachePool(keep=16)
        self._lengths: dict[int, int] = {}

    def set_overlay(self, series: Sequence[tuple[str, SeriesLike, SeriesLike, int | None]]) -> bool:
        """Take the runs to compare, as ``(label, steps, values, version)``; True if changed."""
        new = tuple((str(label), steps, values, version)
                    for label, steps, values, version in series)
        changed = _identity(new) != _identity(self.series) or any(
            _n(s[1]) != self._lengths.get(id(s[1])) for s in new)
        for _label, steps, _values, _version in new:
            if _n(steps) < self._lengths.get(id(steps), 0):  # points dropped: recompute
                self._pool.mark_dirty(steps, -(2**62))
        self.series = new
        self._lengths = {id(s[1]): _n(s[1]) for s in new}
        return changed

    @property
    def has_data(self) -> bool:
        return any(_n(s[1]) for s in self.series)

    def spec(self, options: ChartOptions, theme: ChartTheme, metric: str = "loss") -> ChartSpec:
        lines = []
        for i, (label, steps, values, _version) in enumerate(self.series):
            n = min(_n(steps), _n(values))
            color = theme.palette[i % len(theme.palette)]
            shown: SeriesLike
            if options.smoothing:
                shown, summary = self._pool.smoothed(steps, metric, values, options.weight)
            else:
                shown, summary = values, self._pool.raw(steps, metric, values)
            lines.append(ChartLine(label, _trim(steps, n), _trim(shown, n), color,
                                   nan_label=f"{label} {metric}", summary=summary))
        return ChartSpec(tuple(lines), (), options,
                         caption=_caption(metric, options, options.smoothing))


def _identity(series: tuple[tuple[str, SeriesLike, SeriesLike, int | None], ...]) -> list[tuple]:
    return [(label, id(steps), id(values), version) for label, steps, values, version in series]


def _trim(seq: SeriesLike, n: int) -> SeriesLike:
    """The first ``n`` items, without copying when nothing needs trimming."""
    return seq if _n(seq) == n else seq[:n]  # type: ignore[index]


def _caption(name: str, options: ChartOptions, smoothed: bool) -> str:
    parts = [name]
    if smoothed:
        parts.append(f"EMA {options.weight:g}")
    if options.log_y:
        parts.append("log y")
    return " · ".join(parts)
