"""MetricChart in a real (headless) app: placeholder, data, toggles, theme, hiding."""

from __future__ import annotations

from array import array

import numpy as np
from rich.text import Text
from textual.app import App, ComposeResult

from axom_tui.charting import MetricView
from axom_tui.ui.widgets.metric_chart import MAX_RATE, MetricChart
from chart_helpers import training_curve

SETTLE = 1.5 / MAX_RATE  # longer than the redraw throttle


class ChartApp(App):
    def compose(self) -> ComposeResult:
        yield MetricChart(id="chart")


def run_columns(n: int) -> tuple[array, dict[str, array]]:
    steps, loss, grad = training_curve(n)
    loss[[10, 20, 30]] = np.nan
    return array("q", steps), {
        "loss": array("d", loss),
        "grad_norm": array("d", grad),
        "lr": array("d", np.linspace(0, 1e-3, n)),
        "throughput": array("d", np.full(n, 800.0)),
        "vram_gb": array("d", np.full(n, 38.0)),
    }


def text_of(chart: MetricChart) -> str:
    return chart.text


async def test_chart_draws_data_and_toggles() -> None:
    app = ChartApp()
    async with app.run_test(size=(100, 30)) as pilot:
        chart = app.query_one(MetricChart)
        await pilot.pause(SETTLE)
        assert chart.placeholder and "waiting for metrics" in text_of(chart)

        steps, columns = run_columns(3_000)
        chart.set_data(steps, columns, [5_000], [12_000], 1)
        await pilot.pause(SETTLE)
        assert not chart.placeholder
        shown = text_of(chart)
        assert len(shown.split("\n")) == 30
        assert "loss + grad_norm · EMA 0.6" in shown and "resume" in shown
        assert chart.flags == ("⚠ 3 NaN loss values (gaps)",)
        assert "⚠ 3 NaN loss values (gaps)" in shown

        assert chart.next_view() is MetricView.LR
        await pilot.pause(SETTLE)
        assert "━ lr" in text_of(chart)

        chart.view = MetricView.LOSS_GRAD
        chart.smoothing = False
        await pilot.pause(SETTLE)
        assert "EMA" not in text_of(chart) and "raw" not in text_of(chart)

        chart.log_y = True
        await pilot.pause(SETTLE)
        assert "log y" in text_of(chart)

        chart.ascii_mode = True
        await pilot.pause(SETTLE)
        assert text_of(chart).isascii()

        drawn = chart.draws
        chart.set_data(steps, columns, [5_000], [12_000], 1)  # nothing new
        await pilot.pause(SETTLE)
        assert chart.draws == drawn
        columns["loss"].append(0.1)  # the store's arrays are not held by a numpy view


async def test_theme_change_redraws_in_the_new_colours() -> None:
    app = ChartApp()
    async with app.run_test(size=(80, 24)) as pilot:
        chart = app.query_one(MetricChart)
        chart.set_data(*run_columns(500), [], [], 1)
        await pilot.pause(SETTLE)
        before, drawn = chart.chart_theme(), chart.draws
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await pilot.pause(SETTLE)
        assert chart.draws > drawn
        assert chart.chart_theme().background != before.background


async def test_hidden_chart_does_not_draw_until_shown() -> None:
    app = ChartApp()
    async with app.run_test(size=(80, 24)) as pilot:
        chart = app.query_one(MetricChart)
        await pilot.pause(SETTLE)
        chart.display = False
        await pilot.pause()
        drawn = chart.draws
        for version in range(1, 4):
            chart.set_data(*run_columns(200 * version), [], [], version)
            await pilot.pause(SETTLE)
        assert chart.draws == drawn
        chart.display = True
        await pilot.pause(SETTLE * 2)
        assert chart.draws == drawn + 1 and not chart.placeholder


async def test_overlay_shows_run_names() -> None:
    app = ChartApp()
    async with app.run_test(size=(100, 30)) as pilot:
        chart = app.query_one(MetricChart)
        runs = []
        for seed, name in enumerate(["warm-start", "baseline"]):
            steps, loss, _ = training_curve(800, seed)
            runs.append((name, array("q", steps), array("d", loss), 1))
        chart.set_overlay(runs)
        await pilot.pause(SETTLE)
        shown = text_of(chart)
        assert "warm-start" in shown and "baseline" in shown and "loss · EMA 0.6" in shown


def test_chart_strips_match_richs_reading_of_the_ansi_cell_by_cell() -> None:
    from rich.console import Console
    from rich.style import Style

    from axom_tui.charting import ChartOptions, ChartTheme, RunChartData, render_chart
    from axom_tui.ui.ansi_strips import ansi_to_strips

    steps, columns = run_columns(5_000)
    data = RunChartData()
    data.set_data(steps, columns, [5_000], [12_000], 1)
    width = 120
    ansi = render_chart(
        data.spec(MetricView.LOSS_GRAD, ChartOptions(), ChartTheme()), width, 30
    ).ansi
    # 256-colour, bold and default-colour escapes stay on the fast path; an escape outside
    # its set (underline) sends everything through rich
    # (and wide characters, e.g. a run name in a legend, are measured, not counted)
    for tail in (
        "",
        "\n\x1b[38;5;12m\x1b[1mplotext palette\x1b[39m default fg\x1b[0m",
        "\n\x1b[1m━ 训练-ランナー\x1b[0m ⠿⠿",
        "\n训练" + "x" * 200,
        "\n\x1b[4munderlined\x1b[0m",
    ):
        strips = ansi_to_strips(ansi + tail, width)
        text = Text.from_ansi(ansi + tail, no_wrap=True, end="")
        console = Console(width=width, color_system="truecolor")
        expected = console.render_lines(text, console.options.update_width(width), pad=True)

        def cells(segments) -> list[tuple[str, Style]]:
            return [(ch, seg.style or Style()) for seg in segments for ch in seg.text]

        assert len(strips) == len(expected) == 30 + bool(tail)
        for strip, line in zip(strips, expected):
            assert strip.cell_length == width
            assert cells(strip) == cells(line)
            # Textual's filters (NO_COLOR's monochrome) fail on a segment without a style
            assert all(segment.style is not None for segment in strip)
