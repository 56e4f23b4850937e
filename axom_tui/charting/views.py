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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from axom_tui.charting.cursor import Moment
from axom_tui.charting.decimate import as_steps, step_keys
from axom_tui.charting.flags import Flag, FlagCache
from axom_tui.charting.readout import Readout, Value
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
from axom_tui.charting.timeaxis import Stamps, TimeCache, XMode, gap_threshold

#: What a run knows of a step besides its values: (cycle, phase).
LabelAt = Callable[[int], tuple[int | None, str | None]]

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
        #: The store's stamps of these points (``store.step_times.StepTimes``), the
        #: run's start (epoch s) and its (cycle, phase) by step, when known.
        self.stamps: Stamps | None = None
        self.start: float | None = None
        self.label_at: LabelAt | None = None
        self._length = 0
        self._pool = _CachePool()
        self._times = TimeCache()
        self._flags = FlagCache()
        self._flags_dirty: int | None = None  # first step whose flags may be stale

    def set_data(
        self,
        steps: SeriesLike,
        columns: Mapping[str, SeriesLike],
        cycle_boundaries: Sequence[int] = (),
        resume_points: Sequence[int] = (),
        version: int | None = None,
        *,
        stamps: Stamps | None = None,
        start: float | None = None,
        label_at: LabelAt | None = None,
    ) -> bool:
        """Take new data; True when something to draw changed."""
        same_run = steps is self.steps
        self.stamps, self.start, self.label_at = stamps, start, label_at
        resumes = tuple(int(s) for s in resume_points)
        cycles = tuple(int(s) for s in cycle_boundaries)
        length = _n(steps)
        changed = (
            not same_run
            or version != self.version
            or length != self._length
            or resumes != self.resume_points
            or cycles != self.cycle_boundaries
            or set(columns) != set(self.columns)
            or any(columns[k] is not self.columns.get(k) for k in columns)
        )
        if same_run:
            fresh = set(resumes) - set(self.resume_points)
            if fresh:
                self._pool.mark_dirty(steps, min(fresh))
                old = self._flags_dirty
                self._flags_dirty = min(fresh) if old is None else min(old, min(fresh))
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
        timed = XMode(options.x_mode).is_time and self.has_times
        xs: SeriesLike = self.times_ms() if timed else self.steps
        for i, name in enumerate(view.columns):
            values = self.columns.get(name)
            if values is None:
                continue
            n = min(_n(self.steps), _n(values), _n(xs))
            steps, values = _trim(xs, n), _trim(values, n)
            axis: Axis = "right" if i == 1 else "left"
            color = colors.get(name, theme.aux)
            summary = self._pool.raw(self.steps, name, values)
            if options.smoothing and name in SMOOTHED:
                raw = mix(theme.raw, color, 0.3)  # the raw colour, tinted by its series
                lines.append(
                    ChartLine(
                        "raw",
                        steps,
                        values,
                        raw,
                        axis,
                        dimmed=True,
                        nan_label=name,
                        summary=summary,
                    )
                )
                ema, ema_summary = self._pool.smoothed(self.steps, name, values, options.weight)
                smooth_lines.append(ChartLine(name, steps, ema, color, axis, summary=ema_summary))
            else:
                lines.append(
                    ChartLine(name, steps, values, color, axis, nan_label=name, summary=summary)
                )
        cycles, resumes = self.cycle_boundaries, self.resume_points
        extra: dict[str, float | None] = {}
        if timed:
            x = self.times_ms()
            cycles, resumes = self._at_times(cycles, x), self._at_times(resumes, x)
            origin = (
                self.start * 1000.0
                if self.start is not None
                else (float(x[0]) if x.shape[0] else None)
            )
            extra = {"x_origin": origin, "x_gap": float(gap_threshold(x))}
        markers = (
            MarkerSet("cycle", cycles, theme.cycle, "dotted"),
            MarkerSet("resume", resumes, theme.resume, "default"),
        )
        return ChartSpec(
            tuple(lines + smooth_lines),
            markers,
            options,
            caption=_caption(view.value, options, any(smooth_lines)),
            **extra,  # type: ignore[arg-type]
        )

    # ------------------------------------------------------------ the cursor's questions

    @property
    def has_times(self) -> bool:
        """Whether the points carry times (a time axis is possible)."""
        if self.stamps is None or not self._length:
            return False
        self._times.update(self.steps, self.stamps)
        return self._times.stamped

    def times(self) -> npt.NDArray[np.float64]:
        """Each point's time (epoch s, NaN where unstamped); empty without stamps."""
        if self.stamps is None:
            return np.empty(0)
        return self._times.update(self.steps, self.stamps)

    def times_ms(self) -> npt.NDArray[np.int64]:
        """The points' times as a time axis' x (ms, never decreasing)."""
        self.times()
        return self._times.drawn()

    def _at_times(self, steps: tuple[int, ...], x: npt.NDArray[np.int64]) -> tuple[int, ...]:
        if not steps or x.shape[0] == 0:
            return ()
        s = as_steps(self.steps)
        try:
            idx = np.searchsorted(s[: x.shape[0]], step_keys(s, list(steps)), side="left")
        finally:
            del s
        return tuple(int(x[i]) for i in idx.clip(0, x.shape[0] - 1))

    def x(self, mode: XMode) -> npt.NDArray[np.integer]:
        """The points' x on a ``mode`` axis. For steps this is a view of the store's array:
        use it within one call, never keep it (the array could not grow)."""
        if mode.is_time and self.has_times:
            return self.times_ms()
        return as_steps(self.steps)[: self._length]

    def moment(self, index: int) -> Moment:
        """The point at ``index`` as a moment (its step and time)."""
        step = int(self.steps[index])  # type: ignore[index, arg-type]
        ts = None
        if self.stamps is not None:
            t = float(self.times()[index])
            ts = None if np.isnan(t) else t
        return Moment(index, step, ts)

    def index_of_step(self, step: int) -> int:
        """The index of ``step``, or of the held step nearest it."""
        return _nearest_step(self.steps, step, self._length)

    def flags(self) -> tuple[Flag, ...]:
        """The run's health flags (NaN/inf, loss spikes, grad_norm explosions)."""
        loss = self.columns.get("loss")
        grad = self.columns.get("grad_norm")
        n = self._length
        if loss is None or not n:
            return ()
        if grad is None:
            grad = np.full(n, np.nan)
        dirty = None
        if self._flags_dirty is not None:
            dirty = self.index_of_step(self._flags_dirty)
            self._flags_dirty = None
        return self._flags.update(self.steps, _trim(loss, n), _trim(grad, n), dirty)

    def flagged(self) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]:
        """Sorted indices of every flagged point, and how bad each is."""
        self.flags()
        return self._flags.points, self._flags.severity

    def readout(self, index: int, view: MetricView, options: ChartOptions) -> Readout:
        """The readout of the point at ``index``: the store's own values there."""
        moment = self.moment(index)
        values = []
        for name in view.columns:
            column = self.columns.get(name)
            if column is None or index >= _n(column):
                continue
            raw = float(column[index])  # type: ignore[index, arg-type]
            smoothed = None
            if options.smoothing and name in SMOOTHED:
                ema, _ = self._pool.smoothed(self.steps, name, column, options.weight)
                smoothed = float(ema[index]) if index < ema.shape[0] else None
            values.append(Value(name, raw, smoothed))
        cycle, phase = self.label_at(moment.step) if self.label_at is not None else (None, None)
        points = self.flagged()[0]
        k = int(np.searchsorted(points, index))
        flag = None
        if k < points.shape[0] and points[k] == index:
            flag = next((f.kind.value for f in self.flags() if f.first <= index <= f.last), None)
        return Readout(moment.step, moment.ts, self.start, tuple(values), cycle, phase, flag)

    @property
    def length(self) -> int:
        return self._length


class OverlayData:
    """Several runs' loss on one axis (compare view), each run's EMA cached."""

    def __init__(self) -> None:
        self.series: tuple[tuple[str, SeriesLike, SeriesLike, int | None], ...] = ()
        self._pool = _CachePool(keep=16)
        self._lengths: dict[int, int] = {}

    def set_overlay(self, series: Sequence[tuple[str, SeriesLike, SeriesLike, int | None]]) -> bool:
        """Take the runs to compare, as ``(label, steps, values, version)``; True if changed."""
        new = tuple(
            (str(label), steps, values, version) for label, steps, values, version in series
        )
        changed = _identity(new) != _identity(self.series) or any(
            _n(s[1]) != self._lengths.get(id(s[1])) for s in new
        )
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
            lines.append(
                ChartLine(
                    label,
                    _trim(steps, n),
                    _trim(shown, n),
                    color,
                    nan_label=f"{label} {metric}",
                    summary=summary,
                )
            )
        return ChartSpec(
            tuple(lines), (), options, caption=_caption(metric, options, options.smoothing)
        )

    # ------------------------------------------------------------ the cursor's questions
    # One cursor for every run, at one step: the longest run is its track.

    def _reference(self) -> tuple[str, SeriesLike, SeriesLike, int | None] | None:
        return max(self.series, key=lambda s: _n(s[1]), default=None)

    @property
    def length(self) -> int:
        ref = self._reference()
        return _n(ref[1]) if ref is not None else 0

    has_times = False

    def x(self, mode: XMode) -> npt.NDArray[np.integer]:
        """Steps of the longest run (a view: use within one call, never keep it)."""
        ref = self._reference()
        return as_steps(ref[1] if ref is not None else np.empty(0, dtype=np.int64))

    def moment(self, index: int) -> Moment:
        ref = self._reference()
        assert ref is not None
        return Moment(index, int(ref[1][index]))  # type: ignore[index, arg-type]

    def index_of_step(self, step: int) -> int:
        ref = self._reference()
        return _nearest_step(ref[1], step) if ref is not None else 0

    def flags(self) -> tuple[Flag, ...]:
        return ()

    def flagged(self) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]:
        return np.empty(0, dtype=np.intp), np.empty(0)

    def readout(
        self, index: int, view: MetricView, options: ChartOptions, metric: str = "loss"
    ) -> Readout:
        """Each run's value at the step of the cursor (None where it has no point near)."""
        step = self.moment(index).step
        runs: list[tuple[str, float | None]] = []
        for label, steps, values, _version in self.series:
            n = min(_n(steps), _n(values))
            k = _nearest_step(steps, step, n) if n else -1
            near = k >= 0 and abs(int(steps[k]) - step) <= _spacing(steps, n)  # type: ignore[index, arg-type]
            runs.append((label, float(values[k]) if near else None))  # type: ignore[index, arg-type]
        return Readout(step, runs=tuple(runs))


def _nearest_step(steps: SeriesLike, step: int, n: int | None = None) -> int:
    s = as_steps(steps)
    try:
        n = s.shape[0] if n is None else n
        k = int(np.searchsorted(s[:n], step_keys(s, [step])[0], side="left"))
        if k >= n:
            return n - 1
        if k > 0 and step - int(s[k - 1]) <= int(s[k]) - step:
            return k - 1
        return k
    finally:
        del s


def _spacing(steps: SeriesLike, n: int) -> float:
    """A run's typical distance between points (steps): a point this close is "at" a step."""
    if n < 2:
        return 0.0
    return (int(steps[n - 1]) - int(steps[0])) / (n - 1)  # type: ignore[index, arg-type]


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
