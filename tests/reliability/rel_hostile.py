"""A hostile Fusion API for the terminal-safety tests: every string the server controls
carries escape sequences, C1 controls, bidi overrides or Textual/Rich markup.

One run (the newest, so the dashboard focuses it) is ``running`` until a few seconds
after the first request, then ``failed`` with a hostile error: the dashboard's
"run finished" toast and its desktop notification (OSC 9/777) carry server text too.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contract_examples import OVERVIEW

HOSTILE = [
    "\x1b]0;pwned\x07",  # OSC 0: window title
    "\x1b]2;pwned\x1b\\",  # OSC 2, ST-terminated
    "\x1b]8;;http://evil.example/x\x1b\\click me\x1b]8;;\x1b\\",  # OSC 8 hyperlink
    "\x1b]52;c;cm0gLXJmIH4K\x07",  # OSC 52: write the clipboard
    "\x1b]10;?\x07",  # colour query
    "\x1b[2J\x1b[H",  # clear screen, home
    "\x1b[31mred\x1b[0m",  # SGR
    "\x1b[?1049l",  # leave the alternate screen
    "\x1b[6n",  # cursor report (answers into input)
    "\x1b[21t",  # report the window title
    "\x1bP+q544e\x1b\\",  # DCS XTGETTCAP
    "\x1b_Gf=100;AAAA\x1b\\",  # APC (kitty graphics)
    "\x1bc",  # full reset
    "\x9b31m C1 CSI",  # 8-bit CSI
    "\x9d0;pwned\x9c",  # 8-bit OSC
    "DEL\x7f here",
    "carriage\rreturn overwrite",
    "bell\x07 enq\x05 nul\x00 backspace\x08",
    "\u202eevil bidi override\u202c",
    "\u2066isolate\u2069 \u200fmark",
    "[@click=app.quit]click to quit[/]",
    "[link=http://evil.example/m]markup link[/link]",
    "[bold red]rich markup[/]",
    "[on red]unclosed",
]
# Run names are shown trimmed: keep the dangerous part near the start.
NAMES = [
    "[@click=app.quit]q[/][link='http://evil.example/n']n[/]",  # valid Textual markup
    "\x1b]0;pwned\x07name",
    "[@click=app.quit]q[/]",
    "\x1b]8;;http://evil.example/\x1b\\l",
    "\x9d0;pwned\x9c",
    "\u202eevil",
]
RUN_IDS = [f"{i:08d}-0000-4000-8000-00000000000{i}" for i in range(len(NAMES))]
TS = "2026-06-04T02:45:20Z"

Handler = Callable[[Request], Awaitable[Response]]


def read_api(*handlers: Handler) -> Starlette:
    """The contract's read endpoints, answered by the handlers given in this order."""
    paths = [
        "/api/jobs",
        "/api/jobs/{job_id}",
        "/api/jobs/{job_id}/metrics",
        "/api/jobs/{job_id}/logs",
        "/api/jobs/{job_id}/events",
        "/api/jobs/{job_id}/result",
        "/api/models",
        "/api/overview",
    ]
    return Starlette(
        routes=[Route(path, handler) for path, handler in zip(paths, handlers, strict=True)]
    )


class HostileApi:
    def __init__(self, flip_after: float = 3.0) -> None:
        self.flip_after = flip_after
        self.first_list: float | None = None
        self.requests = 0
        self.lock = threading.Lock()

    def _victim_failed(self) -> bool:
        return self.first_list is not None and time.monotonic() - self.first_list > self.flip_after

    def job(self, index: int) -> dict[str, Any]:
        failed = index == 0 and self._victim_failed()
        status = (
            "failed"
            if failed
            else (
                "running"
                if index < 3
                else ["completed", "failed", "\x1b]0;pwned\x07status"][index - 3]
            )
        )
        error = None
        if status != "running":
            error = (
                "\n".join(HOSTILE[:8]) if index == 0 else {"message": HOSTILE[index % len(HOSTILE)]}
            )
        return {
            "id": RUN_IDS[index],
            "type": "train" if index % 2 else "\x1b[31mevil\x1b[0m",
            "status": status,
            "retries": index,
            "error": error,
            "name": NAMES[index],
            "base_model_id": "b",
            "dataset_id": "d",
            "hyperparams": {"output_name": HOSTILE[index], "\x1b]0;pwned\x07": HOSTILE[-3]},
            "total_steps": 1000,
            "latest_step": 40,
            "created_at": TS,
            "updated_at": TS,
            "started_at": TS,
            "finished_at": TS if status != "running" else None,
        }

    def app(self) -> Starlette:
        def j(body: Any, status: int = 200) -> Response:
            return Response(json.dumps(body), status, media_type="application/json")

        async def jobs(request: Request) -> Response:
            with self.lock:
                self.requests += 1
                if self.first_list is None:
                    self.first_list = time.monotonic()
            return j([self.job(i) for i in range(len(NAMES))])

        def index_of(request: Request) -> int | None:
            job_id = request.path_params["job_id"]
            return RUN_IDS.index(job_id) if job_id in RUN_IDS else None

        async def job(request: Request) -> Response:
            with self.lock:
                if self.first_list is None:
                    self.first_list = time.monotonic()
            i = index_of(request)
            return j(self.job(i)) if i is not None else j({"detail": HOSTILE[0]}, 404)

        async def metrics(request: Request) -> Response:
            since = int(request.query_params.get("since_step") or 0)
            points = [
                {
                    "ts": TS,
                    "step": s,
                    "cycle": 1,
                    "phase": HOSTILE[s // 10 % len(HOSTILE)],
                    "loss": 1.0 / s,
                    "lr": 1e-4,
                    "throughput": 1.0,
                    "vram_gb": 2.0,
                    "grad_norm": 1.0,
                }
                for s in range(10, 50, 10)
                if s > since
            ]
            return j({"job_id": request.path_params["job_id"], "latest_step": 40, "points": points})

        async def logs(request: Request) -> Response:
            since = int(request.query_params.get("since") or 0)
            lines = [
                {
                    "seq": n + 1,
                    "ts": TS,
                    "stream": "stderr" if n % 2 else "stdout",
                    "text": f"{n}: {text}",
                }
                for n, text in enumerate(HOSTILE)
                if n + 1 > since
            ]
            return j(
                {
                    "job_id": request.path_params["job_id"],
                    "latest_seq": len(HOSTILE),
                    "lines": lines,
                }
            )

        async def events(request: Request) -> Response:
            out = [
                {"ts": TS, "kind": "submitted", "payload": {}},
                {"ts": TS, "kind": "status", "payload": {"from": HOSTILE[0], "to": HOSTILE[2]}},
                {"ts": TS, "kind": "checkpoint", "payload": {"step": HOSTILE[3]}},
                {"ts": TS, "kind": "error", "payload": {"message": HOSTILE[20]}},
                {"ts": TS, "kind": "cycle", "payload": {"cycle": 1, "params": HOSTILE[21]}},
            ]
            out += [
                {"ts": TS, "kind": text, "payload": {text: text, "value": HOSTILE[-1]}}
                for text in HOSTILE[::3]
            ]
            out.append({"ts": TS, "kind": "preempted", "payload": HOSTILE[5]})
            return j(out)

        async def result(request: Request) -> Response:
            return j({"detail": "\n".join(HOSTILE[::2])}, 404)

        async def models(request: Request) -> Response:
            return j(
                [
                    {
                        "id": "m-" + HOSTILE[0],
                        "name": HOSTILE[2],
                        "version": HOSTILE[21],
                        "lineage": {"job_id": RUN_IDS[4]},
                        "status": HOSTILE[1],
                        "created_at": TS,
                    }
                ]
            )

        async def overview(request: Request) -> Response:
            # sometimes a 503 whose detail is hostile: the header shows connection messages
            if self.requests % 2:
                return j({"detail": HOSTILE[0] + HOSTILE[2] + HOSTILE[20]}, 503)
            return j(OVERVIEW)

        return read_api(jobs, job, metrics, logs, events, result, models, overview)


class ExtremeApi:
    """Valid-but-extreme data (every value the parsers tolerate): int64 edges, negative
    and zero counts, NaN/±Inf metrics, times at the ends of the range and out of order,
    empty and enormous strings, unknown statuses and event kinds, odd payloads."""

    BIG = 2**63 - 1

    def __init__(self) -> None:
        n = self.BIG
        base = {
            "type": "train",
            "error": None,
            "base_model_id": "b",
            "dataset_id": "d",
            "hyperparams": {},
            "created_at": "0002-01-01T00:00:00Z",
        }
        self.jobs = [
            dict(
                base,
                id="e0",
                status="running",
                name="",
                retries=n,
                total_steps=1,
                latest_step=n,
                started_at="9998-12-31T23:00:00Z",
                updated_at="0002-01-01T00:00:00Z",
            ),
            dict(
                base,
                id="e1",
                status="completed",
                name="x" * 5000,
                retries=-5,
                total_steps=0,
                latest_step=-(2**63),
                started_at="2026-06-04T02:45:20Z",
                finished_at="2026-06-04T01:00:00Z",
            ),  # finished before it started
            dict(
                base,
                id="e2",
                status="zombie",
                name="?",
                retries=0,
                total_steps=None,
                latest_step=None,
                error={"deep": [[[[{"x": 1}]]]]},
            ),
            dict(
                base,
                id="e3",
                status="failed",
                name="f",
                retries=3,
                total_steps=-10,
                latest_step=5,
                error="e" * 100_000,
            ),
        ]

    def app(self) -> Starlette:
        n = self.BIG
        inf, nan = float("inf"), float("nan")

        def j(body: Any, status: int = 200) -> Response:
            return Response(json.dumps(body, allow_nan=True), status, media_type="application/json")

        async def jobs(request: Request) -> Response:
            return j(self.jobs)

        async def job(request: Request) -> Response:
            found = [x for x in self.jobs if x["id"] == request.path_params["job_id"]]
            return j(found[0]) if found else j({"detail": "no"}, 404)

        async def metrics(request: Request) -> Response:
            if request.query_params.get("since_step"):
                return j({"latest_step": n, "points": []})
            values = [inf, -inf, nan, 1e308, -1e308, 5e-324, 0.0, -0.0]
            points = [
                {
                    "step": s,
                    "cycle": c,
                    "phase": p,
                    "loss": values[i % 8],
                    "lr": values[(i + 1) % 8],
                    "throughput": values[(i + 2) % 8],
                    "vram_gb": values[(i + 3) % 8],
                    "grad_norm": values[(i + 4) % 8],
                    "ts": "9998-12-31T23:59:59Z",
                }
                for i, (s, c, p) in enumerate(
                    [
                        (-(2**63), -1, ""),
                        (0, 0, "grow"),
                        (1, n, "eval"),
                        (2, None, None),
                        (n - 1, 2, "x" * 300),
                        (n, 3, "train"),
                    ]
                )
            ]
            return j({"latest_step": n, "points": points})

        async def logs(request: Request) -> Response:
            if request.query_params.get("since"):
                return j({"latest_seq": n, "lines": []})
            lines = [
                {"seq": s, "text": t, "stream": st, "ts": "0002-01-01T00:00:00Z"}
                for s, t, st in [
                    (1, "", "stdout"),
                    (2, "y" * 50_000, "stderr"),
                    (n, "last", "weird-stream"),
                    (n - 1, "\t" * 100, "stdout"),
                ]
            ]
            return j({"latest_seq": n, "lines": lines})

        async def events(request: Request) -> Response:
            return j(
                [
                    {"ts": "9998-12-31T23:59:59Z", "kind": "checkpoint", "payload": {"step": n}},
                    {"ts": None, "kind": "status", "payload": {"from": None, "to": 5}},
                    {"kind": "cycle", "payload": {"cycle": -1, "params": inf}},
                    {"ts": "0002-01-01T00:00:00Z", "kind": "preempted", "payload": [1, 2]},
                    {
                        "ts": "2026-06-04T02:45:20Z",
                        "kind": "x" * 1000,
                        "payload": {"k" * 100: "v" * 10_000},
                    },
                ]
            )

        async def result(request: Request) -> Response:
            return j(
                {
                    "ppl_baseline": inf,
                    "ppl_final": nan,
                    "ppl_delta_pct": -inf,
                    "loss_final": 1e308,
                    "params_before": n,
                    "params_after": -(2**63),
                    "params_delta": n,
                    "function_preservation": -0.0,
                    "gpu_seconds": -1,
                    "tokens_processed": 0,
                    "cost_usd": 1e308,
                }
            )

        async def models(request: Request) -> Response:
            return j(
                [
                    {
                        "id": "m",
                        "name": "",
                        "version": "",
                        "params": n,
                        "lineage": {"job_id": "e1"},
                        "status": "ready",
                        "created_at": "9998-12-31T23:59:59Z",
                    }
                ]
            )

        async def overview(request: Request) -> Response:
            return j(
                {
                    "active_runs": n,
                    "models": -(2**63),
                    "datasets": 0,
                    "gpu_minutes_period": inf,
                    "tokens_period": n,
                    "spend_usd_period": nan,
                    "period_days": 0,
                }
            )

        return read_api(jobs, job, metrics, logs, events, result, models, overview)
