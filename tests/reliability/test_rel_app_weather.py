"""Bad weather on screen (issue 17): the dashboard under Pilot against rel_weather.WeatherApi
over loopback. A failing feed is never shown as "live"; the pane whose feed fails says
what failed; an account of several pages is listed whole, counted, and filterable.
"""

from __future__ import annotations

from axom_tui.poll import PollPolicy
from axom_tui.ui.widgets.header_bar import HeaderBar
from axom_tui.ui.widgets.job_list_line import JobListLine
from axom_tui.ui.widgets.job_table import JobTable
from axom_tui.ui.widgets.run_summary import RunSummary
from rel_helpers import ThreadServer, figure
from rel_pilot import app_at, text_of, wait_for
from rel_weather import WeatherApi, job

SIZE = (150, 45)
POLICY = PollPolicy(jobs_list=1.0, backoff_base=0.2, backoff_cap=0.5)


async def test_a_job_list_that_cannot_be_read_is_not_shown_as_live(tmp_path):
    api = WeatherApi([job("a"), job("b", status="completed")])
    with ThreadServer(api) as server:
        app = app_at(server.origin + "/api", POLICY, tmp_path)
        store = app.services.store
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(
                pilot,
                lambda: len(store.order) == 2 and store.connection.state == "live",
                what="a live start",
            )
            header, line = app.screen.query_one(HeaderBar), app.screen.query_one(JobListLine)
            await wait_for(pilot, lambda: "● live" in text_of(header), what="live")
            api.list_body = {"jobs": "the database is down"}
            await wait_for(pilot, lambda: "degraded" in text_of(header), what="the header")
            banner = text_of(header)
            assert "● live" not in banner and "GET /jobs failing" in banner
            await wait_for(pilot, lambda: "GET /jobs failing" in text_of(line), what="the pane")
            assert "2 runs" in text_of(line)  # what was held stays
            assert app.screen.query_one(JobTable).row_count == 2
            api.list_body = None
            await wait_for(pilot, lambda: "● live" in text_of(header), what="recovery")
            await wait_for(pilot, lambda: "failing" not in text_of(line), what="the pane clears")


async def test_skipped_runs_and_empty_fields_are_counted_in_the_job_list_pane(tmp_path):
    api = WeatherApi([job("good"), job("bad-step", latest_step="12"), {"status": "running"}])
    with ThreadServer(api) as server:
        app = app_at(server.origin + "/api", POLICY, tmp_path)
        store = app.services.store
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: len(store.order) == 2, what="the list")
            line = app.screen.query_one(JobListLine)
            await wait_for(pilot, lambda: "skipped" in text_of(line), what="the count")
            said = text_of(line)
            assert "GET /jobs: 1 of 3 jobs skipped, 1 field left empty" in said
            assert "[1].latest_step" in said or "[2]" in said


async def test_a_failing_metrics_feed_is_said_in_the_run_summary(tmp_path):
    api = WeatherApi([job("a")])
    api.metrics["a"] = {"points": "not a list"}
    with ThreadServer(api) as server:
        app = app_at(server.origin + "/api", POLICY, tmp_path)
        store = app.services.store
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: app.services.scheduler.focused == "a", what="focus")
            summary = app.screen.query_one(RunSummary)
            await wait_for(pilot, lambda: "metrics failing" in text_of(summary), what="the pane")
            assert "points" in text_of(summary)
            assert store.connection.state == "live"  # the connection is fine...
            assert "degraded" in text_of(app.screen.query_one(HeaderBar))  # ...a feed is not


async def test_an_account_of_several_pages_is_listed_whole_and_a_filter_finds_an_old_run(tmp_path):
    runs = [job(f"old-{i:04d}", status="completed") for i in range(1000)]
    runs.insert(0, job("live-1"))
    runs[-1] = job("needle-oldest", status="completed")  # on the last page
    api = WeatherApi(runs)
    with ThreadServer(api) as server:
        app = app_at(server.origin + "/api", POLICY, tmp_path)
        store = app.services.store
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: store.listing.complete, timeout=30, what="every page")
            table, line = app.screen.query_one(JobTable), app.screen.query_one(JobListLine)
            await wait_for(pilot, lambda: table.row_count == 1001, what="the table")
            assert "1,001 runs" in text_of(line) and "1 not finished" in text_of(line)
            await pilot.press("slash")
            for ch in "needle":
                await pilot.press(ch)
            await wait_for(
                pilot, lambda: table.visible_job_ids() == ["needle-oldest"], what="the filter"
            )
            assert "1 of 1,001 match" in text_of(line)
            pages = [q.get("cursor") for q in api.requests if "status" not in q]
            figure("weather: pages of a 1,001-run list", len(pages))
