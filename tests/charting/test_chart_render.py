"""Rendering: exact size, labelled axes, log scale on bad data, private figures,
placeholders, NaN flags, ASCII mode and the frame cache."""

from __future__ import annotations

import numpy as np
import plotext
import pytest
from rich.cells import cell_len

from axom_tui.charting import ChartLine, ChartOptions, ChartSpec, ChartTheme, MarkerSet
from axom_tui.charting.frame import FrameCache
from axom_tui.charting.render import render, render_chart
from chart_helpers import plain, training_curve

THEME = ChartTheme()


def loss_grad_spec(n: int = 2_000, **options: object) -> ChartSpec:
    steps, loss, grad = training_curve(n)
    return ChartSpec(
        lines=(
            ChartLine("loss", steps, loss, THEME.loss, nan_label="loss"),
            ChartLine("grad_norm", steps, grad, THEME.grad_norm, "right", nan_label="grad_norm"),
        ),
        markers=(
            MarkerSet("cycle", (int(steps[n // 2]),), THEME.cycle),
            MarkerSet("resume", (int(steps[n // 3]),), THEME.resume, "default"),
        ),
        options=ChartOptions(**options),  # type: ignore[arg-type]
    )


def test_80x20_has_that_many_lines_with_axis_labels() -> None:
    out = plain(render(loss_grad_spec(), 80, 20))
    lines = out.split("\n")
    assert len(lines) == 20
    assert all(cell_len(line) == 80 for line in lines)
    body = "\n".join(lines[1:])
    assert "10k" in lines[-1] or "5000" in lines[-1]  # x tick labels (steps)
    assert lines[-1].lstrip().startswith("0")
    assert any(line.rstrip().endswith(("1", "1.5", "0.5")) for line in lines)  # right axis
    assert any(line.lstrip().startswith(("3", "2", "1")) for line in lines)  # left axis
    assert "┌" in body and "┘" in body
    assert "loss" in lines[0] and "grad_norm" in lines[0] and "cycle" in lines[0]


@pytest.mark.parametrize("width,height", [(20, 8), (60, 12), (160, 30), (241, 61)])
def test_any_size_renders_exactly(width: int, height: int) -> None:
    lines = plain(render(loss_grad_spec(), width, height)).split("\n")
    assert len(lines) == height
    assert all(cell_len(line) == width for line in lines)


def test_log_scale_with_nonpositive_values_does_not_crash() -> None:
    steps = np.arange(1_000)
    values = np.linspace(-2, 5, 1_000)
    values[10] = 0.0
    spec = ChartSpec(
        (ChartLine("loss", steps, values, THEME.loss, nan_label="loss"),),
        options=ChartOptions(log_y=True),
    )
    result = render_chart(spec, 80, 20)
    assert len(plain(result.ansi).split("\n")) == 20
    assert any("hidden (log scale)" in flag for flag in result.flags)
    only_bad = ChartSpec(
        (ChartLine("loss", steps, -np.abs(values) - 1, THEME.loss),),
        options=ChartOptions(log_y=True),
    )
    assert "no finite values" in plain(render(only_bad, 80, 20))


def test_figures_are_private() -> None:
    a, b = loss_grad_spec(500), loss_grad_spec(3_000, log_y=True)
    first = render(a, 90, 24)
    other = render(b, 70, 18, ChartTheme(background=(255, 255, 255)))
    again = render(a, 90, 24)
    assert first == again and first != other
    assert plotext.figure._signals._get_length() == 0  # the module's figure untouched


def test_placeholder_when_there_is_no_data() -> None:
    empty = ChartSpec((ChartLine("loss", [], [], THEME.loss),))
    result = render_chart(empty, 50, 10)
    assert result.placeholder
    assert "waiting for metrics" in plain(result.ansi)
    assert len(result.ansi.split("\n")) == 10


def test_nan_flag_line() -> None:
    steps, loss, _ = training_curve(1_000)
    loss[[100, 200, 300]] = np.nan
    spec = ChartSpec((ChartLine("loss", steps, loss, THEME.loss, nan_label="loss"),))
    result = render_chart(spec, 80, 20)
    assert result.flags == ("⚠ 3 NaN loss values (gaps)",)
    assert plain(result.ansi).split("\n")[-1].strip() == "⚠ 3 NaN loss values (gaps)"


def test_ascii_mode_is_plain_ascii() -> None:
    out = plain(render(loss_grad_spec(ascii_mode=True), 100, 25))
    assert out.isascii()
    assert ":" in out or "'" in out or "." in out


def test_frame_cache_reuses_frames_and_changes_nothing() -> None:
    cache = FrameCache()
    spec = loss_grad_spec(5_000)
    first = render(spec, 120, 30, THEME, cache)
    second = render(spec, 120, 30, THEME, cache)
    assert cache.misses == 1 and cache.hits == 1
    assert first == second == render(spec, 120, 30, THEME)


def test_theme_colours_are_used() -> None:
    theme = ChartTheme(background=(1, 2, 3), muted=(9, 8, 7), foreground=(250, 240, 230))
    out = render(loss_grad_spec(), 80, 20, theme)
    assert "48;2;1;2;3" in out  # canvas and rows
    assert "38;2;9;8;7" in out  # the frame
    assert "38;2;250;240;230" in out  # tick labels and legend text
    r, g, b = THEME.loss
    assert f"38;2;{r};{g};{b}" in out  # the line's own colour


def test_until_draws_nothing_after_the_moment_on_the_same_axis() -> None:
    """Replay: the chart as it was at a moment, on the whole run's x axis (the same ticks
    as the whole chart's); the y axis fits what is drawn."""
    steps, _, _ = training_curve(2_000)
    full = render_chart(loss_grad_spec(), 100, 24, THEME)
    half = render_chart(loss_grad_spec(until=float(steps[999])), 100, 24, THEME)
    full_rows, half_rows = plain(full.ansi).split("\n"), plain(half.ansi).split("\n")
    assert full_rows[-1].split() == half_rows[-1].split()  # the same x axis
    assert half.points > 0
    plot = [row[10:-10] for row in half_rows[2:-3]]
    right = [row[len(row) // 2 + 4 :] for row in plot]  # past the middle: no line drawn
    assert not any(ch in "⠁⠂⠄⡀⠈⠐⠠⢀⣀⠉⠒⠤" for row in right for ch in row.replace("┊", ""))
    left = [row[: len(row) // 2 - 4] for row in plot]
    assert any(ch not in " ┊│" for row in left for ch in row)
    zoomed = render_chart(
        loss_grad_spec(window=(0.0, float(steps[1500])), until=float(steps[999])), 100, 24, THEME
    )
    assert "15k" in plain(zoomed.ansi).split("\n")[-1] or "14k" in plain(zoomed.ansi)
