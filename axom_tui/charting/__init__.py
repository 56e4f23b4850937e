"""Metric charts without Textual: decimation, smoothing, specs and plotext rendering.

Nothing in this package imports Textual (a test checks it); the widget in
``axom_tui.ui.widgets.metric_chart`` is a thin shell around it.
"""

from typing import TYPE_CHECKING

from axom_tui.base.lazy import lazy_exports

# Names load on first use: numpy and plotext cost half a second, and the dashboard's
# first frame (and the chart's "waiting" placeholder) needs neither.
_EXPORTS = {
    "Decimated": "decimate",
    "decimate": "decimate",
    "Rendered": "render",
    "render": "render",
    "render_chart": "render",
    "DEFAULT_WEIGHT": "smoothing",
    "EmaCache": "smoothing",
    "ema_full": "smoothing",
    "ChartLine": "spec",
    "ChartOptions": "spec",
    "ChartSpec": "spec",
    "ChartTheme": "spec",
    "MarkerSet": "spec",
    "MetricView": "spec",
    "OverlayData": "views",
    "RunChartData": "views",
}
__all__ = list(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

if TYPE_CHECKING:  # what the type checker sees of the names loaded on first use
    from axom_tui.charting.decimate import Decimated as Decimated, decimate as decimate
    from axom_tui.charting.render import (
        Rendered as Rendered,
        render as render,
        render_chart as render_chart,
    )
    from axom_tui.charting.smoothing import (
        DEFAULT_WEIGHT as DEFAULT_WEIGHT,
        EmaCache as EmaCache,
        ema_full as ema_full,
    )
    from axom_tui.charting.spec import (
        ChartLine as ChartLine,
        ChartOptions as ChartOptions,
        ChartSpec as ChartSpec,
        ChartTheme as ChartTheme,
        MarkerSet as MarkerSet,
        MetricView as MetricView,
    )
    from axom_tui.charting.views import OverlayData as OverlayData, RunChartData as RunChartData
