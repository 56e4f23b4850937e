"""A finished run's notice in the header: shown for a while in place of the counters."""

from __future__ import annotations

from textual.app import App, ComposeResult

from axom_tui.api.records import Overview
from axom_tui.store import RunStore
from axom_tui.ui.screens.dashboard import tick_period
from axom_tui.ui.widgets.header_bar import HeaderBar


class Host(App[None]):
    def __init__(self, store: RunStore) -> None:
        super().__init__()
        self.store = store

    def compose(self) -> ComposeResult:
        yield HeaderBar(self.store)


async def test_notice_replaces_the_counters_while_it_lasts_and_counts_the_others():
    store = RunStore()
    store.apply_overview(Overview(active_runs=3, models=4))
    app = Host(store)
    async with app.run_test(size=(140, 3)) as pilot:
        header = app.query_one(HeaderBar)
        now = [100.0]
        header.clock = lambda: now[0]
        header.redraw()
        assert "active 3" in header.content.plain

        header.notice(
            "Run failed", "\x1b[31mrun-a\x1b[0m — out of memory [b]x[/b]", error=True, seconds=8
        )  # until 108
        shown = header.content.plain
        # server text: escapes are shown as symbols, never sent; markup stays text
        assert "✗ Run failed  ␛[31mrun-a␛[0m — out of memory [b]x[/b]" in shown
        assert "\x1b" not in shown and "active 3" not in shown

        now[0] = 102.0
        header.notice("Run completed", "run-b", seconds=8)  # until 110
        assert "✓ Run completed  run-b  (+1 more)" in header.content.plain

        now[0] = 109.0  # the first has gone
        header.redraw()
        assert "✓ Run completed  run-b" in header.content.plain
        assert "more" not in header.content.plain and "Run failed" not in header.content.plain

        now[0] = 110.5  # both gone: the counters are back
        header.redraw()
        assert header.notices == [] and "active 3" in header.content.plain
        await pilot.pause()


def test_the_clock_steps_on_the_poll_rounds_between_one_and_two_seconds():
    for grid, step in (
        (2.0, 2.0),
        (1.0, 1.0),
        (0.5, 1.0),
        (0.75, 1.5),
        (3.0, 1.5),
        (5.0, 5 / 3),
        (10.0, 2.0),
    ):
        assert abs(tick_period(grid) - step) < 1e-9, grid
        rounds_or_share = max(step / grid, grid / step)
        assert abs(rounds_or_share - round(rounds_or_share)) < 1e-9  # on the rounds' grid
