"""What a chart shows, as plain data: lines, vertical markers, options and colours.

A :class:`ChartSpec` is everything :func:`axom_tui.charting.render.render` needs; it
holds the *full* series (the renderer decimates to the size it is given), so one spec
can be drawn at any size. Colours are RGB triples: the widget maps theme variables to
a :class:`ChartTheme`, the core never sees Textual.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from axom_tui.base.cycling import CyclingEnum

if TYPE_CHECKING:  # numpy loads with the first chart, not with this module (first frame)
    import numpy.typing as npt

    from axom_tui.charting.summary import BlockSummary

    SeriesLike = Sequence[float] | npt.ArrayLike
else:
    SeriesLike = Sequence[float]

RGB = tuple[int, int, int]
Axis = Literal["left", "right"]
LineStyle = Literal["default", "dotted", "heavy", "double"]
WAITING = "waiting for metrics…"


class MetricView(CyclingEnum):
    """The views a key cycles through, in order."""

    LOSS_GRAD = "loss + grad_norm"
    LR = "lr"
    THROUGHPUT = "throughput"
    VRAM = "vram_gb"

    @property
    def columns(self) -> tuple[str, ...]:
        """Store columns shown: the first on the left axis, the second on the right."""
        return ("loss", "grad_norm") if self is MetricView.LOSS_GRAD else (self.value,)


@dataclass(frozen=True, slots=True)
class ChartTheme:
    """Colours of one chart. ``palette`` colours the runs of an overlay."""

    background: RGB = (20, 25, 32)
    foreground: RGB = (211, 218, 227)
    muted: RGB = (122, 132, 148)
    loss: RGB = (79, 163, 217)
    grad_norm: RGB = (216, 166, 87)
    aux: RGB = (180, 142, 173)
    raw: RGB = (70, 80, 95)
    cycle: RGB = (95, 196, 192)
    resume: RGB = (224, 108, 117)
    warning: RGB = (216, 166, 87)
    palette: tuple[RGB, ...] = (
        (79, 163, 217),
        (216, 166, 87),
        (140, 192, 122),
        (180, 142, 173),
        (224, 108, 117),
        (95, 196, 192),
        (211, 218, 227),
        (167, 147, 216),
    )


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """``a`` moved a fraction ``t`` of the way towards ``b``."""
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


@dataclass(frozen=True, slots=True)
class ChartLine:
    """One series: full-resolution ``steps`` (ascending, unique) and ``values``.

    ``nan_label`` names the series in the "⚠ n NaN … values" flag; leave it None on
    derived lines (an EMA has its gaps where the raw series has them).
    """

    label: str
    steps: SeriesLike
    values: SeriesLike
    color: RGB
    axis: Axis = "left"
    dimmed: bool = False
    nan_label: str | None = None
    in_legend: bool = True
    #: Block min/max of exactly ``values`` (lets long series decimate quickly).
    summary: BlockSummary | None = None


@dataclass(frozen=True, slots=True)
class MarkerSet:
    """Vertical lines at given steps (growth-cycle boundaries, resume points)."""

    label: str
    steps: tuple[int, ...]
    color: RGB
    style: LineStyle = "dotted"


@dataclass(frozen=True, slots=True)
class ChartOptions:
    log_y: bool = False
    smoothing: bool = True
    weight: float = 0.6
    #: No braille: quarter-block ("hd") markers, which every terminal font draws.
    ascii_mode: bool = False
    #: Visible window ``(first, last)`` in x units (steps, or ms on a time axis); None
    #: shows everything.
    window: tuple[float, float] | None = None
    #: The x axis: "step", "elapsed" or "clock" (``timeaxis.XMode``); the lines' x are
    #: then steps, or times in ms.
    x_mode: str = "step"
    #: Fit the y range to the bulk of the points (1st to 99th percentile) and draw the
    #: points beyond it clipped at the edge, marked.
    robust_y: bool = False
    #: Replay: no point after this x is drawn (the chart as it was at that moment).
    until: float | None = None
    #: What the chart says when no point is left to draw.
    empty_note: str = "no finite values to plot"


@dataclass(frozen=True, slots=True)
class ChartSpec:
    lines: tuple[ChartLine, ...] = ()
    markers: tuple[MarkerSet, ...] = ()
    options: ChartOptions = field(default_factory=ChartOptions)
    #: Short text at the right of the legend row (view name, "EMA 0.6", "log").
    caption: str = ""
    #: Shown instead of a plot when no line has a point.
    placeholder: str = WAITING
    #: Time axes: when the run started (ms), for elapsed labels; and how long a stretch
    #: without points (ms) breaks the line (a preemption's gap).
    x_origin: float | None = None
    x_gap: float | None = None

    @property
    def empty(self) -> bool:
        return not any(len(line.values) for line in self.lines)  # type: ignore[arg-type]
