"""The footer leaves out whole entries that do not fit; it never cuts one mid-word."""

from __future__ import annotations

import pytest
from textual.widgets._footer import FooterKey

from axom_tui.ui.widgets.footer import AxomFooter
from ui_helpers import app_on, screen_text, sim_server


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_every_footer_entry_shown_is_whole(tmp_path, size):
    with sim_server() as server:
        async with app_on(server, tmp_path, size=size) as (app, _, pilot, _):
            await pilot.pause()
            await pilot.pause()
            footer = app.screen.query_one(AxomFooter)
            keys = list(footer.query(FooterKey))
            palette = [k for k in keys if k.has_class("-command-palette")]
            right = palette[0].region.x if palette else footer.region.right
            entries = [k for k in keys if not k.has_class("-command-palette")]
            assert {"Quit", "Help"} <= {key.description for key in entries}
            for key in entries:
                assert key.region.right <= right, (key.description, key.region, right)
            last = screen_text(app).splitlines()[-1]
            assert all(key.description in last for key in entries), last
