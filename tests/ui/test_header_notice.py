"""A finished run's notice in the header: shown for a while in place of the counters."""

from __future__ import annotations

import asyncio

from textual.app import App, ComposeResult

from axom_tui.api.records import Overview
from axom_tui.store import RunStore
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
        header.redraw()
        assert "active 3" in header.content.plain

        header.notice("Run failed", "\x1b[31mrun-a\x1b[0m — out of memory [b]x[/b]", error=True,
                      seconds=0.6)
        header.notice("Run completed", "run-b", seconds=0.3)
        shown = header.content.plain
        assert "✓ Run completed  run-b  (+1 more)" in shown and "active 3" not in shown

        await asyncio.sleep(0.35)
        header.redraw()  # the dashboard's clock step redraws it
        shown = header.content.plain
        # server text: escapes are shown as symbols, never sent; markup stays text
        assert "✗ Run failed  ␛[31mrun-a␛[0m — out of memory [b]x[/b]" in shown
        assert "\x1b" not in shown
        assert "more" not in shown

        await asyncio.sleep(0.3)
        header.redraw()
        assert header.notices == [] and "active 3" in header.content.plain
        await pilot.pause()
