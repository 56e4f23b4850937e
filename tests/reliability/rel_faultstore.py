"""A scripted Fusion API + object storage for the download storm (tests/reliability).

The API part serves one completed run, its model and a manifest whose links carry a
*generation*; the storage part is a raw ASGI endpoint so each answer can be anything:
cut or reset mid-body, stalled, 403 (and every link issued so far expires), 200 to a
Range request, a wrong Content-Range start, a wrong total size, extra bytes, a body that
ends early, a flipped byte, 5xx, 429. Every storage request is logged with the Range it
asked for and the size of the file's ``.part`` on disk at that moment, so the test can
measure what a resume re-downloads.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from axom_tui.sim.faults import _drop_connection
from rel_helpers import KEY

MODEL_ID = "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"
JOB_ID = "9b1c4e2a-0f3d-4a57-9e61-2b7c8d9e0f11"
PIECE = 64 * 1024

STORAGE_FAULTS = (
    "cut",
    "reset",
    "stall",
    "expire",
    "ignore_range",
    "wrong_start",
    "wrong_total",
    "oversize",
    "short",
    "5xx",
    "429",
    "bitflip",
)


def blob(n: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(n)


@dataclass
class Entry:
    rel: str
    data: bytes
    with_sha: bool = False

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class FaultStore:
    entries: list[Entry]
    dest: Path | None = None  # where the client writes: to measure .part sizes
    script: list[str] = field(default_factory=list)  # storage faults, served in order
    fault_share: float = 0.6  # share of storage requests that take the next scripted fault
    api_script: list[str] = field(default_factory=list)  # "503"/"429" for manifest requests
    piece_delay: float = 0.0  # seconds per 64 KiB piece (throttle)
    stall_hold: float = 1.0
    seed: int = 0
    generation: int = 0
    min_generation: int = 0
    log: list[dict] = field(default_factory=list)
    served: Counter = field(default_factory=Counter)
    storage_auth: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.lock = threading.Lock()
        self.by_rel = {e.rel: e for e in self.entries}

    # ------------------------------------------------------------ API

    def app(self) -> Starlette:
        def authorized(request: Request) -> bool:
            return request.headers.get("authorization") == f"Bearer {KEY}"

        async def models(request: Request) -> Response:
            if not authorized(request):
                return JSONResponse({"detail": "bad key"}, 401)
            return JSONResponse(
                [
                    {
                        "id": MODEL_ID,
                        "name": "storm-model",
                        "version": "v1",
                        "params": 1,
                        "lineage": {"job_id": JOB_ID},
                        "status": "ready",
                        "created_at": "2026-06-04T02:45:20Z",
                    }
                ]
            )

        async def job(request: Request) -> Response:
            if not authorized(request):
                return JSONResponse({"detail": "bad key"}, 401)
            return JSONResponse({"id": JOB_ID, "status": "completed", "type": "train"})

        async def manifest(request: Request) -> Response:
            if not authorized(request):
                return JSONResponse({"detail": "bad key"}, 401)
            with self.lock:
                if self.api_script and self.rng.random() < 0.3:
                    fault = self.api_script.pop()
                    self.served["api " + fault] += 1
                    return JSONResponse(
                        {"detail": "not now"}, int(fault), headers={"Retry-After": "0"}
                    )
                self.generation = max(self.generation + 1, self.min_generation)
                gen = self.generation
            origin = f"{request.url.scheme}://{request.headers['host']}"
            files = []
            for e in self.entries:
                item = {
                    "rel": e.rel,
                    "size": len(e.data),
                    "url": f"{origin}/storage/g{gen}/{quote(e.rel)}?sig={gen:064x}",
                }
                if e.with_sha:
                    item["sha256"] = e.sha256
                files.append(item)
            return JSONResponse(
                {"model_id": MODEL_ID, "name": "storm-model", "version": "v1", "files": files}
            )

        return Starlette(
            routes=[
                Route("/api/models", models),
                Route("/api/jobs/{job_id}", job),
                Route("/api/models/{model_id}/download", manifest),
                Route("/storage/{rest:path}", _Asgi(self.storage)),  # raw ASGI: full control
            ]
        )

    # ------------------------------------------------------------ storage

    def _part_size(self, rel: str) -> int | None:
        if self.dest is None:
            return None
        try:
            return os.path.getsize(self.dest / (rel + ".part"))
        except OSError:
            return None

    async def storage(self, scope, receive, send) -> None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if "authorization" in headers:
            self.storage_auth.append(headers["authorization"])
            await _respond(send, 400, b"<Error>double auth</Error>")
            return
        gen_part, _, rel = scope["path"].removeprefix("/storage/").partition("/")
        rel = unquote(rel)
        entry = self.by_rel.get(rel)
        if entry is None:
            await _respond(send, 404, b"<Error>NoSuchKey</Error>")
            return
        data, size = entry.data, len(entry.data)
        rng_header = headers.get("range")
        start = int(rng_header.removeprefix("bytes=").split("-")[0]) if rng_header else None
        with self.lock:
            fault = "ok"
            if int(gen_part[1:]) < self.min_generation:
                fault = "expired-link"
            elif self.script and self.rng.random() < self.fault_share:
                fault = "cut"  # when no scripted fault fits this request (an extra fault)
                for i in range(len(self.script) - 1, -1, -1):
                    wanted = self.script[i]
                    if wanted == "bitflip" and not entry.with_sha:
                        continue  # a flipped byte is only detectable with a checksum
                    if wanted in ("ignore_range", "wrong_start", "expire") and start is None:
                        continue  # these are about resumes
                    fault = self.script.pop(i)
                    break
            self.served[fault] += 1
            self.log.append(
                {"rel": rel, "start": start, "part": self._part_size(rel), "fault": fault}
            )
            if fault == "expire":
                self.min_generation = self.generation + 1
        if fault in ("expired-link", "expire"):
            await _respond(
                send, 403, b"<Error><Code>AccessDenied</Code>Request has expired</Error>"
            )
            return
        if fault == "5xx":
            await _respond(send, 503, b"busy", [(b"retry-after", b"0")])
            return
        if fault == "429":
            await _respond(send, 429, b"slow down", [(b"retry-after", b"1")])
            return
        offset = start or 0
        if fault == "ignore_range":
            offset = 0
        first = offset
        if fault == "wrong_start":
            first = max(0, offset - self.rng.randint(1, 5000)) if offset else min(size - 1, 17)
        body = data[first:]
        status = (
            206
            if (start is not None and fault != "ignore_range") or fault == "wrong_start"
            else 200
        )
        total = size + 100 if fault == "wrong_total" else size
        extra: list[tuple[bytes, bytes]] = []
        if status == 206:
            extra.append((b"content-range", f"bytes {first}-{size - 1}/{total}".encode()))
        length = len(body)
        if fault == "oversize":
            body = body + b"EXTRA" * 300
            length = len(body)
        elif fault == "short":
            body = body[: len(body) // 2]
            length = len(body)
        elif fault == "wrong_total" and status == 200:
            length = total
        if fault == "bitflip" and body:
            i = self.rng.randrange(len(body))
            body = body[:i] + bytes([body[i] ^ 0x5A]) + body[i + 1 :]
        limit = len(body)
        if fault in ("cut", "reset", "stall"):
            limit = self.rng.randint(0, max(0, len(body) - 1))
        extra.append((b"content-length", str(length).encode()))
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/octet-stream"),
                    (b"accept-ranges", b"bytes"),
                    *extra,
                ],
            }
        )
        sent = 0
        while sent < limit:
            piece = body[sent : min(limit, sent + PIECE)]
            await send({"type": "http.response.body", "body": piece, "more_body": True})
            sent += len(piece)
            if self.piece_delay:
                await asyncio.sleep(self.piece_delay)
        if fault in ("cut", "reset", "stall"):
            if fault == "stall":
                await asyncio.sleep(self.stall_hold)
            await _drop_connection(receive, rst=fault == "reset", in_process_error=False)
            return
        await send({"type": "http.response.body", "body": b"", "more_body": False})


class _Asgi:
    """Starlette treats a function or method endpoint as request -> response; an object
    with ``__call__`` is mounted as a raw ASGI app."""

    def __init__(self, handler) -> None:
        self.handler = handler

    async def __call__(self, scope, receive, send) -> None:
        await self.handler(scope, receive, send)


async def _respond(send, status: int, body: bytes, extra: list | None = None) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-length", str(len(body)).encode()), *(extra or [])],
        }
    )
    await send({"type": "http.response.body", "body": body})


def check_tree(dest: Path, entries: list[Entry]) -> dict[str, list[str]]:
    """Each file: verified at its final name, or absent there (any .part a true prefix)."""
    out: dict[str, list[str]] = {"verified": [], "part_only": [], "absent": [], "violations": []}
    for e in entries:
        final = dest / e.rel
        part = final.with_name(final.name + ".part")
        if final.exists():
            if hashlib.sha256(final.read_bytes()).hexdigest() == e.sha256:
                out["verified"].append(e.rel)
            else:
                out["violations"].append(f"{e.rel}: final file does not match the source")
        elif part.exists():
            got = part.read_bytes()
            if len(got) > len(e.data) or e.data[: len(got)] != got:
                # a .part may hold wrong bytes only when the manifest's checksum will catch them
                if not e.with_sha:
                    out["violations"].append(f"{e.rel}: .part is not a prefix of the source")
            out["part_only"].append(e.rel)
        else:
            out["absent"].append(e.rel)
    return out


def summary_json(store: FaultStore) -> str:
    return json.dumps(dict(store.served), sort_keys=True)
