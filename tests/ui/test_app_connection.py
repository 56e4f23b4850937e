"""Connection trouble in the header: the server goes away, or the key is refused."""

from __future__ import annotations

import asyncio

from axom_tui.poll import PollPolicy
from axom_tui.store import FeedKind
from axom_tui.ui.widgets.header_bar import HeaderBar
from axom_tui.ui.widgets.job_table import JobTable
from ui_helpers import SIZE, WRONG_KEY, make_app, sim_server, started, wait_for, widget_text


async def test_offline_banner_keeps_the_data(tmp_path):
    policy = PollPolicy(offline_after=1.0, backoff_base=0.25, backoff_cap=1.0)
    with sim_server() as server:
        app, services = make_app(server, tmp_path, policy=policy)
        async with app.run_test(size=SIZE) as pilot:
            await started(pilot, app)
            store = services.store
            header = app.screen.query_one(HeaderBar)
            table = app.screen.query_one(JobTable)
            await wait_for(pilot, lambda: store.connection.state == "live", what="live")
            rows = table.visible_job_ids()
            selected = table.selected_job_id

            await asyncio.to_thread(server.stop)  # the app's loop keeps running meanwhile
            await wait_for(
                pilot,
                lambda: store.connection.state in ("offline", "retrying"),
                timeout=15,
                what="the connection to drop",
            )
            await wait_for(
                pilot, lambda: store.connection.state == "offline", timeout=15, what="offline"
            )
            await wait_for(pilot, lambda: "○ offline" in widget_text(header), what="the banner")
            banner = widget_text(header)
            assert "live" not in banner
            assert "retrying in" in banner
            # what we had is still on screen
            assert table.visible_job_ids() == rows
            assert table.row_count == len(rows) == len(store.order)
            assert table.selected_job_id == selected
            assert app.is_running


async def test_rejected_key_shows_auth_state_without_a_crash_loop(tmp_path):
    with sim_server() as server:
        app, services = make_app(server, tmp_path, key=WRONG_KEY)
        async with app.run_test(size=SIZE) as pilot:
            store = services.store
            stats = services.scheduler.stats
            header = app.screen.query_one(HeaderBar)
            await wait_for(pilot, lambda: store.connection.state == "auth", what="auth state")
            await wait_for(
                pilot, lambda: "✗ key rejected" in widget_text(header), what="the banner"
            )
            requests_then = stats.total
            await asyncio.sleep(2.5)
            assert app.is_running
            assert store.connection.state == "auth"
            assert "✗ key rejected" in widget_text(header)
            # gated: the job list is probed every 30 s, nothing else is asked for
            assert stats.by_kind[FeedKind.LIST] <= 2
            assert stats.total == requests_then
            assert stats.total <= 5
            assert len(store.order) == 0
            assert app.screen.query_one(JobTable).row_count == 0
            # the key never reaches the screen
            assert WRONG_KEY not in widget_text(header)
