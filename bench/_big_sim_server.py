"""Serve a simulated account of N runs in its own process (bench/big_account_bench.py).

    python bench/_big_sim_server.py RUNS

10 runs: the scripted scenario (a few of them training). More: 150 runs submitted in the
last three hours (a few dozen still live) and the rest finished over the past 60 days.
Real-time clock (speed 1), as an account is. Prints one JSON line ``{"base_url", "key",
"runs", "live"}`` and serves until its stdin is closed.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

KEY = "axom_live_benchbigaccount0000000000000000"
RECENT = 150  # runs of the last three hours (the scripted ten among them)


def config(runs: int):  # type: ignore[no-untyped-def]
    from axom_tui.sim import SimConfig

    if runs <= 10:
        return SimConfig(
            seed=7, speed=1.0, key=KEY, initial_runs=runs, history_runs=0, submit_every=600.0
        )
    return SimConfig(
        seed=7,
        speed=1.0,
        key=KEY,
        initial_runs=RECENT,
        history_runs=runs - RECENT,
        history_days=60,
        max_live_runs=60,
        submit_every=600.0,
    )


def main() -> int:
    from axom_tui.sim import SimServer, Simulator
    from bench._common import serve_until_stdin_closes

    runs = int(sys.argv[1])
    sim = Simulator(config(runs))
    server = SimServer(sim, host="127.0.0.1", port=0).start()

    def announce() -> dict[str, object]:
        jobs = sim.list_jobs(limit=10**9)
        live = sum(j["status"] not in ("completed", "failed") for j in jobs)
        return {"base_url": server.base_url, "key": KEY, "runs": len(jobs), "live": live}

    return serve_until_stdin_closes(server, announce)


if __name__ == "__main__":
    raise SystemExit(main())
