"""What the dashboard loads before its first frame, and that --demo's deferred server works.

The first frame needs Textual and our widgets only: httpx (the client's HTTP layer),
Starlette/uvicorn (the demo simulator) and numpy/plotext (the chart engine) load after
it. Checked in a fresh interpreter, which walks the real start-up path up to the point
where ``App.run`` would begin.
"""

from __future__ import annotations

import json
import subprocess
import sys

from axom_tui.runtime.services import DemoServer, build_services
from axom_tui.ui.app import AxomApp
from axom_tui.ui.settings import UiSettings
from axom_tui.ui.widgets.metric_chart import MetricChart
from ui_helpers import SIZE, wait_for

HEAVY = ("httpx", "httpcore", "numpy", "plotext", "starlette", "uvicorn")

_START_UP = """
import json, sys
from axom_tui.cli.main import build_parser
from axom_tui.cli.launch import poll_policy, settings_from_args, ui_settings
from axom_tui.runtime.services import DemoServer, build_services
from axom_tui.ui.app import AxomApp

args = build_parser().parse_args(["--demo"])
settings = settings_from_args(args)
demo = DemoServer(speed=args.speed, seed=args.seed)
services = build_services(demo.base_url, demo.key, policy=poll_policy(settings))
services.demo_server = demo
app = AxomApp(services, ui_settings(settings, "demo"))
loaded = sorted({name.split(".")[0] for name in sys.modules} & set(json.loads(sys.argv[1])))
demo.stop()
print(json.dumps(loaded))
"""


def _heavy_modules_loaded(script: str, tmp_path) -> list[str]:
    """Which of HEAVY the start-up ``script`` has loaded, run in a fresh interpreter."""
    env = {
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(
        [sys.executable, "-c", script, json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_start_up_up_to_the_first_frame_loads_no_network_or_chart_stack(tmp_path) -> None:
    assert _heavy_modules_loaded(_START_UP, tmp_path) == []


def test_the_start_up_check_sees_a_heavy_import(tmp_path) -> None:
    """The check above can fail: the same script reports httpx once a request path is loaded."""
    script = _START_UP.replace("loaded = ", "import axom_tui.api.http\nloaded = ")
    assert "httpx" in _heavy_modules_loaded(script, tmp_path)


async def test_demo_server_is_served_after_the_first_frame_and_data_arrives(tmp_path) -> None:
    demo = DemoServer(speed=60.0, seed=7)
    try:
        assert demo.server is None  # bound, listening, not served yet
        services = build_services(demo.base_url, demo.key)
        services.demo_server = demo
        app = AxomApp(
            services,
            UiSettings(label="demo", notify_desktop=False, download_dir=tmp_path / "downloads"),
        )
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: demo.server is not None, what="the demo server to start")
            store = services.store
            await wait_for(pilot, lambda: len(store.order) >= 6, what="runs from the demo server")
            await wait_for(
                pilot, lambda: store.connection.state == "live", what="a live connection"
            )
            chart = app.screen.query_one(MetricChart)
            await wait_for(pilot, lambda: not chart.placeholder, timeout=20, what="a drawn chart")
            assert chart.draws >= 2  # the "waiting" placeholder first, then the engine's chart
    finally:
        demo.stop()


async def test_a_demo_server_that_cannot_start_is_reported_not_a_crash(tmp_path) -> None:
    class BrokenDemo(DemoServer):
        def start(self) -> None:
            raise OSError("no sockets left")

    demo = BrokenDemo(speed=60.0, seed=7)
    toasts: list[str] = []
    try:
        services = build_services(demo.base_url, demo.key)
        services.demo_server = demo
        app = AxomApp(
            services,
            UiSettings(label="demo", notify_desktop=False, download_dir=tmp_path / "downloads"),
        )
        original = app.notify

        def record(message: str, **kwargs) -> None:
            toasts.append(message)
            original(message, **kwargs)

        app.notify = record  # type: ignore[method-assign]
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(
                pilot, lambda: any("did not start" in t for t in toasts), what="the failure toast"
            )
            assert "no sockets left" in next(t for t in toasts if "did not start" in t)
            assert app.is_running and services.client.requests_sent == 0
    finally:
        demo.stop()
