"""A connection that leaves the dashboard nothing to show says so in every pane, and names
the server: not ``key rejected`` in the header beside ``select a run`` and ``waiting for
metrics…``."""

from __future__ import annotations

from axom_tui.api.secret import ApiKey
from axom_tui.runtime.services import build_services
from axom_tui.ui.app import AxomApp
from axom_tui.ui.settings import UiSettings
from axom_tui.ui.widgets.header_bar import HeaderBar
from axom_tui.ui.widgets.job_table import JobTable
from axom_tui.ui.widgets.metric_chart import MetricChart
from axom_tui.ui.widgets.run_summary import RunSummary
from axom_tui.ui.widgets.timeline import Timeline
from ui_helpers import KEY, SIZE, WRONG_KEY, make_app, sim_server, wait_for, widget_text


def panes(app) -> dict[str, str]:
    screen = app.screen
    table = screen.query_one(JobTable)
    return {
        "jobs": " ".join(table.render_line(y).text for y in range(3)),
        "lifecycle": " ".join(screen.query_one(Timeline).lines),
        "summary": screen.query_one(RunSummary).content.plain,
        "chart": screen.query_one(MetricChart).text,
        "header": widget_text(screen.query_one(HeaderBar)),
    }


async def test_a_rejected_key_is_said_in_the_panes_with_the_server(tmp_path):
    with sim_server() as server:
        app, _services = make_app(server, tmp_path, key=WRONG_KEY)
        where = server.base_url.rstrip("/")
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(
                pilot, lambda: "rejected the key" in panes(app)["jobs"], what="the job list's note"
            )
            await pilot.pause()
            shown = panes(app)
            for name in ("jobs", "lifecycle", "summary"):
                assert "rejected the key" in shown[name] and where in shown[name], (name, shown)
            assert "key was rejected" in shown["chart"] or "rejected the key" in shown["chart"]
            assert "select a run" not in shown["lifecycle"]
            assert "waiting for metrics" not in shown["chart"]
            assert WRONG_KEY not in " ".join(shown.values())


async def test_an_unreachable_server_is_named(tmp_path):
    base = "http://127.0.0.1:9/api"  # the discard port: nothing listens there
    services = build_services(base, ApiKey(KEY))
    app = AxomApp(services, UiSettings(screenshot_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot,
            lambda: "Cannot reach" in panes(app)["jobs"],
            timeout=20,
            what="the job list's note",
        )
        await pilot.pause(1.1)  # the header's own clock
        shown = panes(app)
        assert "http://127.0.0.1:9" in shown["jobs"] and "cannot connect to" in shown["jobs"]
        assert "cannot connect to http://127.0.0.1:9" in shown["header"], shown["header"]
        assert "Cannot reach http://127.0.0.1:9/api" in shown["lifecycle"]
