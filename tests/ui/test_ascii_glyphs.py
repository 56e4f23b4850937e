"""--ascii (or LANG=C): every cell the app draws itself is ASCII; dashes, ellipses,
separators and arrows included. The log pane holds server text (passed as sent) and is
left out; the simulator's names and statuses are ASCII."""

from __future__ import annotations

import asyncio

import pytest
from rich.text import Text

from axom_tui.base.glyphs import set_ascii, truncate
from axom_tui.base.units import human_bytes, human_rate
from axom_tui.ui.widgets.job_columns import middle_ellipsis
from axom_tui.ui.widgets.log_view import LogView
from axom_tui.view import format as fmt
from ui_helpers import make_app, screen_text, sim_server, started


def test_formatters_and_cuts_are_ascii_in_ascii_mode():
    set_ascii(True)
    try:
        drawn = [
            fmt.si(None),
            fmt.duration(None),
            fmt.money(None),
            fmt.signed_si(-3),
            fmt.metric(float("inf")),
            truncate(Text("a long name"), 5).plain,
            middle_ellipsis(Text("axom-base-x1.5-mosaic"), 13).plain,
            human_bytes(None),
            human_rate(float("nan")),
        ]
    finally:
        set_ascii(False)
    assert all(text.isascii() for text in drawn), drawn
    assert fmt.si(None) == "—"  # and back


@pytest.mark.parametrize("size", [(160, 48), (80, 24)])
async def test_app_drawn_cells_are_ascii_in_ascii_mode(tmp_path, size):
    with sim_server() as server:
        app, _services = make_app(server, tmp_path, ascii=True)
        async with app.run_test(size=size) as pilot:
            await started(pilot, app)
            found: dict[str, str] = {}
            for _ in range(10):  # through the runs: queued, running, failed, completed
                await pilot.press("j")
                await asyncio.sleep(0.2)
                await pilot.pause()
                logs = app.screen.query_one(LogView).region
                for y, line in enumerate(screen_text(app).splitlines()):
                    if not logs.y <= y < logs.bottom and not line.isascii():
                        found.setdefault("".join(c for c in line if not c.isascii()), line)
    assert not found, found
