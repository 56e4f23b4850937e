"""Promise 1 (defined in conftest.py), the full app: the dashboard under Pilot against the
simulator over loopback with faults on. No crash; while the faults last the header shows a
degraded connection; after they are switched off (``sim.faults = FaultConfig()``) it is
back to live, and what the store holds for the run on screen is the server's data, each
line and step once.
"""

from __future__ import annotations

from axom_tui.api.secret import ApiKey
from axom_tui.poll import PollPolicy
from axom_tui.runtime.services import build_services
from axom_tui.sim import FaultConfig, SimConfig, SimServer, Simulator
from axom_tui.ui.app import AxomApp
from axom_tui.ui.messages import ExportRequested
from axom_tui.ui.settings import UiSettings
from axom_tui.ui.widgets.header_bar import HeaderBar
from rel_helpers import KEY, figure
from rel_pilot import app_at, text_of, wait_for

SIZE = (150, 45)
STORM = FaultConfig(
    error_rate=0.45, rate_limit=0.1, retry_after=1, drop=0.35, latency=0.02, jitter=0.2, seed=4
)
# Backoff capped low so recovery shows within the test's seconds (the default caps at 60 s).
POLICY = PollPolicy(backoff_cap=2.0, offline_after=3.0, jobs_list=1.0)


def header_text(app: AxomApp) -> str:
    return text_of(app.screen.query_one(HeaderBar))


async def test_app_survives_a_fault_storm_shows_it_and_recovers(tmp_path):
    sim = Simulator(SimConfig(seed=7, speed=60.0, key=KEY, model_bytes=64_000))
    with SimServer(sim) as server:
        app = app_at(server.base_url, POLICY, tmp_path)
        services = app.services
        store = services.store
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(
                pilot,
                lambda: (
                    store.connection.state == "live"
                    and store.order
                    and services.scheduler.focused is not None
                ),
                what="a live start",
            )
            focused = services.scheduler.focused
            assert focused is not None
            sim.faults = STORM
            await wait_for(
                pilot,
                lambda: store.connection.state in ("retrying", "offline"),
                what="a degraded connection under faults",
            )
            await wait_for(
                pilot,
                lambda: any(w in header_text(app) for w in ("retrying", "offline")),
                what="the header to show it",
            )
            degraded_header = header_text(app)
            states = set()
            for _ in range(40):  # two more seconds in the storm: the app keeps running
                states.add(store.connection.state)
                await pilot.pause(0.05)
            assert app.is_running and app._exception is None
            injected = dict(server.app.counts)

            sim.faults = FaultConfig()
            await wait_for(pilot, lambda: store.connection.state == "live", what="recovery")
            await wait_for(
                pilot, lambda: "● live" in header_text(app), what="the header to say live"
            )
            services.scheduler.focus(focused)
            await pilot.pause(1.5)
            assert app.is_running and app._exception is None

            # what is held is the server's data, once, in order
            run = store.runs[focused]
            truth = sim.ground_truth(focused)
            held = [(line.seq, line.text) for line in run.logs]
            assert held == [(x["seq"], x["text"]) for x in truth.logs[: len(held)]]
            steps = list(run.metrics.steps)
            assert steps == sorted(set(steps))
        assert app.return_code in (None, 0)

    figure("app storm: faults injected over loopback", sum(injected.values()))
    assert injected["5xx"] + injected["drop"] + injected["429"] >= 5
    assert "retrying" in degraded_header or "offline" in degraded_header


async def test_app_survives_extreme_but_valid_values(tmp_path):
    """Every run of a server sending int64 edges, NaN/±Inf, times at the ends of the range,
    empty and enormous strings, unknown statuses: selected, charted, logged, compared."""
    from rel_helpers import ThreadServer
    from rel_hostile import ExtremeApi

    api = ExtremeApi()
    with ThreadServer(api.app()) as server:
        services = build_services(server.origin + "/api", ApiKey(KEY))
        app = AxomApp(
            services, UiSettings(notify_desktop=False, screenshot_dir=tmp_path, export_dir=tmp_path)
        )
        store = services.store
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: len(store.order) == len(api.jobs), what="the job list")
            for key in [
                "down",
                "down",
                "down",
                "up",
                "v",
                "v",
                "g",
                "s",
                "up",
                "up",
                "space",
                "down",
                "space",
                "c",
            ]:
                await pilot.press(key)
                await pilot.pause(0.15)
            await pilot.pause(0.5)
            await pilot.press("escape")
            for job_id in ("e0", "e1"):
                app.post_message(ExportRequested(job_id))
            app.export_screenshot()
            assert app.is_running and app._exception is None
            errors = {k: h.last_error for k, h in store.global_feeds.items() if h.failing}
        assert app.return_code in (None, 0)
    assert store.runs["e0"].metrics.nan_count >= 1
    assert errors == {}, errors  # all of it was valid: nothing refused
