"""The frame written directly is plotext's frame, character for character; layouts it
does not know are left to plotext."""

from __future__ import annotations

import random

import pytest

from axom_tui.charting import ChartOptions, ChartTheme, MetricView, RunChartData, render_chart
from axom_tui.charting.frame import (
    FrameCache,
    FrameKey,
    Ticks,
    build_frame,
    composed_frame,
    plotext_frame,
)
from chart_helpers import frame_key


def random_key(rng: random.Random) -> FrameKey | None:
    width, height = rng.randint(14, 200), rng.randint(5, 60)
    canvas_h = height - 3

    def y_ticks(label_width: int) -> Ticks:
        cells = sorted(rng.sample(range(canvas_h), rng.randint(1, min(8, canvas_h))))
        return Ticks(
            tuple(cells),
            tuple(f"{rng.uniform(0, 100):.{rng.randint(0, 3)}f}"[:label_width] for _ in cells),
        )

    left = y_ticks(rng.randint(1, 7))
    right = y_ticks(rng.choice([1, 3, 5])) if rng.random() < 0.4 else None
    canvas_w = width - 2 - left.width - (right.width if right else 0)
    if canvas_w < 2:
        return None
    x_cells = sorted(
        rng.sample(range(canvas_w), rng.randint(1, max(1, canvas_w // rng.choice([4, 8, 12]))))
    )
    x = Ticks(
        tuple(x_cells),
        tuple(
            str(rng.randint(0, 10 ** rng.randint(1, 6))) + rng.choice(["", "k", ".5"])
            for _ in x_cells
        ),
    )
    vlines = tuple(
        (rng.randrange(canvas_w), (rng.randrange(256), 0, 0), rng.choice(["dotted", "default"]))
        for _ in range(rng.randint(0, 4))
    )
    return FrameKey(
        width,
        height,
        (1, 2, 3),
        (4, 5, 6),
        (7, 8, 9),
        x,
        left,
        right,
        vlines,
        ascii=rng.random() < 0.2,
    )


@pytest.mark.parametrize("seed", range(4))
def test_composed_frames_are_plotexts_frames(seed: int) -> None:
    rng = random.Random(seed)
    composed = 0
    for _ in range(400):
        key = random_key(rng)
        if key is None:
            continue
        try:
            expected = plotext_frame(key)
        except RuntimeError:  # a layout the chart never asks for (plotext moved the canvas)
            continue
        frame = composed_frame(key)
        if frame is not None:
            composed += 1
            assert frame == expected, key
    assert composed >= 100  # the random keys reach the direct path often enough to mean something


def test_layouts_it_does_not_know_go_to_plotext() -> None:
    touching = frame_key(x=Ticks((0, 3), ("1000", "2000")))
    last_column = frame_key(x=Ticks((0, 55), ("0", "9")))
    no_left = frame_key(left=None, x=Ticks((0,), ("0",)))
    for key in (touching, last_column, no_left):
        assert composed_frame(key) is None
        assert build_frame(key) == plotext_frame(key)


def test_a_live_runs_chart_takes_the_direct_path() -> None:
    steps = list(range(0, 3000, 10))
    data, cache = RunChartData(), FrameCache()
    data.set_data(
        steps,
        {
            "loss": [3.0 - i / 200 for i in range(len(steps))],
            "grad_norm": [1.0 + (i % 7) / 10 for i in range(len(steps))],
        },
        [1000],
        [1500],
        1,
    )
    spec = data.spec(MetricView.LOSS_GRAD, ChartOptions(), ChartTheme())
    seen: list[FrameKey] = []
    original = cache.get

    def get(key: FrameKey):
        seen.append(key)
        return original(key)

    cache.get = get  # type: ignore[method-assign]
    render_chart(spec, 110, 18, ChartTheme(), cache)
    assert seen and composed_frame(seen[0]) is not None
    assert composed_frame(seen[0]) == plotext_frame(seen[0])
