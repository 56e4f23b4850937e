"""The dashboard "idle with no data": the CPU/bytes benchmark's baseline.

Exactly what ``axom-tui --demo`` does (launch.run_dashboard), except that the
in-process simulator has no runs and submits none: the same app, the same polling of
the global feeds, the same timers, nothing to show. Used only by bench/run.py::

    python bench/_idle_app.py
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    from axom_tui.api.secret import ApiKey
    from axom_tui.cli.launch import poll_policy, settings_from_args, ui_settings
    from axom_tui.runtime.services import DEMO_SPEED, build_services
    from axom_tui.sim import SimConfig, SimServer, Simulator

    settings = settings_from_args(argparse.Namespace())
    key = "axom_live_benchidle0000000000000000000000"
    config = SimConfig(
        seed=7, speed=DEMO_SPEED, key=key, initial_runs=0, history_runs=0, submit_every=0
    )
    server = SimServer(Simulator(config), host="127.0.0.1", port=0)
    server.start()
    try:
        services = build_services(
            server.base_url, ApiKey(key), policy=poll_policy(settings), log_cap=settings.log_cap
        )
        services.demo_server = server
        from axom_tui.ui.app import AxomApp

        app = AxomApp(services, ui_settings(settings, "demo"))
        app.run(mouse=settings.mouse)
        return app.return_code or 0
    finally:
        server.stop()


if __name__ == "__main__":
    raise SystemExit(main())
