"""A Fusion API with one long finished run, answering 400 points per metrics page.

The run cache's benchmark (bench/history_bench.py) and a by-hand trial of the dashboard
use it: a real HTTP server (uvicorn, in a thread) whose long run has full-precision,
noisy values (nothing rounded, the worst case for the cache's compression), a few
thousand log lines, events and a result. Requests are counted by feed.

    python bench/_history_server.py [--points 200000] [--port 8399] [--json]

serves until interrupted and prints the base URL and key to use (AXOM_KEY, --base-url).
With ``--json`` it prints {"base_url", "key"} as one line, answers each line on its
stdin with the request counts so far (JSON), and stops when its stdin closes.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

KEY = "axom_live_historybench0000000000000000000"
LONG_ID = "4f6c0a52-7d3e-4b8e-9a11-200000000000"
SHORT_ID = "9b1c2d3e-0000-4000-8000-000000003000"
PAGE = 400
LAST_VRAM = 77.77
LOG_PAGE = 1000
T0 = datetime(2026, 6, 3, 20, 0, 0, tzinfo=UTC)


def _iso(dt: datetime) -> str:
    return dt.isoformat().replace("+00:00", "Z")


def _jitter(step: int) -> float:
    """A fixed fraction in [0, 1) per step (its own stream: the values stay as they were)."""
    return (step * 2246822519 % 2**32) / 2**32


class LongRunWorld:
    """Two finished runs: a long one (``points`` steps) and a short one (3,000)."""

    def __init__(self, points: int = 200_000, log_lines: int = 3_000) -> None:
        self.sizes = {LONG_ID: points, SHORT_ID: 3_000}
        self.log_lines = {LONG_ID: log_lines, SHORT_ID: 300}
        self.requests: Counter[str] = Counter()
        self.lock = threading.Lock()

    def count(self, feed: str) -> None:
        with self.lock:
            self.requests[feed] += 1

    def job(self, job_id: str) -> dict[str, Any]:
        n = self.sizes[job_id]
        name = "falcon-h1-x8-overnight" if job_id == LONG_ID else "qwen3-x1.5-short"
        return {
            "id": job_id,
            "type": "train",
            "status": "completed",
            "retries": 0,
            "error": None,
            "name": name,
            "total_steps": n,
            "latest_step": n,
            "hyperparams": {"turns": 1, "cycles": 8, "steps_per_cycle": n // 8, "lr": 1e-4},
            "created_at": _iso(T0),
            "updated_at": _iso(T0 + timedelta(seconds=n)),
            "started_at": _iso(T0 + timedelta(seconds=60)),
            "finished_at": _iso(T0 + timedelta(seconds=n)),
        }

    @staticmethod
    def point(n: int, step: int) -> dict[str, Any]:
        rng = random.Random(step * 2654435761 % 2**32)
        spc = max(1, n // 8)
        cycle = (step - 1) // spc + 1
        pos = step - (cycle - 1) * spc
        loss = (
            0.45
            + 2.6 * math.exp(-step / (n / 3.2))
            + 0.3 * math.exp(-pos / (spc * 0.08)) * (cycle > 1)
        ) * (1 + rng.gauss(0, 0.015))
        return {
            # a second a step, logged up to 0.4 s late (as a real run's stamps jitter)
            "ts": _iso(T0 + timedelta(seconds=60 + step + 0.4 * _jitter(step))),
            "step": step,
            "cycle": cycle,
            "phase": "grow" if pos <= spc * 0.03 else "eval" if pos > spc * 0.96 else "train",
            "loss": loss,
            "lr": 1e-4 * 0.85 ** (cycle - 1) * (0.1 + 0.45 * (1 + math.cos(math.pi * pos / spc))),
            "throughput": 358.4 * (1 + rng.gauss(0, 0.02)),
            # the last point's is unlike any other: on screen (the run summary, redrawn with
            # the chart) it says the whole run is there
            "vram_gb": LAST_VRAM if step == n else 23.6 + cycle * 1.7 + rng.gauss(0, 0.15),
            "grad_norm": (0.4 + 0.9 * math.exp(-pos / (0.1 * spc))) * math.exp(rng.gauss(0, 0.12)),
        }

    def metrics(self, job_id: str, since: int | None) -> dict[str, Any]:
        n = self.sizes[job_id]
        first = (since or 0) + 1
        points = [self.point(n, s) for s in range(first, min(n, first + PAGE - 1) + 1)]
        return {"job_id": job_id, "count": len(points), "latest_step": n, "points": points}

    def logs(self, job_id: str, since: int | None) -> dict[str, Any]:
        total = self.log_lines[job_id]
        first = (since or 0) + 1
        last = min(total, first + LOG_PAGE - 1)
        n = self.sizes[job_id]
        lines = [
            {
                "seq": s,
                "ts": _iso(T0 + timedelta(seconds=60 + s * n // total)),
                "stream": "stderr" if s % 97 == 0 else "stdout",
                "text": f"step {s * n // total}/{n} · loss {self.point(n, max(1, s * n // total))['loss']:.4f}",
            }
            for s in range(first, last + 1)
        ]
        return {"job_id": job_id, "latest_seq": last if lines else total, "lines": lines}

    def events(self, job_id: str) -> list[dict[str, Any]]:
        n = self.sizes[job_id]
        out = [{"ts": _iso(T0), "kind": "submitted", "payload": {}}]
        for a, b, at in (
            ("queued", "provisioning", 10),
            ("provisioning", "staging", 30),
            ("staging", "running", 60),
        ):
            out.append(
                {
                    "ts": _iso(T0 + timedelta(seconds=at)),
                    "kind": "status",
                    "payload": {"from": a, "to": b},
                }
            )
        for k in range(1, 9):
            out.append(
                {
                    "ts": _iso(T0 + timedelta(seconds=60 + k * n // 8)),
                    "kind": "checkpoint",
                    "payload": {"step": k * n // 8},
                }
            )
        out.append({"ts": _iso(T0 + timedelta(seconds=n)), "kind": "completed", "payload": {}})
        return out

    def result(self, job_id: str) -> dict[str, Any]:
        return {
            "job_id": job_id,
            "ppl_baseline": 11023,
            "ppl_final": 324,
            "ppl_delta_pct": -97.06,
            "loss_final": 0.4512,
            "params_before": 1540000000,
            "params_after": 2360000000,
            "params_delta": 820000000,
            "function_preservation": 0.0009,
            # not the step count: "200k" on screen is the chart's axis reaching the end
            "gpu_seconds": self.sizes[job_id] * 0.61,
            "tokens_processed": 1536000,
            "cost_usd": 25.0,
        }


def create_app(world: LongRunWorld) -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    def answer(body: Any, status: int = 200) -> Response:
        return Response(json.dumps(body), status, media_type="application/json")

    def guard(request: Request) -> Response | None:
        if request.headers.get("authorization") != f"Bearer {KEY}":
            return JSONResponse({"detail": "invalid key"}, 401)
        return None

    def since(request: Request, name: str) -> int | None:
        value = request.query_params.get(name)
        return int(value) if value not in (None, "") else None

    def route(feed: str, handler: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            world.count(feed)
            refused = guard(request)
            if refused is not None:
                return refused
            job_id = request.path_params.get("job_id")
            if job_id is not None:
                world.count(f"{feed}:{job_id[:8]}")  # who asked for what
            if job_id is not None and job_id not in world.sizes:
                return answer({"detail": "no such job"}, 404)
            return answer(handler(request, job_id))

        return endpoint

    routes = [
        Route("/api/jobs", route("jobs", lambda r, j: [world.job(i) for i in world.sizes])),
        Route("/api/jobs/{job_id}", route("job", lambda r, j: world.job(j))),
        Route(
            "/api/jobs/{job_id}/metrics",
            route("metrics", lambda r, j: world.metrics(j, since(r, "since_step"))),
        ),
        Route(
            "/api/jobs/{job_id}/logs", route("logs", lambda r, j: world.logs(j, since(r, "since")))
        ),
        Route("/api/jobs/{job_id}/events", route("events", lambda r, j: world.events(j))),
        Route("/api/jobs/{job_id}/result", route("result", lambda r, j: world.result(j))),
        Route("/api/models", route("models", lambda r, j: [])),
        Route("/api/overview", route("overview", lambda r, j: {"active_runs": 0, "models": 0})),
    ]
    return Starlette(routes=routes)


def serve(world: LongRunWorld, port: int = 0) -> Any:
    from axom_tui.sim.server import AsgiThreadServer

    return AsgiThreadServer(create_app(world), port=port).start()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=200_000)
    parser.add_argument("--port", type=int, default=8399)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    world = LongRunWorld(args.points)
    server = serve(world, args.port)
    if args.json:
        print(json.dumps({"base_url": f"{server.origin}/api", "key": KEY}), flush=True)
        try:
            for _ in sys.stdin:
                with world.lock:
                    print(json.dumps(dict(world.requests)), flush=True)
        finally:
            server.stop()
        return 0
    print(f"AXOM_KEY={KEY} axom-tui --base-url {server.origin}/api", flush=True)
    try:
        while True:
            time.sleep(5)
            print(f"requests so far: {dict(world.requests)}", flush=True)
    except KeyboardInterrupt:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
