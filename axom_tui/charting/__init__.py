"""Metric charts without Textual: decimation, smoothing, specs and plotext rendering.

Nothing in this package imports Textual (a test checks it); the widget in
``axom_tui.ui.widgets.metric_chart`` is a thin shell around it.
"""

from axom_tui.charting.decimate import Decimated, decimate
from axom_tui.charting.render import Rendered, render, render_chart
from axom_tui.charting.smoothing import DEFAULT_WEIGHT, EmaCache, ema_full
from axom_tui.charting.spec import (
    ChartLine,
    ChartOptions,
    ChartSpec,
    ChartTheme,
    MarkerSet,
    MetricView,
)
from axom_tui.charting.views import OverlayData, RunChartData

__all__ = [
    "DEFAULT_WEIGHT", "ChartLine", "ChartOptions", "ChartSpec", "ChartTheme", "Decimated",
    "EmaCache", "MarkerSet", "MetricView", "OverlayData", "Rendered", "RunChartData",
    "decimate", "ema_full", "render", "render_chart",
]
