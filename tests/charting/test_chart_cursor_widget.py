"""The cursor chart on its own: what its readout shows of server text (a phase name)."""

from __future__ import annotations

from datetime import UTC, datetime

from textual.app import App, ComposeResult

from axom_tui.api.records import MetricPoint
from axom_tui.store import MetricSeries
from axom_tui.ui.widgets.cursor_chart import CursorChart
from chart_helpers import feed, labels_of

HOSTILE_PHASE = "train\x1b]10;?\x07\x1b[2J"


class ChartApp(App):
    def compose(self) -> ComposeResult:
        yield CursorChart(id="chart")


async def test_a_hostile_phase_name_never_reaches_the_terminal_from_the_readout() -> None:
    series = MetricSeries()
    series.merge(
        MetricPoint(
            step=10 * i,
            loss=1.0 / (i + 1),
            grad_norm=0.5,
            cycle=1,
            phase=HOSTILE_PHASE,
            ts=datetime.fromtimestamp(1_780_000_000 + i, UTC),
        )
        for i in range(200)
    )
    app = ChartApp()
    async with app.run_test(size=(120, 24)) as pilot:
        chart = app.query_one(CursorChart)
        # as a screen that did not clean the phase would hand it over
        feed(chart, series, 1, start=None, label_at=labels_of(series))
        chart.focus()
        await pilot.pause(0.3)
        assert chart.cursor is not None and chart.readout
        assert "\x1b" not in chart.readout and "\x07" not in chart.readout
        assert "train␛" in chart.readout  # shown, made visible
        assert all("\x1b" not in strip.text for strip in chart.strips)
