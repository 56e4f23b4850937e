"""A Fusion API with bad weather of round two (issue 17), for tests/reliability and beyond.

* bad records: the job list holds whatever dicts a test puts in ``jobs`` (a zero-time
  ``started_at``, a year-9999 one, ``"yesterday"``, ``latest_step: "12"``...); metrics,
  logs, events and results the same through ``metrics`` / ``logs`` / ``events`` /
  ``results``;
* many runs: the list pages (``?limit=`` at most 200, ``next`` / ``?cursor=``) and filters
  by several statuses, as the contract now says; ``requests`` records each list query;
* slow bodies: ``drip`` seconds between the bytes of a ``/jobs`` answer (``drip_bytes``
  of them, then the rest at once), so that a read timeout that restarts on every byte
  never fires;
* big bodies: ``oversize`` bytes of JSON whitespace streamed after the job list in 64 KiB
  pieces (``declare_length`` also sends a Content-Length); ``sent`` counts the bytes the
  server managed to write before the client hung up.

A raw ASGI app (no framework between the test and the bytes), served in process
(``httpx.ASGITransport``) or over a real socket (``rel_helpers.ThreadServer``).
"""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any
from urllib.parse import parse_qs

TS = "2026-06-04T02:45:20Z"
PIECE = 64 * 1024


def job(job_id: str, status: str = "running", **fields: Any) -> dict[str, Any]:
    base = {
        "id": job_id,
        "type": "train",
        "status": status,
        "retries": 0,
        "error": None,
        "name": f"run-{job_id}",
        "hyperparams": {},
        "total_steps": 6000,
        "latest_step": 100,
        "created_at": TS,
        "updated_at": TS,
        "started_at": TS,
        "finished_at": None,
    }
    base.update(fields)
    return base


class WeatherApi:
    def __init__(self, jobs: list[dict[str, Any]] | None = None) -> None:
        self.jobs: list[dict[str, Any]] = list(jobs or [])
        self.metrics: dict[str, Any] = {}  # job id -> body
        self.logs: dict[str, Any] = {}
        self.events: dict[str, Any] = {}
        self.results: dict[str, Any] = {}
        self.drip = 0.0
        self.drip_bytes = 0
        self.oversize = 0
        self.declare_length = False
        self.sent = 0
        self.requests: list[dict[str, str]] = []
        self.list_body: Any = None  # when set, /jobs answers this, whatever the query
        self.lock = threading.Lock()

    # ------------------------------------------------------------ the list

    def page(self, query: dict[str, str]) -> Any:
        wanted = set(query["status"].split(",")) if query.get("status") else None
        jobs = [j for j in self.jobs if wanted is None or str(j.get("status")) in wanted]
        limit = min(200, int(query.get("limit") or 50))
        start = int(query.get("cursor") or 0)
        items = jobs[start : start + limit]
        following = start + limit if start + limit < len(jobs) else None
        if following is None and "cursor" not in query:
            return items
        return {"jobs": items, "next": None if following is None else str(following)}

    # ------------------------------------------------------------ ASGI

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        path = scope["path"].removeprefix("/api")
        query = {k: v[-1] for k, v in parse_qs(scope.get("query_string", b"").decode()).items()}
        parts = path.strip("/").split("/")
        if parts == ["jobs"]:
            with self.lock:
                self.requests.append(query)
            body = self.page(query) if self.list_body is None else self.list_body
            await self._send_list(send, receive, json.dumps(body).encode())
            return
        body: Any = {"detail": "not found"}
        status = 404
        if len(parts) == 2 and parts[0] == "jobs":
            found = [j for j in self.jobs if j.get("id") == parts[1]]
            if found:
                body, status = found[0], 200
        elif len(parts) == 3 and parts[0] == "jobs":
            table = {
                "metrics": self.metrics,
                "logs": self.logs,
                "events": self.events,
                "result": self.results,
            }.get(parts[2], {})
            if parts[1] in table:
                body, status = table[parts[1]], 200
            elif parts[2] == "metrics":
                body, status = {"job_id": parts[1], "latest_step": None, "points": []}, 200
            elif parts[2] == "logs":
                body, status = {"job_id": parts[1], "latest_seq": None, "lines": []}, 200
            elif parts[2] == "events":
                body, status = [], 200
        elif parts == ["models"]:
            body, status = [], 200
        elif parts == ["overview"]:
            body, status = {"active_runs": 0, "period_days": 30}, 200
        await _respond(send, status, json.dumps(body, allow_nan=True).encode())

    async def _send_list(self, send: Any, receive: Any, body: bytes) -> None:
        cycle = getattr(receive, "__self__", None)  # uvicorn's request cycle: knows of hang-ups

        def gone() -> bool:
            return bool(getattr(cycle, "disconnected", False))

        headers = [(b"content-type", b"application/json")]
        if self.declare_length:
            headers.append((b"content-length", str(len(body) + self.oversize).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        try:
            if self.drip > 0:
                head = body[: self.drip_bytes] if self.drip_bytes else body
                for i in range(len(head)):
                    if gone():
                        return
                    await send(
                        {"type": "http.response.body", "body": head[i : i + 1], "more_body": True}
                    )
                    self.sent += 1
                    await asyncio.sleep(self.drip)
                body = body[len(head) :]
            await send({"type": "http.response.body", "body": body, "more_body": True})
            self.sent += len(body)
            left = self.oversize
            while left > 0 and not gone():
                piece = b" " * min(PIECE, left)
                await send({"type": "http.response.body", "body": piece, "more_body": True})
                self.sent += len(piece)
                left -= len(piece)
                await asyncio.sleep(0)  # a real server's pace: let the client read
            await send({"type": "http.response.body", "body": b""})
        except OSError:  # the client hung up
            return


async def _respond(send: Any, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
